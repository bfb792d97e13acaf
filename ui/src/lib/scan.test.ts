import { describe, expect, it } from "vitest";
import { bookingCodeIn, ScanReader } from "./scan";

/** Types `text` then Enter, `gap` ms apart; a capital with Shift first, as scanners do. */
function type(reader: ScanReader, text: string, gap: number, from = 1000): string | null {
  let at = from;
  for (const ch of text) {
    if (ch !== ch.toLowerCase()) reader.key("Shift", at - 1);
    reader.key(ch, at);
    at += gap;
  }
  return reader.key("Enter", at).scanned;
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
    expect(r.key("Enter", 0)).toEqual({ scanned: null, fromScanner: false });
    expect(type(r, "R1", 5, 5000)).toBeNull();
  });
  it("keeps a run through Shift, and starts over after a pause or another key", () => {
    expect(type(new ScanReader(), "1003-AB", 6)).toBe("1003-AB");
    const r = new ScanReader();
    r.key("x", 0);
    r.key("ArrowDown", 5);
    expect(type(r, "R-2", 5, 10)).toBe("R-2");
  });
  it("says an Enter that ends a partly read scan came from the scanner", () => {
    const r = new ScanReader();
    r.key("A", 0);
    r.key("B", 60); // one gap too long on a busy PC: the run starts over at B
    expect(r.key("Enter", 70)).toEqual({ scanned: null, fromScanner: true });
    expect(r.key("Enter", 2000)).toEqual({ scanned: null, fromScanner: false });
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
