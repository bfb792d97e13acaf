// Generated from the Rust definitions by `make bindings` (src-tauri/src/contract.rs).
// Do not edit: change the Rust and regenerate. `make test` fails while this file is stale.
import { call } from "./api";

export type AccessSummary = { splats_member_id: string, valid_from: number, valid_until: number, splats_area_ids: Array<string>, issued_at: number, revoked_at: number | null, };

/**
 * One cloud whose address moves to another origin.
 */
export type AddressChange = { 
/**
 * `reservation`, `sesame` or `splats`.
 */
cloud: string, 
/**
 * The origins before and after (`https://host:port`); none when not set.
 */
from: string | null, to: string | null, 
/**
 * The secrets removed with the move: names, never values.
 */
forgets: Array<string>, };

/**
 * One thing to look at.
 */
export type Alert = { 
/**
 * Stable while the condition lasts: `kind:subject`.
 */
id: string, kind: AlertKind, 
/**
 * The door or the guest it is about, by name.
 */
subject: string, target: Target | null, 
/**
 * The battery percentage (`battery_low`, `battery_replace`), or since when the lock
 * has been read as unlocked (`left_unlocked`, Unix seconds).
 */
value: number | null, acknowledged: boolean, };

export type AlertKind = "door_open" | "door_offline" | "lock_offline" | "battery_low" | "battery_replace" | "left_unlocked" | "overstaying" | "key_not_returned";

export type AppErrorData = { 
/**
 * Stable, for the UI to branch on (`unreachable`, `uuid_invalid`, …).
 */
code: ErrorCode, 
/**
 * For people, already in the UI's language.
 */
message: string, };

export type AppInfo = { version: string, language: Lang, operator: string, 
/**
 * Why the app cannot work, if it cannot (bad config, unreadable database).
 */
not_ready: string | null, reservation_configured: boolean, };

/**
 * An area (エリア): a room or zone inside a store, usually with its own lock.
 */
export type Area = { id: string, 
/**
 * May be missing from a settings file, where an area sits inside its store.
 */
store_id: string, name: string, sort_order: number, device_uuid: string | null, source: Source, updated_at: number, };

/**
 * The area form. `id: None` creates an area by hand in `store_id`.
 */
export type AreaInput = { id: string | null, store_id: string, name: string, device_uuid: string | null, secret_key: string | null, splats_area_id: string | null, };

/**
 * One SPLATS area the member may enter: at any time (no slots) or in the slots.
 */
export type AreaRule = { area_id: string, slots: Array<WeeklySlot>, };

/**
 * An area as the settings screen shows it: the cached area, its key's state and
 * its SPLATS mapping.
 */
export type AreaSettings = { secret_key: SecretState, splats_area_id: string | null, id: string, 
/**
 * May be missing from a settings file, where an area sits inside its store.
 */
store_id: string, name: string, sort_order: number, device_uuid: string | null, source: Source, updated_at: number, };

/**
 * Where the chain first breaks.
 */
export type Broken = { id: number, 
/**
 * `changed` (the row's content no longer gives its hash), `unlinked` (it does not
 * follow the row before it: a row removed, inserted or rewritten before it),
 * `unsealed`, or `head` (an exported day head no longer matches).
 */
reason: string, };

/**
 * The SESAME charge this month, as the header shows it.
 */
export type Charge = { month_calls: number, 
/**
 * At this month's pace, calls by its end.
 */
projected_calls: number, 
/**
 * The month's charge so far and as projected (yen, before tax); `None` past the table.
 */
yen_now: number | null, projected_yen: number | null, today_calls: number, daily_free: number, warning: ChargeWarning | null, };

/**
 * Something to tell staff before it costs money.
 */
export type ChargeWarning = { "kind": "daily_reached", limit: number, } | { "kind": "daily_near", used: number, limit: number, } | { "kind": "paid_tier", yen: number, projected: number, } | { "kind": "beyond_table", projected: number, };

/**
 * A check-out as staff see it: their access is revoked at once when SPLATS answers,
 * and otherwise kept waiting in the outbox (shown as pending) until it does.
 */
export type CheckedOut = { revoked: boolean, pending: boolean, };

