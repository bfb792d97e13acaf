// Typed calls into the Rust shell. Every failure becomes an `AppError` with a code
// and a message already worded in the UI's language by the core.
import { invoke } from "@tauri-apps/api/core";
import type { Lang } from "./messages";

export interface Store {
  id: string;
  name: string;
  name_kana: string | null;
  source: "reservation" | "manual";
  use_sesame: boolean;
  register_entrance_key: boolean;
  entrance_device_uuid: string | null;
  updated_at: number;
}

export interface Area {
  id: string;
  store_id: string;
  name: string;
  sort_order: number;
  device_uuid: string | null;
  source: "reservation" | "manual";
  updated_at: number;
}

export interface AppInfo {
  version: string;
  language: Lang;
  operator: string;
  not_ready: string | null;
  reservation_configured: boolean;
}

export type Target = { kind: "area" | "entrance"; id: string };
export type LockState = "locked" | "unlocked" | "moved" | "unknown";
export type Command = "lock" | "unlock";

export interface KnownStatus {
  uuid: string;
  state: LockState;
  battery_percentage: number | null;
  wm2_state: boolean | null;
  fetched_at: number;
}

export interface Door {
  target: Target;
  label: string;
  registered: boolean;
  status: KnownStatus | null;
}

export interface CommandReport {
  target: Target;
  label: string;
  uuid: string;
  command: Command;
  sent_at_ms: number;
  latency_ms: number;
  clock_offset_secs: number;
}

export interface Confirmation {
  confirmed: boolean;
  status: KnownStatus;
  reads: number;
}

export interface Usage {
  month: string;
  total: number;
  polls: number;
  commands: number;
  allowance: number;
  poll_budget: number;
}

export interface LockInfo {
  usage: Usage;
  clock_offset_secs: number;
  clock_warning: boolean;
  now: number;
}

export type GuestStatus = "upcoming" | "arrived" | "in" | "left" | "overstaying" | "no_show" | "cancelled";

export interface AccessSummary {
  splats_member_id: string;
  valid_from: number;
  valid_until: number;
  splats_area_ids: string[];
  issued_at: number;
  revoked_at: number | null;
}

export interface GuestView {
  id: string;
  store_id: string;
  booking_code: string | null;
  name: string;
  name_kana: string | null;
  phone_last4: string | null;
  starts_at: number;
  ends_at: number;
  area_ids: string[];
  source: "reservation" | "csv" | "walk_in";
  status: GuestStatus;
  arrived_at: number | null;
  checked_out_at: number | null;
  area_names: string[];
  access: AccessSummary | null;
  /** A SPLATS change still waiting in the outbox (shown as pending). */
  pending: PendingOp | null;
}

export interface PendingOp {
  op: "issue" | "update" | "revoke" | "delete";
  reason: string;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
}

export interface CheckedOut {
  revoked: boolean;
  pending: boolean;
}

/** One part of the background sync; its error is already in the UI's language. */
export interface SyncPart {
  enabled: boolean;
  last_at: number | null;
  last_ok: boolean | null;
  next_at: number | null;
  error: { code: string; message: string } | null;
}

export interface SyncStatus {
  reservation: SyncPart;
  splats: SyncPart;
  access: SyncPart;
  waiting: number;
  elsewhere: boolean;
  never: boolean;
}

export interface WalkIn {
  store_id: string;
  name: string;
  name_kana: string | null;
  phone: string | null;
  area_ids: string[];
  starts_at: number;
  ends_at: number;
}

export interface QrView {
  payload: string;
  step_start: number;
  step_end: number;
  timestep: number;
  clock_offset_secs: number;
  valid_from: number;
  valid_until: number;
  png: string;
  local: boolean;
}

export interface RoleStatus {
  role: "staff" | "manager";
  pin_set: boolean;
  remaining_secs: number | null;
}

/** A saved secret as the UI may see it: whether it is set, and a mask. Never the value. */
export interface SecretState {
  set: boolean;
  masked: string | null;
}

export interface CloudSettings {
  reservation_base_url: string | null;
  reservation_client_id: string | null;
  reservation_redirect_uri: string;
  reservation_client_secret: SecretState;
  reservation_token: SecretState;
  reservation_token_expires_at: number | null;
  sesame_base_url: string | null;
  sesame_api_key: SecretState;
  splats_base_url: string | null;
  splats_token: SecretState;
  splats_guest_membergroup_id: string | null;
}

export interface AreaSettings {
  id: string;
  store_id: string;
  name: string;
  sort_order: number;
  source: "reservation" | "manual";
  device_uuid: string | null;
  secret_key: SecretState;
  splats_area_id: string | null;
}

export interface StoreSettings {
  id: string;
  name: string;
  name_kana: string | null;
  source: "reservation" | "manual";
  use_sesame: boolean;
  register_entrance_key: boolean;
  entrance_device_uuid: string | null;
  entrance_secret_key: SecretState;
  splats_entrance_area_id: string | null;
  areas: AreaSettings[];
}

