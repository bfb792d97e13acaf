//! The Tauri shell: windows, commands and capabilities. Everything else is in
//! `uketsuke-core`; a command here only adapts it for the UI.

mod commands;
mod error;
mod guests;
mod kiosk;
mod locks;
mod settings;
mod state;

pub use error::ShellError;
pub use state::{AppState, Args};

pub fn run() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let args = Args::parse(std::env::args().skip(1));
    let state = AppState::load(&args);
    let kiosk_only = args.kiosk;
    tauri::Builder::default()
        // First: a second launch focuses this one (and opens the kiosk if it asked for
        // it) instead of starting a second app on the same PC.
        .plugin(tauri_plugin_single_instance::init(|app, argv, _cwd| second_launch(app, &argv)))
        .manage(state)
        .manage(kiosk::KioskState::default())
        .setup(move |app| {
            // `--kiosk`: an unattended PC shows only the kiosk, full-screen.
            if kiosk_only {
                kiosk::open(app.handle())?;
            } else {
                open_staff_window(app.handle())?;
            }
            locks::start_poller(app.handle());
            commands::start_worker(app.handle());
            Ok(())
        })
        .on_window_event(kiosk::guard)
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::set_language,
            commands::list_stores,
            commands::list_areas,
            commands::sync_now,
            commands::sync_status,
            commands::set_operator,
            locks::list_doors,
            locks::unlock,
            locks::lock,
            locks::confirm,
            locks::refresh_status,
            locks::lock_info,
            guests::list_guests,
            guests::issue_access,
            guests::guest_qr,
            guests::check_in,
            guests::check_out,
            guests::add_walk_in,
            guests::import_csv,
            settings::role_status,
            settings::manager_unlock,
            settings::manager_lock,
            settings::set_manager_pin,
            settings::get_settings,
            settings::save_cloud_settings,
            settings::save_store,
            settings::save_area,
            settings::remove_door,
            settings::reservation_sign_in,
            settings::export_settings,
            settings::import_settings,
            kiosk::kiosk_info,
            kiosk::kiosk_lookup,
            kiosk::kiosk_current,
            kiosk::kiosk_qr,
            kiosk::kiosk_reset,
            kiosk::kiosk_exit,
            kiosk::push_to_kiosk,
            kiosk::open_kiosk,
        ])
        .run(tauri::generate_context!())
        .expect("the Tauri runtime failed to start");
}

/// Another `uketsuke-app` was started: bring this one forward instead.
fn second_launch<R: tauri::Runtime>(app: &tauri::AppHandle<R>, argv: &[String]) {
    use tauri::Manager;
    if Args::parse(argv.iter().skip(1).cloned()).kiosk && app.get_webview_window(kiosk::LABEL).is_none() {
        if let Err(e) = kiosk::open(app) {
            tracing::warn!("kiosk not opened for a second launch: {e}");
        }
    }
    for w in app.webview_windows().values() {
        let _ = w.unminimize();
        let _ = w.set_focus();
    }
}

fn open_staff_window<R: tauri::Runtime>(app: &tauri::AppHandle<R>) -> tauri::Result<()> {
    tauri::WebviewWindowBuilder::new(app, "staff", tauri::WebviewUrl::App("index.html".into()))
        .title("受付 Uketsuke")
        .inner_size(1280.0, 800.0)
        .min_inner_size(900.0, 600.0)
        .build()?;
    Ok(())
}