/**
 * Something to pick from: a member group or a SPLATS area.
 */
export type Choice = { id: string, name: string, };

/**
 * The cloud settings form. A secret left `None` or empty keeps the saved one.
 */
export type CloudInput = { reservation_client_secret: string | null, sesame_api_key: string | null, splats_token: string | null, 
/**
 * The extended API's `License-Key` (pass-controller operations).
 */
splats_license_key: string | null, reservation_base_url: string | null, reservation_client_id: string | null, reservation_redirect_uri: string | null, sesame_base_url: string | null, splats_base_url: string | null, splats_guest_membergroup_id: string | null, };

export type CloudSettings = { reservation_base_url: string | null, reservation_client_id: string | null, reservation_redirect_uri: string, reservation_client_secret: SecretState, reservation_token: SecretState, reservation_token_expires_at: number | null, sesame_base_url: string | null, sesame_api_key: SecretState, splats_base_url: string | null, splats_token: SecretState, splats_license_key: SecretState, splats_guest_membergroup_id: string | null, };

/**
 * The only two commands a button may send. Toggle (88) is deliberately absent: with a
 * stale status it can do the opposite of what staff asked for.
 */
export type Command = "lock" | "unlock";

/**
 * A command the cloud accepted.
 */
export type CommandReport = { target: Target, label: string, uuid: string, command: Command, sent_at_ms: number, latency_ms: number, 
/**
 * The server-minus-PC offset used to sign.
 */
clock_offset_secs: number, };

export type Confirmation = { confirmed: boolean, status: KnownStatus, reads: number, };

/**
 * How the member proves who they are at a reader.
 */
export type Credential = { "kind": "card", card_data: string, } | { "kind": "qr", data: string, } | { "kind": "one_time_qr" };

/**
 * Where the next (older) page starts: strictly before this entry.
 */
export type Cursor = { at_ms: number, id: number, };

/**
 * A day as SPLATS names it in `week`.
 */
export type Day = "Monday" | "Tuesday" | "Wednesday" | "Thursday" | "Friday" | "Saturday" | "Sunday" | "Holiday";

/**
 * One day of one store (or, with no store, the facility's cloud calls).
 */
export type DayReport = { 
/**
 * `YYYY-MM-DD` in Japan time.
 */
day: string, store_id: string | null, store: string, 
/**
 * Bookings of the day whose guest came (checked in or passed a reader).
 */
arrivals: number, 
/**
 * Bookings of the day that ended without their guest, not cancelled.
 */
no_shows: number, 
/**
 * Guests who left after their booking ended, or are still in past it.
 */
overstays: number, 
/**
 * Unlocks staff pressed (SESAME or SPLATS) that went through.
 */
staff_unlocks: number, sesame_calls: number, splats_calls: number, };

/**
 * One door of a store as the staff window shows it.
 */
export type Door = { target: Target, label: string, 
/**
 * A SESAME lock is registered and the store uses SESAME: Unlock and Lock are offered.
 */
registered: boolean, status: KnownStatus | null, 
/**
 * The SPLATS pass controller of this door, if it has one.
 */
pass: PassDoor | null, };

/**
 * One door's result, reported as soon as it is known.
 */
export type DoorResult = { target: Target, label: string, outcome: Outcome, 
/**
 * What went wrong or is missing, in the user's language.
 */
message: string | null, };

/**
 * A stable, machine-readable error code (`{code, message}` at the UI boundary).
 */
