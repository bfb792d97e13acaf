// Every string the UI shows, in Japanese (first, messages-ja.ts) and English
// (messages-en.ts). Keys are shared; a test checks that both languages have every key.

import { en } from "./messages-en";
import { ja } from "./messages-ja";

export type Lang = "ja" | "en";

export const messages = {
  ja,
  en,
} as const;

export type MessageKey = keyof typeof ja;

/** A SPLATS pass controller's state as the door card names it. */
export const passKey: Record<"open" | "offline" | "locked" | "unlocked", MessageKey> = {
  open: "passOpen",
  offline: "passOffline",
  locked: "passLocked",
  unlocked: "passUnlocked",
};

export const stateKey: Record<"locked" | "unlocked" | "moved" | "unknown", MessageKey> = {
  locked: "stateLocked",
  unlocked: "stateUnlocked",
  moved: "stateMoved",
  unknown: "stateUnknown",
};

/** The short name of a schedule day. */
export function dayKey(day: string): MessageKey {
  return `day${day}` as MessageKey;
}

/** The text for `key` in `lang`, with `{name}` placeholders filled from `params`. */
export function translate(lang: Lang, key: MessageKey, params: Record<string, string | number> = {}): string {
  const template: string = messages[lang][key] ?? messages.ja[key];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}
