// The UI language as reactive state. Japanese until the user switches.
import { translate, type Lang, type MessageKey } from "./messages";

export const locale = $state<{ lang: Lang }>({ lang: "ja" });

export function t(key: MessageKey, params?: Record<string, string | number>): string {
  return translate(locale.lang, key, params);
}