export type ErrorCode = "internal" | "not_ready" | "config" | "db" | "db_migration" | "io" | "keyring" | "secret_missing" | "worker_busy" | "facility_unreachable" | "facility_tls" | "facility_key" | "join_code_invalid" | "facility_joined" | "read_only_pc" | "kiosk_pc" | "window_failed" | "browser_failed" | "unreachable" | "unauthorized" | "rate_limited" | "http" | "rejected" | "bad_reply" | "uncertain" | "paging_stuck" | "sign_rejected" | "device_unavailable" | "door_busy" | "not_found" | "sign_in_state_mismatch" | "sign_in_denied" | "sign_in_no_code" | "sign_in_timed_out" | "redirect_uri_invalid" | "redirect_port_busy" | "manager_required" | "pin_wrong" | "pin_locked" | "pin_not_set" | "pin_format" | "pin_mismatch" | "uuid_invalid" | "secret_key_invalid" | "secret_key_without_uuid" | "secret_key_missing" | "api_key_invalid" | "token_invalid" | "url_invalid" | "client_id_missing" | "name_missing" | "store_name_taken" | "area_name_taken" | "reservation_owned" | "entrance_needs_lock" | "lock_in_use" | "door_not_registered" | "settings_file_invalid" | "sesame_qr_invalid" | "sesame_qr_not_found" | "image_unreadable" | "image_too_large" | "splats_area_unknown" | "splats_area_gone" | "splats_area_unmapped" | "splats_id_invalid" | "bulk_member_too_large" | "totp_seed_invalid" | "otqr_settings_invalid" | "card_data_invalid" | "qr_data_invalid" | "schedule_invalid" | "membergroup_missing" | "member_code_reserved" | "splats_duplicate" | "face_failed" | "key_timer_invalid" | "audit_broken" | "date_invalid" | "field_too_long" | "csv_too_large" | "csv_encoding" | "time_range_invalid" | "areas_missing" | "area_not_in_store" | "csv_empty" | "csv_header_invalid" | "csv_row_invalid" | "qr_not_issued" | "qr_revoked" | "qr_seed_missing" | "live_access_remains" | "qr_unencodable" | "booking_ended" | "booking_cancelled" | "room_taken" | "stay_refused" | "guest_left" | "note_empty" | "note_own" | "reason_missing" | "printer_unreachable" | "booking_not_found" | "booking_ambiguous" | "kiosk_wait";

/**
 * What an export wrote.
 */
export type Exported = { path: string, rows: number, };

/**
 * Where an export was written.
 */
export type ExportedFile = { path: string, json: string, };

/**
 * Where a registration stands.
 */
export type FaceState = "progress" | "succeeded";

/**
 * This PC's place in a facility, as the settings card shows it: no secret.
 */
export type FacilitySettings = { database_url: string | null, pc_name: string, role: PcRole, 
/**
 * This PC holds the facility key (it made the facility, or joined it).
 */
joined: boolean, };

/**
 * This PC in a facility of several PCs sharing one PostgreSQL.
 */
export type FacilityView = { pc_name: string, connected: boolean, 
/**
 * This PC runs the sync, the reconciliation and the status polls.
 */
leader: boolean, head_office: boolean, 
/**
 * Changes made here not yet sent (while the database is away).
 */
queued: number, error: AppErrorData | null, };

export type Format = "csv" | "json";

/**
 * A guest with a booking window at one store.
 */
export type Guest = { id: string, store_id: string, booking_code: string | null, name: string, name_kana: string | null, phone_last4: string | null, starts_at: number, ends_at: number, area_ids: Array<string>, source: GuestSource, };

/**
 * Where a guest record came from.
 */
export type GuestSource = "reservation" | "csv" | "walk_in";

/**
 * Where a guest is in their visit.
 */
export type GuestStatus = "upcoming" | "arrived" | "in" | "left" | "overstaying" | "no_show" | "cancelled";

/**
 * A guest as the counter sees them.
 */
export type GuestView = { status: GuestStatus, 
/**
 * First check-in, by staff or by a QR accepted at a SPLATS reader.
 */
arrived_at: number | null, checked_out_at: number | null, area_names: Array<string>, access: AccessSummary | null, 
/**
 * A SPLATS change still waiting to be made (shown to staff as pending).
 */
pending: PendingOp | null, id: string, store_id: string, booking_code: string | null, name: string, name_kana: string | null, phone_last4: string | null, starts_at: number, ends_at: number, area_ids: Array<string>, source: GuestSource, };

/**
 * One entry as shown: the ids for links and the words for people.
 */
export type HistoryEntry = { id: number, at_ms: number, store_id: string | null, area_id: string | null, guest_id: string | null, ok: boolean, 
/**
 * `YYYY-MM-DD HH:MM:SS` in Japan time.
 */
time: string, source: string, kind: string, event: string, store: string, area: string, guest: string, actor: string, device: string, outcome: string, };

