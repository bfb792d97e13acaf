//! The guest-facing kiosk window, and the staff commands that drive it.
//!
//! The kiosk window's capability (`capabilities/kiosk.json`) allows only the `kiosk_*`
//! commands. The kiosk shows one guest at a time: the one a guest looked up on its
//! keypad, or the one staff pushed to it. `kiosk_qr` takes no guest id, so a script
//! in the kiosk cannot ask for anybody else's QR.
//!
//! Lock-down: full-screen and kept so, always on top, no decorations or taskbar entry,
//! no dev tools, no navigation away from the app; closing refused until the manager
//! PIN is entered (`kiosk_exit`, counted on the kiosk's own keypad, never against the
//! manager's tries), the guard re-armed every time the kiosk opens. On a single
//! monitor the staff window is hidden while the kiosk is open and the kiosk takes the
//! focus back whenever it loses it, so Alt+Tab does not reach the Unlock buttons. The
//! page itself blocks the context menu and browser keys, hides its exit behind a
//! gesture, and resets after `kiosk.idle_reset_secs`. Repeated wrong lookups raise a
//! `kiosk-alert` event for the staff window.

use crate::error::{ForUi, ShellResult};
use crate::state::AppState;
use serde::Serialize;
use std::sync::atomic::{AtomicBool, Ordering};
use tauri::{AppHandle, Emitter, Manager, Runtime, State, WebviewUrl, WebviewWindowBuilder, WindowEvent};
use uketsuke_core::desk::guests::{self, kiosk, GuestView};
use uketsuke_core::{platform::clock, Error};

// The types its commands take and answer, named by the command list.
pub use uketsuke_core::desk::guests::access::QrView;
pub use uketsuke_core::desk::guests::kiosk::KioskLookup;

pub const LABEL: &str = "kiosk";

/// What the kiosk remembers: the guest on screen, and its keypad's wrong lookups.
#[derive(Default)]
pub struct KioskState {
    current: std::sync::Mutex<Option<String>>,
    keypad: kiosk::Keypad,
    /// Set by `kiosk_exit` so that the close request goes through; cleared on every open.
    exit_allowed: AtomicBool,
    /// The staff window is hidden while the kiosk is open (one monitor).
    staff_hidden: AtomicBool,
}

/// A guest as the kiosk may show them: no phone, no booking code.
#[derive(Serialize, ts_rs::TS)]
pub struct KioskGuest {
    name: String,
    area_names: Vec<String>,
    starts_at: i64,
    ends_at: i64,
}

impl From<&GuestView> for KioskGuest {
    fn from(v: &GuestView) -> Self {
        let mut area_names = v.area_names.clone();
        area_names.insert(0, "エントランス / Entrance".into());
        KioskGuest {
            name: v.guest.name.clone(),
            area_names,
            starts_at: v.guest.starts_at,
            ends_at: v.guest.ends_at,
        }
    }
}

#[derive(Serialize, ts_rs::TS)]
pub struct KioskInfo {
    store_name: String,
    idle_reset_secs: u64,
    /// No manager PIN yet: the kiosk asks for one before it shows itself to guests
    /// (without it, nobody could leave the kiosk).
    pin_set: bool,
}

/// The kiosk's store: the configured one, else the first.
async fn kiosk_store(state: &AppState) -> ShellResult<uketsuke_core::platform::model::Store> {
    let ready = state.ready()?;
    let config = ready.config();
    ready.db.read(move |c| kiosk::kiosk_store(c, &config)).await.for_ui(state)
}

#[tauri::command]
pub async fn kiosk_info(state: State<'_, AppState>) -> ShellResult<KioskInfo> {
    let store = kiosk_store(&state).await?;
    let ready = state.ready()?;
    let idle_reset_secs = ready.config().kiosk.idle_reset_secs();
    let pin_set = ready.db.read(uketsuke_core::desk::staff::manager::pin_is_set).await.for_ui(&state)?;
    Ok(KioskInfo { store_name: store.name, idle_reset_secs, pin_set })
}

