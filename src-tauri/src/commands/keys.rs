//! SPLATS KEY for the staff window: the key boxes on the board, a key given now or
//! with the booking, and the QR a guest shows at the box.

use crate::error::{ForUi, ShellResult};
use crate::state::AppState;
use tauri::State;
use uketsuke_core::desk::keys;
use uketsuke_core::platform::clock;
use uketsuke_core::platform::secrets::ExposeSecret;

// The types its commands take and answer, named by the command list.
pub use uketsuke_core::desk::keys::{KeyBox, KeyChoice};

/// The key boxes as last read (no call): the board.
#[tauri::command]
pub async fn key_board(state: State<'_, AppState>) -> ShellResult<Vec<KeyBox>> {
    let ready = state.ready()?;
    ready.db.read(|c| keys::board(c, clock::now_unix())).await.for_ui(&state)
}

/// The key boxes and their units, read now (one SPLATS status call per box).
#[tauri::command]
pub async fn list_key_boxes(state: State<'_, AppState>) -> ShellResult<Vec<KeyBox>> {
    let ready = state.ready()?;
    let client = ready.splats(&ready.config()).for_ui(&state)?;
    keys::boxes(&ready.db, &client, clock::now_unix()).await.for_ui(&state)
}

/// Gives the guest a key: the box opens now and the unit is theirs (sent once, audited).
#[tauri::command]
pub async fn give_key(state: State<'_, AppState>, choice: KeyChoice) -> ShellResult<Vec<KeyBox>> {
    let ready = state.ready()?;
    let config = ready.config();
    let client = ready.splats(&config).for_ui(&state)?;
    let secrets = ready.secrets.as_ref();
    keys::give(&ready.db, &client, secrets, &config, &choice, &state.writer()?).await.for_ui(&state)?;
    keys::boxes(&ready.db, &client, clock::now_unix()).await.for_ui(&state)
}

/// Lets the guest take the key at the box with their own QR during the booking (sent
/// once, audited); answers the QR to hand them as a `data:` URL.
#[tauri::command]
pub async fn give_key_with_booking(state: State<'_, AppState>, choice: KeyChoice) -> ShellResult<String> {
    let ready = state.ready()?;
    let config = ready.config();
    let client = ready.splats(&config).for_ui(&state)?;
    let secrets = ready.secrets.as_ref();
    let qr = keys::with_booking(&ready.db, &client, secrets, &config, &choice, &state.writer()?)
        .await
        .for_ui(&state)?;
    uketsuke_core::platform::images::qr::png_data_url(&qr, 8).for_ui(&state)
}

/// The key-box QR of a guest given a key with their booking, if any.
#[tauri::command]
pub async fn guest_key_qr(state: State<'_, AppState>, guest_id: String) -> ShellResult<Option<String>> {
    let ready = state.ready()?;
    match keys::booking_qr(&ready.config(), ready.secrets.as_ref(), &guest_id).for_ui(&state)? {
        Some(qr) => {
            uketsuke_core::platform::images::qr::png_data_url(qr.expose_secret(), 8).map(Some).for_ui(&state)
        }
        None => Ok(None),
    }
}