/**
 * What to show. Every field narrows; none set shows everything.
 */
export type HistoryFilter = { store_id: string | null, area_id: string | null, guest_id: string | null, 
/**
 * Staff name as entered at the counter (`担当`), exactly.
 */
actor: string | null, 
/**
 * `access`, `door`, `guest`, `key`, `member`, `settings`, `sync`, `alert`, `kiosk`.
 */
kind: string | null, 
/**
 * `splats`, `sesame`, `audit`.
 */
source: string | null, 
/**
 * From this Japan day and until this one, both included (`YYYY-MM-DD`).
 */
since: string | null, until: string | null, before: Cursor | null, 
/**
 * Entries per page (default 100, at most [`MAX_PAGE`]).
 */
limit: number | null, };

export type HistoryPage = { entries: Array<HistoryEntry>, 
/**
 * Set when older entries remain.
 */
next: Cursor | null, };

/**
 * What an import would do, for a person to confirm first: how many stores and areas,
 * and every cloud address it changes (whose credentials it would remove).
 */
export type ImportPreview = { stores: number, areas: number, moved: Array<AddressChange>, };

/**
 * What an import did, and what must still be entered on this PC.
 */
export type ImportReport = { stores: number, areas: number, 
/**
 * Doors whose lock is set but whose secret key is not in this PC's keyring.
 */
missing_keys: Array<string>, 
/**
 * Cloud secrets not yet in this PC's keyring (names, e.g. `sesame.api_key`).
 */
missing_secrets: Array<string>, };

/**
 * A join code as a manager's screen shows it. `Debug` masks the code.
 */
export type JoinCode = { code: string, 
/**
 * Unix seconds, this PC's clock.
 */
expires_at: number, };

/**
 * What a new PC types to join (the settings card; the CLI passes its config's URL).
 * `Debug` masks the code: it opens the facility for ten minutes.
 */
export type JoinInput = { 
/**
 * `postgres://user@host:port/database`, without the password. Empty: the one in
 * the config already.
 */
database_url: string | null, 
/**
 * Kept in the keyring. Empty: the one kept already (or none: trust, on loopback).
 */
password: string | null, 
/**
 * How the other PCs will see this one (empty: the host name).
 */
pc_name: string | null, role: PcRole, 
/**
 * The code a manager's screen in the facility shows. Empty: start a new facility
 * (refused if the database holds one already).
 */
code: string, };

/**
 * One key box as the counter sees it.
 */
export type KeyBox = { device_id: string, name: string, units: Array<KeyUnit>, 
/**
 * When its units were read (unix seconds).
 */
read_at: number, };

/**
 * Which key, for whom; for a key given now, how long the box may be opened for it
 * (`timer`, 1–86,400 s; default [`GIVE_SECS`]).
 */
export type KeyChoice = { guest_id: string, device_id: string, unit: string, secs: number | null, };

/**
 * Where a key is.
 */
export type KeyState = "in" | "taken" | "not_returned";

export type KeyUnit = { 
/**
 * "01", "02", …
 */
no: string, state: KeyState, 
/**
 * The key is out of the box (taken or not returned).
 */
taken: boolean, 
/**
 * The guest it was last given to, while it is theirs (out, or given and not yet
 * taken), and when it is due back.
 */
holder: string | null, due_at: number | null, };

/**
 * A guest as the kiosk may show them: no phone, no booking code.
 */
export type KioskGuest = { name: string, area_names: Array<string>, starts_at: number, ends_at: number, };

export type KioskInfo = { store_name: string, idle_reset_secs: number, 
/**
 * No manager PIN yet: the kiosk asks for one before it shows itself to guests
 * (without it, nobody could leave the kiosk).
 */
pin_set: boolean, };

/**
 * What the guest typed.
 */
export type KioskLookup = { "by": "code", code: string, last4: string, } | { "by": "phone", last4: string, name: string, };

/**
 * The last known state of a lock and when it was read.
 */
export type KnownStatus = { uuid: string, state: LockState, battery_percentage: number | null, wm2_state: boolean | null, fetched_at: number, 
/**
 * The first reading of the state it is in now (readings in between agreed).
 */
state_since: number, };

export type Lang = "ja" | "en";

