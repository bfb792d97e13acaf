// The one place the UI calls into the Rust shell. The commands and their types are
// generated (./bindings.ts); this file only turns every failure into an `AppError`
// with a stable code and a message already worded in the UI's language by the core.
import { invoke } from "@tauri-apps/api/core";
import type { ErrorCode } from "./bindings";

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
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
    return new AppError(String(r.code) as ErrorCode, String(r.message));
  }
  return new AppError("internal", raw instanceof Error ? raw.message : String(raw));
}

/** Calls one command; used by the generated wrappers in ./bindings.ts. */
export async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (raw) {
    throw toAppError(raw);
  }
}