export interface SettingsView {
  clouds: CloudSettings;
  stores: StoreSettings[];
  splats_areas: { id: string; name: string }[];
}

/** A secret left null or empty keeps the saved one. */
export interface CloudInput {
  reservation_base_url: string | null;
  reservation_client_id: string | null;
  reservation_redirect_uri: string | null;
  reservation_client_secret: string | null;
  sesame_base_url: string | null;
  sesame_api_key: string | null;
  splats_base_url: string | null;
  splats_token: string | null;
  splats_guest_membergroup_id: string | null;
}

export interface StoreInput {
  id: string | null;
  name: string;
  name_kana: string | null;
  use_sesame: boolean;
  register_entrance_key: boolean;
  entrance_device_uuid: string | null;
  entrance_secret_key: string | null;
  splats_entrance_area_id: string | null;
}

export interface AreaInput {
  id: string | null;
  store_id: string;
  name: string;
  device_uuid: string | null;
  secret_key: string | null;
  splats_area_id: string | null;
}

export interface ImportReport {
  stores: number;
  areas: number;
  missing_keys: string[];
  missing_secrets: string[];
}

export type KioskLookup = { by: "code"; code: string } | { by: "phone"; last4: string; name: string };

export interface KioskGuest {
  name: string;
  area_names: string[];
  starts_at: number;
  ends_at: number;
}

export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Whatever the shell rejected with, as an AppError. */
export function toAppError(raw: unknown): AppError {
  if (raw instanceof AppError) return raw;
  if (raw && typeof raw === "object" && "code" in raw && "message" in raw) {
    const r = raw as { code: unknown; message: unknown };
    return new AppError(String(r.code), String(r.message));
  }
  return new AppError("internal", raw instanceof Error ? raw.message : String(raw));
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (raw) {
    throw toAppError(raw);
  }
}

export const api = {
  appInfo: () => call<AppInfo>("app_info"),
  setLanguage: (language: Lang) => call<void>("set_language", { language }),
  listStores: () => call<Store[]>("list_stores"),
  listAreas: (storeId: string | null) => call<Area[]>("list_areas", { storeId }),
  syncNow: () => call<SyncStatus>("sync_now"),
  syncStatus: () => call<SyncStatus>("sync_status"),
  setOperator: (name: string) => call<string>("set_operator", { name }),
  listDoors: (storeId: string) => call<Door[]>("list_doors", { storeId }),
  unlock: (target: Target) => call<CommandReport>("unlock", { target }),
  lock: (target: Target) => call<CommandReport>("lock", { target }),
  confirm: (target: Target, command: Command) => call<Confirmation>("confirm", { target, command }),
  refreshStatus: (target: Target) => call<KnownStatus>("refresh_status", { target }),
  lockInfo: () => call<LockInfo>("lock_info"),
  listGuests: (storeId: string, query: string | null) => call<GuestView[]>("list_guests", { storeId, query }),
  issueAccess: (guestId: string) => call<AccessSummary>("issue_access", { guestId }),
  guestQr: (guestId: string) => call<QrView>("guest_qr", { guestId }),
  checkIn: (guestId: string) => call<void>("check_in", { guestId }),
  checkOut: (guestId: string) => call<CheckedOut>("check_out", { guestId }),
  importCsv: (bytes: number[]) => call<number>("import_csv", { bytes }),
  addWalkIn: (walkIn: WalkIn) => call<GuestView>("add_walk_in", { walkIn }),
  roleStatus: () => call<RoleStatus>("role_status"),
  managerUnlock: (pin: string) => call<RoleStatus>("manager_unlock", { pin }),
  managerLock: () => call<RoleStatus>("manager_lock"),
  setManagerPin: (pin: string) => call<RoleStatus>("set_manager_pin", { pin }),
  getSettings: () => call<SettingsView>("get_settings"),
  saveCloudSettings: (input: CloudInput) => call<SettingsView>("save_cloud_settings", { input }),
  saveStore: (input: StoreInput) => call<SettingsView>("save_store", { input }),
  saveArea: (input: AreaInput) => call<SettingsView>("save_area", { input }),
  removeDoor: (target: Target) => call<SettingsView>("remove_door", { target }),
  reservationSignIn: () => call<{ expires_at: number | null }>("reservation_sign_in"),
  exportSettings: () => call<{ path: string; json: string }>("export_settings"),
  importSettings: (text: string) => call<ImportReport>("import_settings", { text }),
  pushToKiosk: (guestId: string) => call<void>("push_to_kiosk", { guestId }),
  openKiosk: () => call<void>("open_kiosk"),
};

/** The only commands the kiosk window's capability allows. */
export const kioskApi = {
  info: () => call<{ store_name: string; idle_reset_secs: number }>("kiosk_info"),
  lookup: (lookup: KioskLookup) => call<KioskGuest>("kiosk_lookup", { lookup }),
  current: () => call<KioskGuest | null>("kiosk_current"),
  qr: () => call<QrView>("kiosk_qr"),
  reset: () => call<void>("kiosk_reset"),
  exit: (pin: string) => call<void>("kiosk_exit", { pin }),
};