/// The first manager PIN, chosen at the kiosk's first start (refused once one is set).
#[tauri::command]
pub async fn kiosk_first_pin(state: State<'_, AppState>, pin: String) -> ShellResult<()> {
    let db = state.ready()?.db.clone();
    db.write(move |c| uketsuke_core::desk::staff::manager::set_first_pin(c, &pin, "kiosk"))
        .await
        .for_ui(&state)
}

/// Finds the guest's booking from what they typed, and puts it on screen.
#[tauri::command]
pub async fn kiosk_lookup(
    app: AppHandle,
    state: State<'_, AppState>,
    kiosk: State<'_, KioskState>,
    lookup: KioskLookup,
) -> ShellResult<KioskGuest> {
    let store = kiosk_store(&state).await?;
    let ready = state.ready()?;
    let found = kiosk::lookup(&ready.db, &kiosk.keypad, &store.id, lookup, clock::now_unix()).await;
    if let (Err(_), Some(failures)) = (&found, kiosk.keypad.alarming()) {
        // Staff hear of it: somebody may be trying other people's bookings.
        let _ = app.emit_to("staff", "kiosk-alert", failures);
    }
    let view = found.for_ui(&state)?;
    *kiosk.current.lock().unwrap() = Some(view.guest.id.clone());
    Ok(KioskGuest::from(&view))
}

/// The guest on screen, if any: read by the kiosk when it opens and when it hears
/// `kiosk-pushed` (staff pushed a guest), so it never polls.
#[tauri::command]
pub async fn kiosk_current(
    state: State<'_, AppState>,
    kiosk: State<'_, KioskState>,
) -> ShellResult<Option<KioskGuest>> {
    let Some(id) = kiosk.current.lock().unwrap().clone() else { return Ok(None) };
    let view = guest_view(&state, id).await?;
    Ok(Some(KioskGuest::from(&view)))
}

/// The on-screen guest's QR now, issuing their access first if needed. Refused once
/// their booking window has ended or they have checked out.
#[tauri::command]
pub async fn kiosk_qr(state: State<'_, AppState>, kiosk: State<'_, KioskState>) -> ShellResult<QrView> {
    let id = kiosk.current.lock().unwrap().clone().ok_or_else(|| state.err(Error::not_found("guest")))?;
    let ready = state.ready()?;
    kiosk::qr(&ready.db, &ready.config(), ready.secrets.as_ref(), &id).await.for_ui(&state)
}

async fn guest_view(state: &AppState, id: String) -> ShellResult<guests::GuestView> {
    state.ready()?.db.read(move |c| guests::view(c, &id, clock::now_unix())).await.for_ui(state)
}

/// Back to the welcome screen (idle, or the guest pressed 終了).
#[tauri::command]
pub fn kiosk_reset(kiosk: State<'_, KioskState>) {
    *kiosk.current.lock().unwrap() = None;
}

/// Leaves kiosk mode with the manager PIN: closes the kiosk window, and quits the app
/// when it was started with `--kiosk` (there is no staff window then).
#[tauri::command]
pub async fn kiosk_exit(
    app: AppHandle,
    state: State<'_, AppState>,
    kiosk: State<'_, KioskState>,
    pin: String,
) -> ShellResult<()> {
    let ready = state.ready()?;
    kiosk::exit(&ready.db, &kiosk.keypad, pin).await.for_ui(&state)?;
    kiosk.exit_allowed.store(true, Ordering::SeqCst);
    *kiosk.current.lock().unwrap() = None;
    if app.get_webview_window("staff").is_none() {
        app.exit(0);
    } else if let Some(w) = app.get_webview_window(LABEL) {
        let _ = w.close();
    }
    if kiosk.staff_hidden.swap(false, Ordering::SeqCst) {
        if let Some(staff) = app.get_webview_window("staff") {
            let _ = staff.show();
            let _ = staff.set_focus();
        }
    }
    Ok(())
}

