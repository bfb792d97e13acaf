//! The Tauri shell: windows, commands and capabilities. Everything else is in
//! `uketsuke-core`; a command here only adapts it for the UI.

mod commands;
mod error;
mod guests;
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
    tauri::Builder::default()
        .manage(state)
        .setup(|app| {
            locks::start_poller(app.handle());
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::set_language,
            commands::list_stores,
            commands::list_areas,
            commands::sync_now,
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
        ])
        .run(tauri::generate_context!())
        .expect("the Tauri runtime failed to start");
}
