// The app's commands, listed once with their signatures as the UI calls them: the
// arguments it sends (Tauri's own, `State`, `AppHandle`, are not written) and what a
// success answers (a failure is always `ShellError`, `{code, message}`). Grouped by
// the window whose capability grants them and the file in `commands/` that holds them.
// `include!`d by `build.rs` (one `allow-…` permission each) and by the crate: the
// invoke handler (`lib.rs`), a compile-time check that each function answers what its
// line says (`commands/signature.rs`), the TypeScript in `ui/src/lib/bindings.ts` made
// from the types' ts-rs declarations, and the capability test (`contract.rs`). A type
// named here is one its file exports (`pub use`).
//
// Adding a command: write it, add its line here, add `allow-<name>` to that window's
// file in `capabilities/`, and run `make bindings`. The build fails while a line and
// its function disagree on the answer; `cargo test -p uketsuke-app` while the
// bindings or the capabilities are behind.
macro_rules! app_commands {
    ($then:ident) => {
        $then! {
            staff app {
                app_info() -> AppInfo,
                ui_painted(what: String) -> (),
                set_language(language: Lang) -> (),
                set_operator(name: String) -> String,
                list_stores() -> Vec<Store>,
                list_areas(store_id: Option<String>) -> Vec<Area>,
                store_overview() -> Vec<StoreOverview>,
                sync_now() -> SyncStatus,
                sync_status() -> SyncStatus,
            }
            staff doors {
                list_doors(store_id: String) -> Vec<Door>,
                unlock(target: Target) -> CommandReport,
                lock(target: Target) -> CommandReport,
                pass_unlock(target: Target) -> PassReport,
                list_alerts(store_id: String) -> Vec<Alert>,
                ack_alert(id: String) -> (),
                confirm(target: Target, command: Command) -> Confirmation,
                refresh_status(target: Target) -> KnownStatus,
                lock_info() -> LockInfo,
            }
            staff all_doors {
                all_doors_plan(store_id: String, sweep: Sweep) -> SweepPlan,
                all_doors_run(store_id: String, sweep: Sweep, reason: String) -> SweepReport,
            }
            staff guests {
                list_guests(store_id: String, query: Option<String>) -> Vec<GuestView>,
                issue_access(guest_id: String) -> AccessSummary,
                guest_qr(guest_id: String) -> QrView,
                check_in(guest_id: String) -> (),
                check_out(guest_id: String) -> CheckedOut,
                change_stay(guest_id: String, change: StayChange) -> StayChanged,
                add_walk_in(walk_in: WalkIn) -> Guest,
                import_csv(bytes: Vec<u8>) -> usize,
            }
            staff passes {
                print_pass(guest_id: String, to: PrintTo) -> PrintedPass,
                pass_printers() -> PassPrinters,
            }
            staff handover {
                handover_notes(store_id: String) -> Vec<Note>,
                write_handover(store_id: String, body: String) -> Note,
                ack_handover(id: String, name: String) -> Note,
            }
            staff keys {
                key_board() -> Vec<KeyBox>,
                list_key_boxes() -> Vec<KeyBox>,
                give_key(choice: KeyChoice) -> Vec<KeyBox>,
                give_key_with_booking(choice: KeyChoice) -> String,
                guest_key_qr(guest_id: String) -> Option<String>,
            }
            staff history {
                history_page(filter: HistoryFilter) -> HistoryPage,
                export_history(filter: HistoryFilter, format: Format, path: Option<String>) -> Option<Exported>,
                history_report(since: String, until: String) -> Vec<DayReport>,
                export_report(since: String, until: String, path: Option<String>) -> Option<Exported>,
                read_lock_history(target: Target, page: u32) -> u32,
                audit_status() -> Verification,
            }
            staff settings {
                role_status() -> RoleStatus,
                manager_unlock(pin: String) -> RoleStatus,
                manager_lock() -> RoleStatus,
                set_manager_pin(pin: String) -> RoleStatus,
                get_settings() -> SettingsView,
                save_cloud_settings(input: CloudInput) -> SettingsView,
                save_store(input: StoreInput) -> SettingsView,
                save_area(input: AreaInput) -> SettingsView,
                remove_door(target: Target) -> SettingsView,
                import_lock_qr(target: Target, image: Vec<u8>) -> SettingsView,
                reservation_sign_in() -> SignedIn,
                export_settings() -> ExportedFile,
                preview_import(text: String) -> ImportPreview,
                import_settings(text: String) -> ImportReport,
                kiosk_at_login(enabled: Option<bool>) -> bool,
            }
            staff facility {
                facility_settings() -> FacilitySettings,
                facility_code() -> JoinCode,
                facility_join(input: JoinInput) -> FacilitySettings,
            }
            staff members {
                members_view() -> MembersView,
                member_save(form: MemberForm) -> MemberRow,
                member_delete(member_id: String) -> (),
                member_face(member_id: String, photo: Vec<u8>) -> String,
                member_face_progress(request_id: String) -> FaceState,
                member_face_remove(member_id: String) -> (),
            }
            staff kiosk {
                push_to_kiosk(guest_id: String) -> (),
                open_kiosk() -> (),
            }
            kiosk kiosk {
                kiosk_info() -> KioskInfo,
                kiosk_first_pin(pin: String) -> (),
                kiosk_lookup(lookup: KioskLookup) -> KioskGuest,
                kiosk_current() -> Option<KioskGuest>,
                kiosk_qr() -> QrView,
                kiosk_reset() -> (),
                kiosk_exit(pin: String) -> (),
            }
        }
    };
}
