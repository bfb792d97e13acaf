//! The manager's side: the role (PIN, idle session) and the settings screens.
//!
//! Every settings command first checks the manager session (`require_manager`), so
//! staff get `manager_required` whatever window or script calls it. No command here
//! returns a secret: the view carries "set" and a mask only.

use crate::error::{ForUi, ShellResult};
use crate::state::{AppState, Ready};
use tauri::State;
use uketsuke_core::desk::staff::manager;
use uketsuke_core::workflows::settings;
use uketsuke_core::{platform::clock, workflows::sync};

// The types its commands take and answer, named by the command list.
pub use uketsuke_core::clouds::reservation::oauth::SignedIn;
pub use uketsuke_core::desk::doors::lock::Target;
pub use uketsuke_core::desk::staff::manager::RoleStatus;
pub use uketsuke_core::workflows::settings::{
    AreaInput, CloudInput, ExportedFile, ImportPreview, ImportReport, SettingsView, StoreInput,
};

fn now() -> i64 {
    clock::now_unix()
}

#[tauri::command]
pub async fn role_status(state: State<'_, AppState>) -> ShellResult<RoleStatus> {
    let ready = state.ready()?;
    role(&state, ready).await
}

async fn role(state: &AppState, ready: &Ready) -> ShellResult<RoleStatus> {
    let gate = state.manager.clone();
    ready.db.read(move |c| gate.status(c, clock::monotonic_secs())).await.for_ui(state)
}

/// Checks the PIN (wrong tries are counted and spaced out) and opens a manager session.
#[tauri::command]
pub async fn manager_unlock(state: State<'_, AppState>, pin: String) -> ShellResult<RoleStatus> {
    let ready = state.ready()?;
    let actor = state.operator();
    let (gate, idle) = (state.manager.clone(), ready.config().manager_idle_secs());
    ready
        .db
        .write(move |c| gate.unlock(c, &pin, clock::monotonic_secs(), idle, &actor))
        .await
        .for_ui(&state)?;
    role(&state, ready).await
}

#[tauri::command]
pub async fn manager_lock(state: State<'_, AppState>) -> ShellResult<RoleStatus> {
    state.manager.close();
    role(&state, state.ready()?).await
}

/// The first PIN may be set by whoever installs the app; changing it needs the manager.
#[tauri::command]
pub async fn set_manager_pin(state: State<'_, AppState>, pin: String) -> ShellResult<RoleStatus> {
    let ready = state.ready()?;
    if ready.db.read(manager::pin_is_set).await.for_ui(&state)? {
        state.require_manager()?;
    }
    let actor = state.operator();
    ready.db.write(move |c| manager::set_pin(c, &pin, &actor)).await.for_ui(&state)?;
    state.manager.open(clock::monotonic_secs(), ready.config().manager_idle_secs());
    role(&state, ready).await
}

async fn view(state: &AppState, ready: &Ready) -> ShellResult<SettingsView> {
    let (config, secrets) = (ready.config(), ready.secrets.clone());
    ready.db.read(move |c| settings::view(c, &config, secrets.as_ref())).await.for_ui(state)
}

#[tauri::command]
pub async fn get_settings(state: State<'_, AppState>) -> ShellResult<SettingsView> {
    state.require_manager()?;
    view(&state, state.ready()?).await
}

#[tauri::command]
pub async fn save_cloud_settings(state: State<'_, AppState>, input: CloudInput) -> ShellResult<SettingsView> {
    state.require_manager()?;
    let ready = state.ready()?;
    let (config, secrets, actor) = (ready.config(), ready.secrets.clone(), state.writer()?);
    let next = ready
        .db
        .write(move |c| settings::save_clouds(c, &config, secrets.as_ref(), &input, &actor))
        .await
        .for_ui(&state)?;
    ready.set_config(next);
    view(&state, ready).await
}

#[tauri::command]
pub async fn save_store(state: State<'_, AppState>, input: StoreInput) -> ShellResult<SettingsView> {
    state.require_manager()?;
    let ready = state.ready()?;
    let (secrets, actor) = (ready.secrets.clone(), state.writer()?);
    ready
        .db
        .write(move |c| settings::save_store(c, secrets.as_ref(), &input, now(), &actor))
        .await
        .for_ui(&state)?;
    view(&state, ready).await
}

#[tauri::command]
pub async fn save_area(state: State<'_, AppState>, input: AreaInput) -> ShellResult<SettingsView> {
    state.require_manager()?;
    let ready = state.ready()?;
    let (secrets, actor) = (ready.secrets.clone(), state.writer()?);
    ready
        .db
        .write(move |c| settings::save_area(c, secrets.as_ref(), &input, now(), &actor))
        .await
        .for_ui(&state)?;
    view(&state, ready).await
}

