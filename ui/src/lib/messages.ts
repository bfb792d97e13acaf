// Every string the UI shows, in Japanese (first) and English.
// Keys are shared; a test checks that both languages have every key.

export type Lang = "ja" | "en";

export const messages = {
  ja: {
    appTitle: "受付",
    appSubtitle: "Uketsuke",
    stores: "店舗",
    areas: "エリア",
    sync: "同期",
    syncing: "同期中…",
    synced: "同期しました: {stores} 店舗 / {areas} エリア",
    noStores: "店舗がまだありません。「同期」を押して予約システムから取得してください。",
    noAreas: "この店舗にはエリアがありません。",
    chooseStore: "左の一覧から店舗を選んでください。",
    lock: "錠",
    lockNotSet: "未設定",
    notReady: "アプリを開始できません",
    errorTitle: "エラー",
    dismiss: "閉じる",
    switchLang: "English",
    loading: "読み込み中…",
  },
  en: {
    appTitle: "Uketsuke",
    appSubtitle: "受付",
    stores: "Stores",
    areas: "Areas",
    sync: "Sync",
    syncing: "Syncing…",
    synced: "Synced: {stores} stores / {areas} areas",
    noStores: "No stores yet. Press “Sync” to fetch them from the reservation system.",
    noAreas: "This store has no areas.",
    chooseStore: "Choose a store from the list.",
    lock: "Lock",
    lockNotSet: "not set",
    notReady: "The app cannot start",
    errorTitle: "Error",
    dismiss: "Dismiss",
    switchLang: "日本語",
    loading: "Loading…",
  },
} as const;

export type MessageKey = keyof (typeof messages)["ja"];

/** The text for `key` in `lang`, with `{name}` placeholders filled from `params`. */
export function translate(lang: Lang, key: MessageKey, params: Record<string, string | number> = {}): string {
  const template: string = messages[lang][key] ?? messages.ja[key];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}
