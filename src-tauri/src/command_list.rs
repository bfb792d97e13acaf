// The app's commands, listed once. `include!`d by `build.rs` (one `allow-…` permission
// each) and by `lib.rs` (the invoke handler, the generated TypeScript in
// `ui/src/lib/bindings.ts`, and the capability test). Each line names the window whose
// capability grants the command, then the command as `module::function`.
//
// Adding a command: write it, add it here, add `allow-<name>` to that window's file in
// `capabilities/`, and run `make bindings`. `cargo test -p uketsuke-app` fails until all
// four agree.
macro_rules! app_commands {
    ($then:ident) => {
        $then! {
            staff commands::app_info,
            staff commands::set_language,
            staff commands::set_operator,
            staff commands::list_stores,
            staff commands::list_areas,
            staff commands::sync_now,
            staff commands::sync_status,
            staff locks::list_doors,
            staff locks::unlock,
            staff locks::lock,
            staff locks::pass_unlock,
            staff locks::list_alerts,
            staff locks::ack_alert,
            staff locks::confirm,
            staff locks::refresh_status,
            staff locks::lock_info,
            staff guests::list_guests,
            staff guests::issue_access,
            staff guests::guest_qr,
            staff guests::check_in,
            staff guests::check_out,
            staff guests::add_walk_in,
            staff guests::import_csv,
            staff keys::key_board,
            staff keys::list_key_boxes,
            staff keys::give_key,
            staff keys::give_key_with_booking,
            staff keys::guest_key_qr,
            staff settings::role_status,
            staff settings::manager_unlock,
            staff settings::manager_lock,
            staff settings::set_manager_pin,
            staff settings::get_settings,
            staff settings::save_cloud_settings,
            staff settings::save_store,
            staff settings::save_area,
            staff settings::remove_door,
            staff settings::import_lock_qr,
            staff settings::reservation_sign_in,
            staff settings::export_settings,
            staff settings::preview_import,
            staff settings::import_settings,
            staff members::members_view,
            staff members::member_save,
            staff members::member_delete,
            staff members::member_face,
            staff members::member_face_progress,
            staff members::member_face_remove,
            staff kiosk::push_to_kiosk,
            staff kiosk::open_kiosk,
            kiosk kiosk::kiosk_info,
            kiosk kiosk::kiosk_lookup,
            kiosk kiosk::kiosk_current,
            kiosk kiosk::kiosk_qr,
            kiosk kiosk::kiosk_reset,
            kiosk kiosk::kiosk_exit,
        }
    };
}
