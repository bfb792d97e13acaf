//! The commands the UI may call. Each is a few lines: check state, call core, map the error.
//! Which window may call which is decided by `capabilities/*.json`.

use crate::error::{ForUi, ShellError, ShellResult};
use crate::state::AppState;
use serde::Serialize;
use tauri::State;
use uketsuke_core::desk::cache;
use uketsuke_core::{workflows::sync, workflows::worker};

// The types its commands take and answer, named by the command list.
pub use uketsuke_core::platform::model::{Area, Store};
pub use uketsuke_core::workflows::overview::StoreOverview;
pub use uketsuke_core::Lang;

#[derive(Serialize, ts_rs::TS)]
pub struct AppInfo {
    version: &'static str,
    language: Lang,
    operator: String,
    /// Why the app cannot work, if it cannot (bad config, unreadable database).
    not_ready: Option<String>,
    reservation_configured: bool,
}

#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    let ready = state.ready();
    AppInfo {
        version: env!("CARGO_PKG_VERSION"),
        language: state.lang(),
        operator: state.operator(),
        not_ready: ready.as_ref().err().map(|e| e.message.clone()),
        reservation_configured: ready.is_ok_and(|r| r.config().reservation.base_url.is_some()),
    }
}

#[tauri::command]
pub fn set_language(state: State<'_, AppState>, language: Lang) {
    state.set_lang(language);
}

/// Who is at the counter; trimmed, at most 40 characters (SESAME keeps 20 bytes of it).
#[tauri::command]
pub fn set_operator(state: State<'_, AppState>, name: String) -> ShellResult<String> {
    let name: String = name.trim().chars().take(40).collect();
    if name.is_empty() {
        let e = uketsuke_core::Error::invalid(
            uketsuke_core::platform::error::Code::NameMissing,
            "担当者名を入力してください",
            "enter the staff member's name",
        );
        return Err(state.err(e));
    }
    state.set_operator(&name);
    Ok(name)
}

#[tauri::command]
pub async fn list_stores(state: State<'_, AppState>) -> ShellResult<Vec<Store>> {
    state.ready()?.db.read(cache::list_stores).await.for_ui(&state)
}

#[tauri::command]
pub async fn list_areas(state: State<'_, AppState>, store_id: Option<String>) -> ShellResult<Vec<Area>> {
    state.ready()?.db.read(move |c| cache::list_areas(c, store_id.as_deref())).await.for_ui(&state)
}

/// Every store at a glance: guests by where they are, doors, alerts (the cache only).
#[tauri::command]
pub async fn store_overview(state: State<'_, AppState>) -> ShellResult<Vec<StoreOverview>> {
    let now = uketsuke_core::platform::clock::now_unix();
    let ready = state.ready()?;
    let limits = (&ready.config().doors).into();
    ready.db.read(move |c| uketsuke_core::workflows::overview::stores(c, &limits, now)).await.for_ui(&state)
}

/// One part of the sync as the window shows it, its error in the UI's language.
#[derive(Serialize, ts_rs::TS)]
pub struct SyncPart {
    enabled: bool,
    last_at: Option<i64>,
    last_ok: Option<bool>,
    next_at: Option<i64>,
    error: Option<ShellError>,
}

/// What the background sync is doing: per cloud, the last sync, the next one and any
/// error; the SPLATS changes still waiting; and whether another process runs it.
#[derive(Serialize, ts_rs::TS)]
pub struct SyncStatus {
    reservation: SyncPart,
    splats: SyncPart,
    access: SyncPart,
    waiting: i64,
    /// The worker runs in another process on this database (`uketsuke watch`).
    elsewhere: bool,
    /// Nothing has synced yet.
    never: bool,
    /// Facility mode (docs/facility.md): this PC's standing, when it is in one.
    facility: Option<FacilityView>,
}

/// This PC in a facility of several PCs sharing one PostgreSQL.
#[derive(Serialize, ts_rs::TS)]
pub struct FacilityView {
    pc_name: String,
    connected: bool,
    /// This PC runs the sync, the reconciliation and the status polls.
    leader: bool,
    head_office: bool,
    /// Changes made here not yet sent (while the database is away).
    queued: i64,
    error: Option<ShellError>,
}

