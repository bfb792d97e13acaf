//! The manager's members screen: SPLATS members with a card or QR, their areas and
//! schedules, and face images. Manager only, like every settings command.

use crate::error::{ForUi, ShellResult};
use crate::state::AppState;
use tauri::State;
use uketsuke_core::desk::members::{self, face};

// The types its commands take and answer, named by the command list.
pub use uketsuke_core::desk::members::{FaceState, MemberForm, MemberRow, MembersView};

#[tauri::command]
pub async fn members_view(state: State<'_, AppState>) -> ShellResult<MembersView> {
    state.require_manager()?;
    let ready = state.ready()?;
    let client = ready.splats(&ready.config()).for_ui(&state)?;
    members::view(&client).await.for_ui(&state)
}

/// Creates or updates a member (sent once, audited).
#[tauri::command]
pub async fn member_save(state: State<'_, AppState>, form: MemberForm) -> ShellResult<MemberRow> {
    state.require_manager()?;
    let ready = state.ready()?;
    let client = ready.splats(&ready.config()).for_ui(&state)?;
    members::save(&ready.db, &client, &form, &state.writer()?).await.for_ui(&state)
}

#[tauri::command]
pub async fn member_delete(state: State<'_, AppState>, member_id: String) -> ShellResult<()> {
    state.require_manager()?;
    let ready = state.ready()?;
    let client = ready.splats(&ready.config()).for_ui(&state)?;
    members::delete(&ready.db, &client, &member_id, &state.writer()?).await.for_ui(&state)
}

/// A photo's bytes as picked: resized here, sent, and answered with the request to
/// follow with [`member_face_progress`].
#[tauri::command]
pub async fn member_face(
    state: State<'_, AppState>,
    member_id: String,
    photo: Vec<u8>,
) -> ShellResult<String> {
    state.require_manager()?;
    let ready = state.ready()?;
    let client = ready.splats(&ready.config()).for_ui(&state)?;
    face::register(&ready.db, &client, &member_id, &photo, &state.writer()?).await.for_ui(&state)
}

#[tauri::command]
pub async fn member_face_progress(state: State<'_, AppState>, request_id: String) -> ShellResult<FaceState> {
    state.require_manager()?;
    let ready = state.ready()?;
    let client = ready.splats(&ready.config()).for_ui(&state)?;
    face::progress(&client, &request_id).await.for_ui(&state)
}

#[tauri::command]
pub async fn member_face_remove(state: State<'_, AppState>, member_id: String) -> ShellResult<()> {
    state.require_manager()?;
    let ready = state.ready()?;
    let client = ready.splats(&ready.config()).for_ui(&state)?;
    face::remove(&ready.db, &client, &member_id, &state.writer()?).await.for_ui(&state)
}