export type LockInfo = { usage: Usage, 
/**
 * The month's projected SESAME charge and what to warn about.
 */
charge: Charge, clock_offset_secs: number, clock_warning: boolean, now: number, 
/**
 * Whether the SPLATS licence key (the extended API's) is kept: without it no pass
 * controller can be unlocked, and the board says so instead of offering it.
 */
pass_licence: boolean, };

export type LockState = "locked" | "unlocked" | "moved" | "unknown";

/**
 * How one door will be (or was not) moved.
 */
export type Means = "sesame" | "pass" | "none";

/**
 * What the manager's member form holds.
 */
export type MemberForm = { 
/**
 * None: a new member.
 */
member_id: string | null, name: string, code: string, membergroup_id: string, credential: Credential, 
/**
 * `YYYY-MM-DDTHH:MM` (JST) or empty: no bound.
 */
use_start: string, use_end: string, 
/**
 * Only these areas, each at any time or on its schedule; the rest are refused.
 */
areas: Array<AreaRule>, 
/**
 * The member's permissions use something this form cannot show (a date range, a
 * key box): they are kept as they are and the areas above are not sent.
 */
keep_permissions: boolean, };

/**
 * One member as the members screen lists it.
 */
export type MemberRow = { form: MemberForm, group_name: string, 
/**
 * A face image is registered (`face_data` is present).
 */
face: boolean, };

/**
 * The members screen: the members and what their form offers.
 */
export type MembersView = { members: Array<MemberRow>, groups: Array<Choice>, areas: Array<Choice>, };

export type Note = { id: string, store_id: string, body: string, written_by: string, written_at: number, acked_by: string | null, acked_at: number | null, };

/**
 * What must happen to a guest's SPLATS member.
 */
export type Op = "issue" | "update" | "revoke" | "delete";

/**
 * How one door ended.
 */
export type Outcome = "sent" | "done" | "unconfirmed" | "failed" | "skipped";

/**
 * A SPLATS pass controller as the board shows it.
 */
export type PassDoor = { device_id: string, name: string, 
/**
 * The last status read (undocumented fields, kept as SPLATS sent them).
 */
status: unknown, status_at: number | null, };

/**
 * Which printers the settings name, for the buttons the pass dialog offers.
 */
export type PassPrinters = { receipt: boolean, printer: string | null, };

/**
 * What a SPLATS door did with an Unlock.
 */
export type PassReport = { target: Target, label: string, device_id: string, latency_ms: number, 
/**
 * From the status read after the request: unlocked (true), still locked (false),
 * or not told (none: the status has no lock field, or could not be read).
 */
confirmed: boolean | null, };

/**
 * What a PC does in the facility.
 */
export type PcRole = "counter" | "head_office" | "kiosk";

/**
 * One op waiting (or being retried).
 */
export type PendingOp = { id: number, guest_id: string, op: Op, reason: string, attempts: number, next_attempt_at: number, maybe_sent: boolean, last_error: string | null, seq: number, };

/**
 * One door in the plan.
 */
export type PlannedDoor = { target: Target, label: string, means: Means, 
/**
 * For `none`: what is missing, in the user's language.
 */
why: string | null, };

/**
 * Where the window asks the slip to go.
 */
export type PrintTo = "picture" | "receipt" | "printer";

/**
 * The slip, and whether a printer took it.
 */
export type PrintedPass = { 
/**
 * `data:image/png;base64,…`
 */
png: string, 
/**
 * The OS print system's job, when it went there.
 */
job: string | null, };

/**
 * What to show for a guest right now.
 */
export type QrView = { 
/**
 * Server clock minus ours when the frame was made; the UI counts down with it.
 */
clock_offset_secs: number, valid_from: number, valid_until: number, 
/**
 * `data:image/png;base64,…`
 */
png: string, 
/**
 * Made on this PC (true) or fetched from SPLATS.
 */
local: boolean, payload: string, 
/**
 * Unix seconds (server clock) when this code took over and when it is replaced.
 */
step_start: number, step_end: number, timestep: number, };

/**
 * Who is acting.
 */
export type Role = "staff" | "manager";

/**
 * What the UI shows about the role.
 */
