//! Facility mode in the window (docs/facility.md): this PC's part started beside its
//! worker, and the manager's card that shows a join code or joins this PC with one.

use crate::error::{ForUi, ShellResult};
use crate::state::AppState;
use std::sync::Arc;
use tauri::{Emitter, Manager, State};
use uketsuke_core::workflows::worker::Worker;
use uketsuke_facility::{self as facility, enrol};

// The types its commands take and answer, named by the command list.
pub use uketsuke_facility::enrol::{FacilitySettings, JoinCode, JoinInput};

/// Starts this PC's part when the config names a facility: the worker's scheduled
/// work waits for leadership first, and every window reloads when another PC changed
/// something or the database came or went.
pub fn start<R: tauri::Runtime>(app: &tauri::AppHandle<R>, worker: Option<&Worker>) {
    let state = app.state::<AppState>();
    let Ok(ready) = state.ready() else { return };
    let config = ready.config();
    match facility::attach(worker, ready.db.clone(), ready.secrets.clone(), &config.facility) {
        Ok(Some(f)) => {
            let _ = ready.facility.set(f.clone());
            let app = app.clone();
            tauri::async_runtime::spawn(async move {
                loop {
                    f.changed().await;
                    let _ = app.emit("sync-status", ());
                }
            });
        }
        Ok(None) => {}
        Err(e) => tracing::warn!(code = e.code().as_str(), "facility mode not started"),
    }
}

/// This PC's place in a facility, for the manager's card.
#[tauri::command]
pub async fn facility_settings(state: State<'_, AppState>) -> ShellResult<FacilitySettings> {
    state.require_manager()?;
    let ready = state.ready()?;
    enrol::settings(&ready.config(), ready.secrets.as_ref()).for_ui(&state)
}

/// A one-time join code for a new PC, shown on this manager's screen for 10 minutes.
#[tauri::command]
pub async fn facility_code(state: State<'_, AppState>) -> ShellResult<JoinCode> {
    state.require_manager()?;
    let ready = state.ready()?;
    enrol::make_code(&ready.db, &ready.config(), ready.secrets.as_ref(), &state.operator())
        .await
        .for_ui(&state)
}

/// Joins this PC with a code another PC showed, and starts its part at once.
#[tauri::command]
pub async fn facility_join(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    input: JoinInput,
) -> ShellResult<FacilitySettings> {
    state.require_manager()?;
    let ready = state.ready()?;
    let config = ready.config();
    let next = enrol::join_pc(&ready.db, &config, ready.secrets.as_ref(), input, &state.operator())
        .await
        .for_ui(&state)?;
    ready.set_config(next);
    if ready.facility.get().is_none() {
        start(&app, ready.worker.get().map(Arc::as_ref));
    }
    let _ = app.emit("sync-status", ());
    enrol::settings(&ready.config(), ready.secrets.as_ref()).for_ui(&state)
}
