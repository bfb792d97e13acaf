// Which form field an error is about, by its stable code, so that a form can mark
// the field (aria-invalid) next to the message. Codes come from the Rust `Code`.
import type { ErrorCode } from "./bindings";
import type { AppError } from "./api";

export type Field = "uuid" | "secret" | "apiKey" | "name" | "splatsArea";

const fieldOf: Partial<Record<ErrorCode, Field>> = {
  uuid_invalid: "uuid",
  lock_in_use: "uuid",
  entrance_needs_lock: "uuid",
  secret_key_invalid: "secret",
  secret_key_missing: "secret",
  secret_key_without_uuid: "uuid",
  api_key_invalid: "apiKey",
  name_missing: "name",
  store_name_taken: "name",
  area_name_taken: "name",
  splats_area_unknown: "splatsArea",
  splats_area_gone: "splatsArea",
};

/** Whether `error` is about `field`. */
export function invalid(error: AppError | null, field: Field): boolean {
  return error !== null && fieldOf[error.code] === field;
}
