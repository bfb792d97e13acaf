import { describe, expect, it } from "vitest";
import { bookingCodeIn, ScanReader } from "./scan";

/** Types `text` then Enter, `gap` ms apart. */
function type(reader: ScanReader, text: string, gap: number, from = 1000): string | null {
  let at = from;
  for (const ch of text) {
    reader.key(ch, at);
    at += gap;
  }
  return reader.key("Enter", at);
}

describe("a scanner is told from a person", () => {
  it("reads a fast run that ends with Enter", () => {
    expect(type(new ScanReader(), "RSV-1003", 8)).toBe("RSV-1003");
  });
  it("ignores a person typing and pressing Enter", () => {
    expect(type(new ScanReader(), "RSV-1003", 120)).toBeNull();
  });
  it("ignores a lone Enter and a too short run", () => {
    const r = new ScanReader();
    expect(r.key("Enter", 0)).toBeNull();
    expect(type(r, "R1", 5, 5000)).toBeNull();
  });
  it("starts over after a pause or a non-printable key", () => {
    const r = new ScanReader();
    r.key("x", 0);
    r.key("Shift", 5);
    expect(type(r, "R-2", 5, 10)).toBe("R-2");
  });
});

describe("the booking code in a scan", () => {
  it("is the text itself, trimmed", () => {
    expect(bookingCodeIn(" RSV-1003 ")).toBe("RSV-1003");
  });
  it("is a link's code parameter, or its last segment", () => {
    expect(bookingCodeIn("https://yoyaku.example.jp/r?code=RSV-1003&x=1")).toBe("RSV-1003");
    expect(bookingCodeIn("https://yoyaku.example.jp/reservations/RSV-1004")).toBe("RSV-1004");
    expect(bookingCodeIn("https://yoyaku.example.jp/r?reservation_code=R-9")).toBe("R-9");
  });
});
