//! SPLATS KEY for the staff window: the key boxes on the board, a key given now or
//! with the booking, and the QR a guest shows at the box.

use crate::error::ShellResult;
use crate::state::AppState;
use tauri::State;
use uketsuke_core::desk::keys::{self, KeyBox, KeyChoice};
use uketsuke_core::platform::clock;
use uketsuke_core::platform::secrets::ExposeSecret;

/// The key boxes as last read (no call): the board.
#[tauri::command]
pub async fn key_board(state: State<'_, AppState>) -> ShellResult<Vec<KeyBox>> {
    let ready = state.ready()?;
    ready.db.read(|c| keys::board(c, clock::now_unix())).await.map_err(|e| state.err(e))
}

/// The key boxes and their units, read now (one SPLATS status call per box).
#[tauri::command]
pub async fn list_key_boxes(state: State<'_, AppState>) -> ShellResult<Vec<KeyBox>> {
    let ready = state.ready()?;
    let client = ready.splats(&ready.config()).map_err(|e| state.err(e))?;
    keys::boxes(&ready.db, &client, clock::now_unix()).await.map_err(|e| state.err(e))
}

/// Gives the guest a key: the box opens now and the unit is theirs (sent once, audited).
#[tauri::command]
pub async fn give_key(state: State<'_, AppState>, choice: KeyChoice) -> ShellResult<Vec<KeyBox>> {
    let ready = state.ready()?;
    let config = ready.config();
    let client = ready.splats(&config).map_err(|e| state.err(e))?;
    let secrets = ready.secrets.as_ref();
    keys::give(&ready.db, &client, secrets, &config, &choice, &state.writer()?)
        .await
        .map_err(|e| state.err(e))?;
    keys::boxes(&ready.db, &client, clock::now_unix()).await.map_err(|e| state.err(e))
}

/// Lets the guest take the key at the box with their own QR during the booking (sent
/// once, audited); answers the QR to hand them as a `data:` URL.
#[tauri::command]
pub async fn give_key_with_booking(state: State<'_, AppState>, choice: KeyChoice) -> ShellResult<String> {
    let ready = state.ready()?;
    let config = ready.config();
    let client = ready.splats(&config).map_err(|e| state.err(e))?;
    let secrets = ready.secrets.as_ref();
    let qr = keys::with_booking(&ready.db, &client, secrets, &config, &choice, &state.writer()?)
        .await
        .map_err(|e| state.err(e))?;
    uketsuke_core::platform::images::qr::png_data_url(&qr, 8).map_err(|e| state.err(e))
}

/// The key-box QR of a guest given a key with their booking, if any.
#[tauri::command]
pub async fn guest_key_qr(state: State<'_, AppState>, guest_id: String) -> ShellResult<Option<String>> {
    let ready = state.ready()?;
    match keys::booking_qr(ready.secrets.as_ref(), &guest_id).map_err(|e| state.err(e))? {
        Some(qr) => uketsuke_core::platform::images::qr::png_data_url(qr.expose_secret(), 8)
            .map(Some)
            .map_err(|e| state.err(e)),
        None => Ok(None),
    }
}
