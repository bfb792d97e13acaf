// A USB barcode or QR scanner is a keyboard that types fast and ends with Enter. This
// tells its keystrokes from a person's, and reads a booking code out of what it typed.

/** Gaps between a scanner's keys are a few milliseconds; a person's, 80 ms or more. */
export const SCANNER_GAP_MS = 35;
/** Shorter than this is a person pressing keys, not a code. */
export const SCANNER_MIN_LENGTH = 3;

/** An Enter this soon after a printable key ends a scan, even one read only in part. */
export const SCANNER_ENTER_MS = 100;

/** Keys a scanner presses around the characters (Shift for a capital): they neither
 * add to a run nor break it. */
const MODIFIERS = new Set(["Shift", "Control", "Alt", "AltGraph", "Meta", "CapsLock"]);

/** What one key press meant: `scanned` the text a scan ended with; `fromScanner` an
 * Enter that a scanner typed (so it must not press the focused button), read or not. */
export type ScanKey = { scanned: string | null; fromScanner: boolean };

/**
 * Feeds key presses one at a time; `scanned` is the text when Enter ends a run of
 * printable keys each typed within SCANNER_GAP_MS of the one before.
 */
export class ScanReader {
  private text = "";
  private last = -Infinity;

  key(key: string, at: number, repeat = false): ScanKey {
    const none = { scanned: null, fromScanner: false };
    if (MODIFIERS.has(key) || repeat) return none;
    const gap = at - this.last;
    this.last = at;
    if (key === "Enter") {
      const scanned = gap <= SCANNER_GAP_MS && this.text.length >= SCANNER_MIN_LENGTH ? this.text : null;
      const fromScanner = scanned !== null || (this.text.length > 0 && gap <= SCANNER_ENTER_MS);
      this.text = "";
      return { scanned, fromScanner };
    }
    if (key.length !== 1) {
      this.text = "";
      return none;
    }
    this.text = gap <= SCANNER_GAP_MS ? this.text + key : key;
    return none;
  }
}

/**
 * The booking code in what a scanner read: the code itself (`RSV-1003`), or the
 * confirmation's QR when it is a link. The reservation system's reference does not
 * say what that QR holds [I]: a link is read for a `code`, `reservation_code`,
 * `booking_code` or `id` parameter, else its last path segment.
 */
export function bookingCodeIn(scanned: string): string {
  const text = scanned.trim();
  if (!/^https?:\/\//i.test(text)) return text;
  try {
    const url = new URL(text);
    for (const name of ["code", "reservation_code", "booking_code", "id"]) {
      const value = url.searchParams.get(name);
      if (value) return value.trim();
    }
    const segments = url.pathname.split("/").filter(Boolean);
    return decodeURIComponent(segments[segments.length - 1] ?? text);
  } catch {
    return text;
  }
}