export type RoleStatus = { role: Role, pin_set: boolean, 
/**
 * Seconds before a manager session falls back to staff.
 */
remaining_secs: number | null, };

/**
 * Whether a secret is kept, and how to show it: never the value itself.
 */
export type SecretState = { set: boolean, masked: string | null, };

/**
 * Everything the settings screens show.
 */
export type SettingsView = { clouds: CloudSettings, stores: Array<StoreSettings>, splats_areas: Array<SplatsAreaChoice>, };

/**
 * Where the sign-in ended up, without the token itself.
 */
export type SignedIn = { 
/**
 * Unix seconds at which the token expires, when the system says so.
 */
expires_at: number | null, refresh_token: boolean, };

/**
 * Where a record came from. Manual records are never removed by a sync.
 */
export type Source = "reservation" | "manual";

export type SplatsAreaChoice = { id: string, name: string, };

/**
 * What staff asked for: a new end, and optionally a new start or other rooms.
 */
export type StayChange = { ends_at: number, starts_at: number | null, 
/**
 * The rooms to move to; the same rooms when absent.
 */
area_ids: Array<string> | null, };

/**
 * The guest after the change, and whether their doors still wait for SPLATS.
 */
export type StayChanged = { guest: GuestView, 
/**
 * The door update is in the outbox (SPLATS unreachable): the worker retries it.
 */
doors_pending: boolean, };

/**
 * A store (店舗): one site with an entrance and areas. The settings screens and the
 * settings file carry it whole (flattened); the defaults read files that left a field out.
 */
export type Store = { id: string, name: string, name_kana: string | null, source: Source, 
/**
 * "セサミ利用": the store's doors are SESAME locks.
 */
use_sesame: boolean, 
/**
 * "エントランスの鍵を登録する": the entrance has its own lock.
 */
register_entrance_key: boolean, entrance_device_uuid: string | null, updated_at: number, };

/**
 * The store form. `id: None` creates a store by hand. A secret key left empty keeps
 * the saved one (required when the device is new).
 */
export type StoreInput = { id: string | null, name: string, name_kana: string | null, use_sesame: boolean, register_entrance_key: boolean, entrance_device_uuid: string | null, entrance_secret_key: string | null, splats_entrance_area_id: string | null, };

/**
 * One store's row.
 */
export type StoreOverview = { store_id: string, name: string, 
/**
 * Today's guests, by where they are.
 */
upcoming: number, 
/**
 * Arrived early or inside their booking.
 */
inside: number, overstaying: number, left: number, no_show: number, doors: number, 
/**
 * Doors whose lock or pass controller has a reading.
 */
doors_read: number, 
/**
 * Alerts nobody has acknowledged yet, and all of them.
 */
alerts_open: number, alerts: number, };

/**
 * A store as the settings screen shows it: the cached store, its entrance key's
 * state, its SPLATS mapping and its areas.
 */
export type StoreSettings = { entrance_secret_key: SecretState, splats_entrance_area_id: string | null, areas: Array<AreaSettings>, id: string, name: string, name_kana: string | null, source: Source, 
/**
 * "セサミ利用": the store's doors are SESAME locks.
 */
use_sesame: boolean, 
/**
 * "エントランスの鍵を登録する": the entrance has its own lock.
 */
register_entrance_key: boolean, entrance_device_uuid: string | null, updated_at: number, };

/**
 * What is done to every door.
 */
export type Sweep = "lock_all" | "unlock_all";

/**
 * What the confirmation shows before anything moves.
 */
export type SweepPlan = { sweep: Sweep, doors: Array<PlannedDoor>, 
/**
 * Guests checked in and not checked out: 全施錠 may shut them in (or out).
 */
inside: Array<string>, 
/**
 * Metered SESAME calls it may make (a command and up to the confirm reads per lock).
 */
sesame_calls: number, };

/**
 * The whole run: one result per planned door, in the plan's order.
 */
export type SweepReport = { sweep: Sweep, results: Array<DoorResult>, 
/**
 * Every door that could be moved was, and confirmed.
 */
all_done: boolean, };

/**
 * One part of the sync as the window shows it, its error in the UI's language.
 */
