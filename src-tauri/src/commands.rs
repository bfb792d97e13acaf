//! The commands the UI may call. Each is a few lines: check state, call core, map the error.
//! Which window may call which is decided by `capabilities/*.json`.

use crate::error::ShellResult;
use crate::state::AppState;
use serde::Serialize;
use tauri::State;
use uketsuke_core::model::{Area, Store};
use uketsuke_core::store::{self, Changes};
use uketsuke_core::{sync, Lang};

#[derive(Serialize)]
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
        let e = uketsuke_core::Error::invalid("担当者名を入力してください", "enter the staff member's name");
        return Err(state.err(e));
    }
    state.set_operator(&name);
    Ok(name)
}

#[tauri::command]
pub async fn list_stores(state: State<'_, AppState>) -> ShellResult<Vec<Store>> {
    let ready = state.ready()?;
    let conn = ready.db.lock().await;
    store::list_stores(&conn).map_err(|e| state.err(e))
}

#[tauri::command]
pub async fn list_areas(state: State<'_, AppState>, store_id: Option<String>) -> ShellResult<Vec<Area>> {
    let ready = state.ready()?;
    let conn = ready.db.lock().await;
    store::list_areas(&conn, store_id.as_deref()).map_err(|e| state.err(e))
}

/// Stores, areas and today's guests from the reservation system, then SPLATS (areas,
/// pass controllers, histories: who came in) when its token is set.
#[tauri::command]
pub async fn sync_now(state: State<'_, AppState>) -> ShellResult<Changes> {
    let ready = state.ready()?;
    let config = ready.config();
    let actor = state.operator();
    let client = sync::reservation_client(&config, ready.secrets.as_ref()).map_err(|e| state.err(e))?;
    let changes = {
        let mut conn = ready.db.lock().await;
        let changes = sync::stores_and_areas(&mut conn, &client, &actor).await.map_err(|e| state.err(e))?;
        sync::guests_today(&mut conn, &client, &actor, uketsuke_core::clock::now_unix()).await.map_err(|e| state.err(e))?;
        changes
    };
    if let Ok(splats) = sync::splats_client(&config, ready.secrets.as_ref()) {
        let mut conn = ready.db.lock().await;
        sync::splats(&mut conn, &splats, &config, &actor).await.map_err(|e| state.err(e))?;
    }
    Ok(changes)
}
