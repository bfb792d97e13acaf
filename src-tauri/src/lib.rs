//! The Tauri shell: windows, commands and capabilities. Everything else is in
//! `uketsuke-core`; a command here only adapts it for the UI.

#[macro_use]
mod commands;
#[cfg(test)]
mod contract;
mod error;
mod state;

pub use error::ShellError;
pub use state::{AppState, Args};

/// The invoke handler for every command in `commands/list.rs`.
macro_rules! invoke_handler {
    ($($window:ident $module:ident { $($command:ident ( $($arg:ident : $ty:ty),* $(,)? ) -> $ret:ty),* $(,)? })*) => {
        tauri::generate_handler![$($(commands::$module::$command),*),*]
    };
}

pub fn run() {
    let args = Args::from_process();
    // Log files for support (docs/support.md); a config that does not load still logs.
    let for_logs = uketsuke_core::Config::load(args.config.as_deref()).unwrap_or_default();
    uketsuke_core::platform::logs::init(&for_logs, "uketsuke", true);
    let state = AppState::load(&args);
    // A PC joined as a kiosk shows only the kiosk, however it was started.
    let kiosk_pc = state
        .ready()
        .is_ok_and(|r| r.config().facility.role == uketsuke_core::platform::config::PcRole::Kiosk);
    let kiosk_only = args.kiosk || kiosk_pc;
    tauri::Builder::default()
        // First: a second launch focuses this one (and opens the kiosk if it asked for
        // it) instead of starting a second app on the same PC.
        .plugin(tauri_plugin_single_instance::init(|app, argv, _cwd| second_launch(app, &argv)))
        // Alerts (a door left open, a low battery, …) also reach staff as OS notifications.
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_dialog::init())
        // "Start the kiosk at login" (settings): an autostart entry that opens `--kiosk`.
        .plugin(tauri_plugin_autostart::Builder::new().app_name("uketsuke-kiosk").args(["--kiosk"]).build())
        .manage(state)
        .manage(commands::kiosk::KioskState::default())
        .setup(move |app| {
            // `--kiosk`: an unattended PC shows only the kiosk, full-screen.
            if kiosk_only {
                commands::kiosk::open(app.handle())?;
            } else {
                open_staff_window(app.handle())?;
            }
            commands::doors::start_poller(app.handle());
            commands::app::start_worker(app.handle());
            Ok(())
        })
        .on_window_event(commands::kiosk::guard)
        .invoke_handler(app_commands!(invoke_handler))
        .run(tauri::generate_context!())
        .expect("the Tauri runtime failed to start");
}

/// Another `uketsuke-app` was started: bring this one forward instead.
fn second_launch<R: tauri::Runtime>(app: &tauri::AppHandle<R>, argv: &[String]) {
    use tauri::Manager;
    if Args::of_second_launch(argv).kiosk && app.get_webview_window(commands::kiosk::LABEL).is_none() {
        if let Err(e) = commands::kiosk::open(app) {
            tracing::warn!("kiosk not opened for a second launch: {e}");
        }
    }
    for w in app.webview_windows().values() {
        let _ = w.unminimize();
        let _ = w.set_focus();
    }
}

/// The staff window, within the screen's work area (1366×768 with a taskbar is the
/// common counter PC): 1280×800 where that fits, else as large as the work area allows,
/// never smaller than 900×560.
fn open_staff_window<R: tauri::Runtime>(app: &tauri::AppHandle<R>) -> tauri::Result<()> {
    let (width, height) = app
        .primary_monitor()
        .ok()
        .flatten()
        .map(|m| {
            let area = m.work_area().size.to_logical::<f64>(m.scale_factor());
            // The title bar and frame take about 40 px of the work area's height.
            (area.width.min(1280.0), (area.height - 40.0).min(800.0))
        })
        .unwrap_or((1280.0, 720.0));
    tauri::WebviewWindowBuilder::new(app, "staff", tauri::WebviewUrl::App("index.html".into()))
        .title("受付 Uketsuke")
        .inner_size(width.max(900.0), height.max(560.0))
        .min_inner_size(900.0, 560.0)
        .center()
        .build()?;
    Ok(())
}
