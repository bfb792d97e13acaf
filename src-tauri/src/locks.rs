//! Lock commands for the staff window, and the background status poller.

use crate::error::ShellResult;
use crate::state::AppState;
use serde::Serialize;
use std::time::Duration;
use tauri::{AppHandle, Emitter, Manager, State};
use uketsuke_core::clock::{self, WARN_OFFSET_SECS};
use uketsuke_core::lock::{self, CommandReport, Confirmation, KnownStatus, Target};
use uketsuke_core::meter::{CallKind, Usage};
use uketsuke_core::sesame::{Command, DeviceUuid};
use uketsuke_core::store;

/// One door of a store as the staff window shows it.
#[derive(Serialize, ts_rs::TS)]
pub struct Door {
    target: Target,
    label: String,
    /// Whether a lock is registered; without one there is nothing to press.
    registered: bool,
    status: Option<KnownStatus>,
}

/// The doors of a store: its entrance (when it has a lock), then its areas.
#[tauri::command]
pub async fn list_doors(state: State<'_, AppState>, store_id: String) -> ShellResult<Vec<Door>> {
    let ready = state.ready()?;
    ready.db.read(move |conn| doors(conn, &store_id)).await.map_err(|e| state.err(e))
}

fn doors(conn: &uketsuke_core::db::Connection, store_id: &str) -> uketsuke_core::Result<Vec<Door>> {
    let store = store::get_store(conn, store_id)?
        .ok_or_else(|| uketsuke_core::Error::not_found(format!("store {store_id}")))?;
    let door = |target: Target, label: String, uuid: Option<&str>| -> uketsuke_core::Result<Door> {
        let uuid = uuid.and_then(|u| DeviceUuid::parse(u).ok());
        let status = match &uuid {
            Some(u) => lock::cached_status(conn, u)?,
            None => None,
        };
        Ok(Door { target, label, registered: uuid.is_some(), status })
    };
    let mut doors = Vec::new();
    if store.use_sesame && store.register_entrance_key {
        doors.push(door(
            Target::Entrance(store.id.clone()),
            store.name.clone(),
            store.entrance_device_uuid.as_deref(),
        )?);
    }
    for area in store::list_areas(conn, Some(store_id))? {
        doors.push(door(Target::Area(area.id), area.name, area.device_uuid.as_deref())?);
    }
    Ok(doors)
}

async fn send(state: &AppState, target: Target, command: Command) -> ShellResult<CommandReport> {
    let ready = state.ready()?;
    let config = ready.config();
    ready.locks(&config).command(&target, command, &state.operator()).await.map_err(|e| state.err(e))
}

/// Sends unlock (83) once. The UI disables the button until this returns, and nothing
/// resends it: a lost reply comes back as `uncertain`.
#[tauri::command]
pub async fn unlock(state: State<'_, AppState>, target: Target) -> ShellResult<CommandReport> {
    send(&state, target, Command::Unlock).await
}

#[tauri::command]
pub async fn lock(state: State<'_, AppState>, target: Target) -> ShellResult<CommandReport> {
    send(&state, target, Command::Lock).await
}

/// Reads the status after a command until it shows the expected state.
#[tauri::command]
pub async fn confirm(
    state: State<'_, AppState>,
    target: Target,
    command: Command,
) -> ShellResult<Confirmation> {
    let ready = state.ready()?;
    let config = ready.config();
    ready.locks(&config).confirm(&target, command, &state.operator()).await.map_err(|e| state.err(e))
}

/// One paid status read, on request.
#[tauri::command]
pub async fn refresh_status(state: State<'_, AppState>, target: Target) -> ShellResult<KnownStatus> {
    let ready = state.ready()?;
    let config = ready.config();
    ready.locks(&config).status(&target, CallKind::Status).await.map_err(|e| state.err(e))
}

#[derive(Serialize, ts_rs::TS)]
pub struct LockInfo {
    usage: Usage,
    clock_offset_secs: i64,
    clock_warning: bool,
    now: i64,
}

/// The meter against the allowance and the measured clock offset, for the header.
#[tauri::command]
pub async fn lock_info(state: State<'_, AppState>) -> ShellResult<LockInfo> {
    let ready = state.ready()?;
    let config = ready.config();
    let usage = ready.locks(&config).usage().await.map_err(|e| state.err(e))?;
    let offset = ready.db.read(|c| Ok(lock::clock_offset(c))).await.map_err(|e| state.err(e))?;
    Ok(LockInfo {
        usage,
        clock_offset_secs: offset,
        clock_warning: offset.abs() > WARN_OFFSET_SECS,
        now: clock::now_unix(),
    })
}

/// Polls every lock every `poll_interval_secs`, within the poll budget, and tells the
/// windows when statuses changed. Off when the interval is 0.
pub fn start_poller(app: &AppHandle) {
    let interval = match app.state::<AppState>().ready() {
        Ok(r) if r.config().sesame.poll_interval_secs > 0 => r.config().sesame.poll_interval_secs,
        _ => return,
    };
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(interval)).await;
            let state = app.state::<AppState>();
            let Ok(ready) = state.ready() else { return };
            let config = ready.config();
            match ready.locks(&config).poll_all().await {
                Ok(report) => {
                    let _ = app.emit("lock-statuses", &report);
                }
                Err(e) => tracing::warn!("status poll failed: {}", e.code()),
            }
        }
    });
}
