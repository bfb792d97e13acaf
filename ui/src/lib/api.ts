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

export interface Changes {
  stores_upserted: number;
  stores_retired: number;
  areas_upserted: number;
  areas_retired: number;
}

export interface AppInfo {
  version: string;
  language: Lang;
  not_ready: string | null;
  reservation_configured: boolean;
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
  syncNow: () => call<Changes>("sync_now"),
};
