//! Notes for the next shift: the store's open notes, writing one, and acknowledging
//! one by name (core's `desk::handover`).

use crate::error::{ForUi, ShellResult};
use crate::state::AppState;
use tauri::State;
use uketsuke_core::desk::handover;
use uketsuke_core::platform::clock;

// The type its commands answer, named by the command list.
pub use uketsuke_core::desk::handover::Note;

/// The store's notes nobody of the next shift has acknowledged yet.
#[tauri::command]
pub async fn handover_notes(state: State<'_, AppState>, store_id: String) -> ShellResult<Vec<Note>> {
    state.ready()?.db.read(move |c| handover::open(c, &store_id)).await.for_ui(&state)
}

/// Leaves a note for the next shift, written by the operator of this window.
#[tauri::command]
pub async fn write_handover(state: State<'_, AppState>, store_id: String, body: String) -> ShellResult<Note> {
    let (ready, author) = (state.ready()?, state.writer()?);
    ready
        .db
        .write(move |c| handover::write(c, &store_id, &body, &author, clock::now_unix()))
        .await
        .for_ui(&state)
}

/// Someone of the next shift has read the note, by the name they type.
#[tauri::command]
pub async fn ack_handover(state: State<'_, AppState>, id: String, name: String) -> ShellResult<Note> {
    let ready = state.ready()?;
    state.writer()?; // a head office reads the notes, never acknowledges them
    ready.db.write(move |c| handover::acknowledge(c, &id, &name, clock::now_unix())).await.for_ui(&state)
}
