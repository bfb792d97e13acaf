//! Declares the app's own commands so that each gets an `allow-…` permission;
//! the capabilities in `capabilities/` then grant them per window.

const COMMANDS: &[&str] = &[
    "app_info",
    "set_language",
    "set_operator",
    "list_stores",
    "list_areas",
    "sync_now",
    "sync_status",
    "list_doors",
    "unlock",
    "lock",
    "confirm",
    "refresh_status",
    "lock_info",
    "list_guests",
    "issue_access",
    "guest_qr",
    "check_in",
    "check_out",
    "add_walk_in",
    "import_csv",
    "role_status",
    "manager_unlock",
    "manager_lock",
    "set_manager_pin",
    "get_settings",
    "save_cloud_settings",
    "save_store",
    "save_area",
    "remove_door",
    "reservation_sign_in",
    "export_settings",
    "import_settings",
    "kiosk_info",
    "kiosk_lookup",
    "kiosk_current",
    "kiosk_qr",
    "kiosk_reset",
    "kiosk_exit",
    "push_to_kiosk",
    "open_kiosk",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build");
}
