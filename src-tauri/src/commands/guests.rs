//! Today's guests for the staff window: the list, check-in/out, walk-ins, CSV import,
//! and each guest's rotating QR.

use crate::error::{ForUi, ShellResult};
use crate::state::AppState;
use tauri::State;
use uketsuke_core::desk::guests::{self, access};
use uketsuke_core::platform::clock;
use uketsuke_core::workflows::reconcile;

// The types its commands take and answer, named by the command list.
pub use uketsuke_core::desk::guests::access::{AccessSummary, QrView};
pub use uketsuke_core::desk::guests::stay::StayChange;
pub use uketsuke_core::desk::guests::{GuestView, WalkIn};
pub use uketsuke_core::platform::model::Guest;
pub use uketsuke_core::workflows::reconcile::CheckedOut;
pub use uketsuke_core::workflows::stay::StayChanged;

#[tauri::command]
pub async fn list_guests(
    state: State<'_, AppState>,
    store_id: String,
    query: Option<String>,
) -> ShellResult<Vec<GuestView>> {
    let ready = state.ready()?;
    ready
        .db
        .read(move |c| guests::today(c, &store_id, clock::now_unix(), query.as_deref()))
        .await
        .for_ui(&state)
}

/// Registers the guest's SPLATS member if needed (safe to repeat).
#[tauri::command]
pub async fn issue_access(state: State<'_, AppState>, guest_id: String) -> ShellResult<AccessSummary> {
    let ready = state.ready()?;
    let config = ready.config();
    let client = ready.splats(&config).for_ui(&state)?;
    access::issue(&ready.db, &client, ready.secrets.as_ref(), &config, &guest_id, &state.writer()?)
        .await
        .for_ui(&state)
}

/// The QR to show now. Made on this PC from the kept seed, so it works offline.
#[tauri::command]
pub async fn guest_qr(state: State<'_, AppState>, guest_id: String) -> ShellResult<QrView> {
    let ready = state.ready()?;
    let config = ready.config();
    let client = access::qr_client(&config, ready.secrets.as_ref());
    access::qr(&ready.db, client.as_ref(), ready.secrets.as_ref(), &config, &guest_id, None)
        .await
        .for_ui(&state)
}

/// Records the arrival and reports it to the reservation system.
#[tauri::command]
pub async fn check_in(state: State<'_, AppState>, guest_id: String) -> ShellResult<()> {
    let ready = state.ready()?;
    guests::check_in_now(&ready.db, &ready.config(), ready.secrets.as_ref(), &guest_id, &state.writer()?)
        .await
        .for_ui(&state)
}

/// Makes a stay longer or shorter, or moves it to another room: written to the
/// reservation system, then here, the door rights following at once.
#[tauri::command]
pub async fn change_stay(
    state: State<'_, AppState>,
    guest_id: String,
    change: StayChange,
) -> ShellResult<StayChanged> {
    let ready = state.ready()?;
    let config = ready.config();
    let client = ready.splats(&config).ok();
    let out = uketsuke_core::workflows::stay::change(
        &ready.db,
        &config,
        ready.secrets.as_ref(),
        client.as_ref(),
        &guest_id,
        &change,
        &state.writer()?,
    )
    .await
    .for_ui(&state)?;
    if out.doors_pending {
        ready.nudge_worker();
    }
    Ok(out)
}

/// Checks out and revokes the door access at once, even before the booking ends; with
/// SPLATS down the revoke waits in the outbox and the guest shows as pending.
#[tauri::command]
pub async fn check_out(state: State<'_, AppState>, guest_id: String) -> ShellResult<CheckedOut> {
    let ready = state.ready()?;
    let config = ready.config();
    let client = ready.splats(&config).ok();
    let out = reconcile::check_out_now(
        &ready.db,
        client.as_ref(),
        ready.secrets.as_ref(),
        &config,
        &guest_id,
        &state.writer()?,
    )
    .await
    .for_ui(&state)?;
    if out.pending {
        ready.nudge_worker();
    }
    Ok(out)
}

#[tauri::command]
pub async fn add_walk_in(state: State<'_, AppState>, walk_in: WalkIn) -> ShellResult<Guest> {
    let ready = state.ready()?;
    let actor = state.writer()?;
    let guest = ready
        .db
        .write(move |c| guests::add_walk_in(c, &walk_in, clock::now_unix(), &actor))
        .await
        .for_ui(&state)?;
    ready.nudge_worker();
    Ok(guest)
}

/// A CSV file's bytes as the file picker read them (Shift_JIS or UTF-8).
#[tauri::command]
pub async fn import_csv(state: State<'_, AppState>, bytes: Vec<u8>) -> ShellResult<usize> {
    let ready = state.ready()?;
    let actor = state.writer()?;
    let n = ready
        .db
        .write(move |c| guests::csv::import(c, &bytes, clock::now_unix(), &actor))
        .await
        .for_ui(&state)?;
    ready.nudge_worker();
    Ok(n)
}