/// Staff: show this guest's QR on the kiosk screen (opening it if it is not open).
#[tauri::command]
pub async fn push_to_kiosk(
    app: AppHandle,
    state: State<'_, AppState>,
    kiosk: State<'_, KioskState>,
    guest_id: String,
) -> ShellResult<()> {
    guest_view(&state, guest_id.clone()).await?;
    *kiosk.current.lock().unwrap() = Some(guest_id);
    open_once(&app, &state)?;
    // A kiosk already open hears it; one opening now reads `kiosk_current` itself.
    let _ = app.emit_to(LABEL, "kiosk-pushed", ());
    Ok(())
}

/// Staff: open the kiosk screen (on a second monitor when there is one).
#[tauri::command]
pub fn open_kiosk(app: AppHandle, state: State<'_, AppState>) -> ShellResult<()> {
    open_once(&app, &state)
}

/// Opens the kiosk window unless it is open already.
fn open_once<R: Runtime>(app: &AppHandle<R>, state: &AppState) -> ShellResult<()> {
    if app.get_webview_window(LABEL).is_some() {
        return Ok(());
    }
    let ready = state.ready()?;
    ready.db.read_now(uketsuke_core::desk::staff::manager::require_pin_for_kiosk).for_ui(state)?;
    open(app).map_err(|e| {
        state.err(Error::invalid(
            uketsuke_core::platform::error::Code::WindowFailed,
            format!("キオスク画面を開けません: {e}"),
            format!("cannot open the kiosk screen: {e}"),
        ))
    })
}

/// Only the app's own pages may load in the kiosk.
fn own_page(url: &url::Url) -> bool {
    url.scheme() == "tauri" || url.host_str() == Some("tauri.localhost")
}

/// Creates the kiosk window: full-screen, always on top, undecorated, out of the
/// taskbar, no dev tools, no navigation away; the close guard armed afresh.
pub fn open<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let kiosk = app.state::<KioskState>();
    kiosk.exit_allowed.store(false, Ordering::SeqCst);
    let mut builder = WebviewWindowBuilder::new(app, LABEL, WebviewUrl::App("index.html".into()))
        .title("受付 Kiosk")
        // The size counts only where no window manager honours full-screen (Xvfb).
        .inner_size(1280.0, 800.0)
        .fullscreen(true)
        .always_on_top(true)
        .decorations(false)
        .skip_taskbar(true)
        .devtools(false)
        .on_navigation(own_page);
    // A second monitor, when there is one: the guests face it, staff keep theirs.
    let mut second_monitor = false;
    if let (Ok(monitors), Ok(Some(primary))) = (app.available_monitors(), app.primary_monitor()) {
        if let Some(other) = monitors.iter().find(|m| m.position() != primary.position()) {
            let p = other.position().to_logical::<f64>(other.scale_factor());
            builder = builder.position(p.x, p.y);
            second_monitor = true;
        }
    }
    builder.build()?;
    // One monitor: the staff window (and its Unlock buttons) waits behind the PIN.
    if !second_monitor {
        if let Some(staff) = app.get_webview_window("staff") {
            staff.hide()?;
            kiosk.staff_hidden.store(true, Ordering::SeqCst);
        }
    }
    Ok(())
}

/// Whether the kiosk is the only window a person at this screen should reach.
fn alone<R: Runtime>(window: &tauri::Window<R>) -> bool {
    let staff = window.app_handle().get_webview_window("staff");
    staff.is_none() || window.state::<KioskState>().staff_hidden.load(Ordering::SeqCst)
}

/// Keeps the kiosk full-screen and open until the manager lets it go.
pub fn guard<R: Runtime>(window: &tauri::Window<R>, event: &WindowEvent) {
    if window.label() != LABEL {
        return;
    }
    match event {
        WindowEvent::CloseRequested { api, .. }
            if !window.state::<KioskState>().exit_allowed.load(Ordering::SeqCst) =>
        {
            api.prevent_close();
        }
        // Alone on the screen (kiosk-only, or the staff window hidden): keep the focus.
        WindowEvent::Focused(false) if alone(window) => {
            let _ = window.set_focus();
        }
        WindowEvent::Resized(_) | WindowEvent::Focused(_) if window.is_fullscreen().is_ok_and(|f| !f) => {
            let _ = window.set_fullscreen(true);
        }
        _ => {}
    }
}