export type SyncPart = { enabled: boolean, last_at: number | null, last_ok: boolean | null, next_at: number | null, error: AppErrorData | null, };

/**
 * What the background sync is doing: per cloud, the last sync, the next one and any
 * error; the SPLATS changes still waiting; and whether another process runs it.
 */
export type SyncStatus = { reservation: SyncPart, splats: SyncPart, access: SyncPart, waiting: number, 
/**
 * The worker runs in another process on this database (`uketsuke watch`).
 */
elsewhere: boolean, 
/**
 * Nothing has synced yet.
 */
never: boolean, 
/**
 * Facility mode (docs/facility.md): this PC's standing, when it is in one.
 */
facility: FacilityView | null, };

/**
 * A door: one area's, or a store's entrance.
 */
export type Target = { "kind": "area", "id": string } | { "kind": "entrance", "id": string };

/**
 * Calls this month, in all and by kind.
 */
export type Usage = { month: string, total: number, polls: number, commands: number, allowance: number, poll_budget: number, };

/**
 * What [`verify`] found.
 */
export type Verification = { rows: number, archived_rows: number, head: string, broken: Broken | null, };

/**
 * A guest entered at the counter.
 */
export type WalkIn = { store_id: string, name: string, name_kana: string | null, phone: string | null, area_ids: Array<string>, starts_at: number, ends_at: number, };

/**
 * The days and the hours (JST, `HH:MM`, both ends included) an area lets them in.
 */
export type WeeklySlot = { days: Array<Day>, start: string, end: string, };

