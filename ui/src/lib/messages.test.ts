import { describe, expect, it } from "vitest";
import { messages, translate } from "./messages";

describe("messages", () => {
  it("has every key in both languages", () => {
    expect(Object.keys(messages.en).sort()).toEqual(Object.keys(messages.ja).sort());
  });

  it("has no empty text", () => {
    for (const lang of ["ja", "en"] as const) {
      for (const [key, text] of Object.entries(messages[lang])) {
        expect(text.trim(), `${lang}.${key}`).not.toBe("");
      }
    }
  });

  it("fills placeholders", () => {
    expect(translate("ja", "synced", { stores: 2, areas: 5 })).toBe("同期しました: 2 店舗 / 5 エリア");
    expect(translate("en", "synced", { stores: 2, areas: 5 })).toBe("Synced: 2 stores / 5 areas");
  });

  it("leaves unknown placeholders visible rather than blank", () => {
    expect(translate("en", "synced", { stores: 1 })).toBe("Synced: 1 stores / {areas} areas");
  });
});