/// Removes a store or an area created by hand.
#[tauri::command]
pub async fn remove_door(state: State<'_, AppState>, target: Target) -> ShellResult<SettingsView> {
    state.require_manager()?;
    let ready = state.ready()?;
    let actor = state.writer()?;
    let splats = ready.splats(&ready.config()).ok();
    settings::remove_door(&ready.db, splats.as_ref(), &ready.secrets, &target, &actor)
        .await
        .for_ui(&state)?;
    view(&state, ready).await
}

/// Registers a door's lock from the manager-key QR image picked in the window: decoded
/// here, the secret key to the keyring; the window gets the view back (key masked).
#[tauri::command]
pub async fn import_lock_qr(
    state: State<'_, AppState>,
    target: Target,
    image: Vec<u8>,
) -> ShellResult<SettingsView> {
    state.require_manager()?;
    let ready = state.ready()?;
    let (secrets, actor) = (ready.secrets.clone(), state.writer()?);
    ready
        .db
        .write(move |c| settings::import_lock_qr(c, secrets.as_ref(), &target, &image, &actor))
        .await
        .for_ui(&state)?;
    view(&state, ready).await
}

/// Opens the system browser on the reservation system's login page and waits (up to
/// five minutes) for it to come back to the loopback redirect.
#[tauri::command]
pub async fn reservation_sign_in(state: State<'_, AppState>) -> ShellResult<SignedIn> {
    state.require_manager()?;
    let ready = state.ready()?;
    let config = ready.config();
    let open = |url: &str| {
        open::that_detached(url).map_err(|e| {
            uketsuke_core::Error::invalid(
                uketsuke_core::platform::error::Code::BrowserFailed,
                format!("ブラウザを開けません: {e}"),
                format!("cannot open the browser: {e}"),
            )
        })
    };
    sync::sign_in(&ready.db, &config, ready.secrets.as_ref(), open, &state.writer()?).await.for_ui(&state)
}

/// Writes the settings (no secrets) to `uketsuke-settings-YYYYMMDD-HHMM.json` in the
/// Downloads folder, for the second counter PC.
#[tauri::command]
pub async fn export_settings(state: State<'_, AppState>) -> ShellResult<ExportedFile> {
    state.require_manager()?;
    let ready = state.ready()?;
    let (config, actor) = (ready.config(), state.operator());
    ready
        .db
        .write(move |c| settings::export_file(c, &config, &settings::downloads(), now(), &actor))
        .await
        .for_ui(&state)
}

/// What importing this file would do, for the manager to confirm: stores, areas and
/// every cloud address it would change (and whose credentials it would remove).
#[tauri::command]
pub async fn preview_import(state: State<'_, AppState>, text: String) -> ShellResult<ImportPreview> {
    state.require_manager()?;
    settings::preview_import(&state.ready()?.config(), &text).for_ui(&state)
}

/// Reads a settings file picked in the window and applies it in one transaction.
#[tauri::command]
pub async fn import_settings(state: State<'_, AppState>, text: String) -> ShellResult<ImportReport> {
    state.require_manager()?;
    let ready = state.ready()?;
    let (config, secrets, actor) = (ready.config(), ready.secrets.clone(), state.writer()?);
    let (next, report) = ready
        .db
        .write(move |c| settings::import(c, &config, secrets.as_ref(), &text, now(), &actor))
        .await
        .for_ui(&state)?;
    ready.set_config(next);
    Ok(report)
}

/// Whether this PC opens the kiosk when someone logs in (an autostart entry with
/// `--kiosk`, `tauri-plugin-autostart`); `enabled` changes it. Audited.
#[tauri::command]
pub async fn kiosk_at_login(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    enabled: Option<bool>,
) -> ShellResult<bool> {
    use tauri_plugin_autostart::ManagerExt;
    state.require_manager()?;
    let ready = state.ready()?;
    let auto = app.autolaunch();
    let fail = |e: tauri_plugin_autostart::Error| {
        state.err(uketsuke_core::Error::Io(std::io::Error::other(e.to_string())))
    };
    if let Some(on) = enabled {
        if on { auto.enable() } else { auto.disable() }.map_err(fail)?;
        let event = uketsuke_core::desk::audit::AuditEvent::new(
            &state.writer()?,
            "settings.kiosk_at_login",
            None,
            true,
        )
        .with_detail(serde_json::json!({ "enabled": on }));
        ready.db.write(move |c| uketsuke_core::desk::audit::record(c, &event)).await.for_ui(&state)?;
    }
    auto.is_enabled().map_err(fail)
}