/** The commands granted to the staff window (capabilities/staff.json). */
export const api = {
  appInfo: () => call<AppInfo>("app_info"),
  uiPainted: (what: string) => call<void>("ui_painted", { what }),
  setLanguage: (language: Lang) => call<void>("set_language", { language }),
  setOperator: (name: string) => call<string>("set_operator", { name }),
  listStores: () => call<Array<Store>>("list_stores"),
  listAreas: (storeId: string | null) => call<Array<Area>>("list_areas", { storeId }),
  storeOverview: () => call<Array<StoreOverview>>("store_overview"),
  syncNow: () => call<SyncStatus>("sync_now"),
  syncStatus: () => call<SyncStatus>("sync_status"),
  listDoors: (storeId: string) => call<Array<Door>>("list_doors", { storeId }),
  unlock: (target: Target) => call<CommandReport>("unlock", { target }),
  lock: (target: Target) => call<CommandReport>("lock", { target }),
  passUnlock: (target: Target) => call<PassReport>("pass_unlock", { target }),
  listAlerts: (storeId: string) => call<Array<Alert>>("list_alerts", { storeId }),
  ackAlert: (id: string) => call<void>("ack_alert", { id }),
  confirm: (target: Target, command: Command) => call<Confirmation>("confirm", { target, command }),
  refreshStatus: (target: Target) => call<KnownStatus>("refresh_status", { target }),
  lockInfo: () => call<LockInfo>("lock_info"),
  allDoorsPlan: (storeId: string, sweep: Sweep) => call<SweepPlan>("all_doors_plan", { storeId, sweep }),
  allDoorsRun: (storeId: string, sweep: Sweep, reason: string) => call<SweepReport>("all_doors_run", { storeId, sweep, reason }),
  listGuests: (storeId: string, query: string | null) => call<Array<GuestView>>("list_guests", { storeId, query }),
  issueAccess: (guestId: string) => call<AccessSummary>("issue_access", { guestId }),
  guestQr: (guestId: string) => call<QrView>("guest_qr", { guestId }),
  checkIn: (guestId: string) => call<void>("check_in", { guestId }),
  checkOut: (guestId: string) => call<CheckedOut>("check_out", { guestId }),
  changeStay: (guestId: string, change: StayChange) => call<StayChanged>("change_stay", { guestId, change }),
  addWalkIn: (walkIn: WalkIn) => call<Guest>("add_walk_in", { walkIn }),
  importCsv: (bytes: Array<number>) => call<number>("import_csv", { bytes }),
  printPass: (guestId: string, to: PrintTo) => call<PrintedPass>("print_pass", { guestId, to }),
  passPrinters: () => call<PassPrinters>("pass_printers"),
  handoverNotes: (storeId: string) => call<Array<Note>>("handover_notes", { storeId }),
  writeHandover: (storeId: string, body: string) => call<Note>("write_handover", { storeId, body }),
  ackHandover: (id: string, name: string) => call<Note>("ack_handover", { id, name }),
  keyBoard: () => call<Array<KeyBox>>("key_board"),
  listKeyBoxes: () => call<Array<KeyBox>>("list_key_boxes"),
  giveKey: (choice: KeyChoice) => call<Array<KeyBox>>("give_key", { choice }),
  giveKeyWithBooking: (choice: KeyChoice) => call<string>("give_key_with_booking", { choice }),
  guestKeyQr: (guestId: string) => call<string | null>("guest_key_qr", { guestId }),
  historyPage: (filter: HistoryFilter) => call<HistoryPage>("history_page", { filter }),
  exportHistory: (filter: HistoryFilter, format: Format, path: string | null) => call<Exported | null>("export_history", { filter, format, path }),
  historyReport: (since: string, until: string) => call<Array<DayReport>>("history_report", { since, until }),
  exportReport: (since: string, until: string, path: string | null) => call<Exported | null>("export_report", { since, until, path }),
  readLockHistory: (target: Target, page: number) => call<number>("read_lock_history", { target, page }),
  auditStatus: () => call<Verification>("audit_status"),
  roleStatus: () => call<RoleStatus>("role_status"),
  managerUnlock: (pin: string) => call<RoleStatus>("manager_unlock", { pin }),
  managerLock: () => call<RoleStatus>("manager_lock"),
  setManagerPin: (pin: string) => call<RoleStatus>("set_manager_pin", { pin }),
  getSettings: () => call<SettingsView>("get_settings"),
  saveCloudSettings: (input: CloudInput) => call<SettingsView>("save_cloud_settings", { input }),
  saveStore: (input: StoreInput) => call<SettingsView>("save_store", { input }),
  saveArea: (input: AreaInput) => call<SettingsView>("save_area", { input }),
  removeDoor: (target: Target) => call<SettingsView>("remove_door", { target }),
  importLockQr: (target: Target, image: Array<number>) => call<SettingsView>("import_lock_qr", { target, image }),
  reservationSignIn: () => call<SignedIn>("reservation_sign_in"),
  exportSettings: () => call<ExportedFile>("export_settings"),
  previewImport: (text: string) => call<ImportPreview>("preview_import", { text }),
  importSettings: (text: string) => call<ImportReport>("import_settings", { text }),
  kioskAtLogin: (enabled: boolean | null) => call<boolean>("kiosk_at_login", { enabled }),
  facilitySettings: () => call<FacilitySettings>("facility_settings"),
  facilityCode: () => call<JoinCode>("facility_code"),
  facilityJoin: (input: JoinInput) => call<FacilitySettings>("facility_join", { input }),
  membersView: () => call<MembersView>("members_view"),
  memberSave: (form: MemberForm) => call<MemberRow>("member_save", { form }),
  memberDelete: (memberId: string) => call<void>("member_delete", { memberId }),
  memberFace: (memberId: string, photo: Array<number>) => call<string>("member_face", { memberId, photo }),
  memberFaceProgress: (requestId: string) => call<FaceState>("member_face_progress", { requestId }),
  memberFaceRemove: (memberId: string) => call<void>("member_face_remove", { memberId }),
  pushToKiosk: (guestId: string) => call<void>("push_to_kiosk", { guestId }),
  openKiosk: () => call<void>("open_kiosk"),
};

/** The commands granted to the kiosk window (capabilities/kiosk.json). */
export const kioskApi = {
  info: () => call<KioskInfo>("kiosk_info"),
  firstPin: (pin: string) => call<void>("kiosk_first_pin", { pin }),
  lookup: (lookup: KioskLookup) => call<KioskGuest>("kiosk_lookup", { lookup }),
  current: () => call<KioskGuest | null>("kiosk_current"),
  qr: () => call<QrView>("kiosk_qr"),
  reset: () => call<void>("kiosk_reset"),
  exit: (pin: string) => call<void>("kiosk_exit", { pin }),
};