/// A problem a report carries, in the UI's language.
fn shown(state: &AppState, p: &sync::Problem) -> ShellError {
    ShellError { code: p.code, message: p.message(state.lang()).to_string() }
}

fn part(state: &AppState, p: worker::Part) -> SyncPart {
    let error = p.error.map(|e| shown(state, &e));
    SyncPart { enabled: p.enabled, last_at: p.last_at, last_ok: p.last_ok, next_at: p.next_at, error }
}

#[tauri::command]
pub async fn sync_status(state: State<'_, AppState>) -> ShellResult<SyncStatus> {
    let saved = state.ready()?.db.read(worker::status).await.for_ui(&state)?;
    Ok(view(&state, saved))
}

fn view(state: &AppState, saved: Option<worker::Status>) -> SyncStatus {
    let never = saved.is_none();
    let s = saved.unwrap_or_default();
    let facility = state.ready().ok().and_then(|r| r.facility.get()).map(|f| {
        let f = f.status();
        FacilityView {
            pc_name: f.pc_name,
            connected: f.connected,
            leader: f.leader,
            head_office: f.head_office,
            queued: f.queued,
            error: f.error.map(|p| shown(state, &p)),
        }
    });
    SyncStatus {
        facility,
        elsewhere: !never && s.pid != std::process::id(),
        waiting: s.waiting,
        reservation: part(state, s.reservation),
        splats: part(state, s.splats),
        access: part(state, s.access),
        never,
    }
}

/// Syncs everything now (the 同期 button): bookings, SPLATS, door access. Waits for a
/// sync already running; the door buttons never wait for it. Each cloud's outcome is
/// in the status that comes back.
#[tauri::command]
pub async fn sync_now(state: State<'_, AppState>) -> ShellResult<SyncStatus> {
    let ready = state.ready()?;
    let actor = state.writer()?;
    match ready.worker.get() {
        Some(w) => {
            w.sync_now(&actor).await;
            sync_status(state).await
        }
        None => {
            let config = ready.config();
            let report =
                sync::run(&ready.db, &config, ready.secrets.as_ref(), sync::Scope::ALL, &actor).await;
            let mut status = worker::Status::after(&report, &config);
            status.waiting =
                ready.db.read(|c| Ok(uketsuke_core::desk::outbox::summary(c)?.0)).await.for_ui(&state)?;
            Ok(view(&state, Some(status)))
        }
    }
}

/// Starts the background worker for this app, unless `sync.background` is off or
/// another process (`uketsuke watch`) already runs one on this database. Windows hear
/// `sync-status` after every sync.
pub fn start_worker<R: tauri::Runtime>(app: &tauri::AppHandle<R>) {
    use tauri::{Emitter, Manager};
    let state = app.state::<AppState>();
    let Ok(ready) = state.ready() else { return };
    let config = ready.config();
    let worker = if config.sync.background {
        match worker::Worker::new(ready.db.clone(), ready.secrets.clone(), ready.config_source()) {
            Ok(w) => Some(std::sync::Arc::new(w)),
            Err(e) => {
                tracing::info!(code = e.code().as_str(), "background sync not started here");
                None
            }
        }
    } else {
        None
    };
    if let Some(w) = &worker {
        let handle = app.clone();
        w.on_change(move |_| {
            let _ = handle.emit("sync-status", ());
        });
        let _ = ready.worker.set(w.clone());
    }
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        // Facility mode first, so that the worker's first round already waits for
        // leadership (docs/facility.md).
        crate::commands::facility::start(&handle, worker.as_deref());
        if let Some(w) = worker {
            w.run().await;
        }
    });
}

/// The page says it has painted what it shows first (the guest list): for the cold-start
/// measurement in docs/PERFORMANCE.md, which reads this line from stderr.
#[tauri::command]
pub fn ui_painted(what: String) {
    tracing::info!(what, "painted");
    eprintln!("UKETSUKE_PAINTED {what}");
}
