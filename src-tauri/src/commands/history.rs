//! The history screen: the merged time line, its export (a save dialog, then core writes
//! the file), the daily reports, a lock's SESAME history read into it, and the audit
//! chain's state.

use crate::error::{ForUi, ShellResult};
use crate::state::AppState;
use std::path::PathBuf;
use tauri::{AppHandle, State};
use tauri_plugin_dialog::DialogExt;
use uketsuke_core::desk::audit;
use uketsuke_core::desk::history::{self, export, reports};
use uketsuke_core::platform::clock;

// The types its commands take and answer, named by the command list.
pub use uketsuke_core::desk::audit::chain::Verification;
pub use uketsuke_core::desk::doors::lock::Target;
pub use uketsuke_core::desk::history::{DayReport, Exported, Format, HistoryFilter, HistoryPage};

#[tauri::command]
pub async fn history_page(state: State<'_, AppState>, filter: HistoryFilter) -> ShellResult<HistoryPage> {
    let ready = state.ready()?;
    let lang = state.lang();
    ready.db.read(move |c| history::page(c, &filter, lang)).await.for_ui(&state)
}

/// Asks where to save (unless a path is given); `None` when the person cancels.
async fn save_path(app: &AppHandle, path: Option<String>, name: &str, ext: &str) -> Option<PathBuf> {
    if let Some(p) = path {
        return Some(PathBuf::from(p));
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog().file().set_file_name(name).add_filter(ext.to_uppercase(), &[ext]).save_file(move |p| {
        let _ = tx.send(p.and_then(|p| p.into_path().ok()));
    });
    rx.await.ok().flatten()
}

/// Writes every entry the filter selects as CSV (for Excel) or JSON.
#[tauri::command]
pub async fn export_history(
    app: AppHandle,
    state: State<'_, AppState>,
    filter: HistoryFilter,
    format: Format,
    path: Option<String>,
) -> ShellResult<Option<Exported>> {
    let ready = state.ready()?;
    let ext = if format == Format::Csv { "csv" } else { "json" };
    let name =
        format!("uketsuke-history-{}.{ext}", uketsuke_core::desk::calls::meter::day_of(clock::now_unix()));
    let Some(path) = save_path(&app, path, &name, ext).await else { return Ok(None) };
    let (db, lang, actor) = (ready.db.clone(), state.lang(), state.operator());
    off_the_ui(&state, move || export::to_file(&db, &filter, format, &path, lang, &actor)).await
}

/// Runs a file-writing use case on a blocking thread (an export may be large).
async fn off_the_ui(
    state: &AppState,
    write: impl FnOnce() -> uketsuke_core::Result<Exported> + Send + 'static,
) -> ShellResult<Option<Exported>> {
    let done = tauri::async_runtime::spawn_blocking(write)
        .await
        .map_err(|e| state.err(uketsuke_core::Error::Io(std::io::Error::other(e))))?;
    done.map(Some).for_ui(state)
}

#[tauri::command]
pub async fn history_report(
    state: State<'_, AppState>,
    since: String,
    until: String,
) -> ShellResult<Vec<DayReport>> {
    let ready = state.ready()?;
    let lang = state.lang();
    ready.db.read(move |c| reports::daily(c, &since, &until, clock::now_unix(), lang)).await.for_ui(&state)
}

#[tauri::command]
pub async fn export_report(
    app: AppHandle,
    state: State<'_, AppState>,
    since: String,
    until: String,
    path: Option<String>,
) -> ShellResult<Option<Exported>> {
    let ready = state.ready()?;
    let name = format!("uketsuke-report-{since}-{until}.csv");
    let Some(path) = save_path(&app, path, &name, "csv").await else { return Ok(None) };
    let (db, lang, actor) = (ready.db.clone(), state.lang(), state.operator());
    off_the_ui(&state, move || reports::to_file(&db, &since, &until, clock::now_unix(), &path, lang, &actor))
        .await
}

/// Reads a page of a door's SESAME history into the time line (one paid call).
#[tauri::command]
pub async fn read_lock_history(state: State<'_, AppState>, target: Target, page: u32) -> ShellResult<u32> {
    let ready = state.ready()?;
    let config = ready.config();
    let entries = ready.locks(&config).history(&target, page, 50).await.for_ui(&state)?;
    Ok(entries.len() as u32)
}

/// The audit chain, verified now (archives included).
#[tauri::command]
pub async fn audit_status(state: State<'_, AppState>) -> ShellResult<Verification> {
    let ready = state.ready()?;
    let dir = ready.config().audit_archive_dir().for_ui(&state)?;
    ready.db.read(move |c| audit::verify_all(c, &dir)).await.for_ui(&state)
}
