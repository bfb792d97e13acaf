// Small pure formatting helpers, tested in format.test.ts.
import type { Lang } from "./messages";

/**
 * "1 分未満" / "3 分前" / "2 時間前" / "4 日前", or the English equivalent. No seconds:
 * the text then changes at most once a minute, so nothing needs to wake the page more
 * often (see `nextAgeChange`).
 */
export function formatAge(secondsAgo: number, lang: Lang): string {
  const s = Math.max(0, Math.floor(secondsAgo));
  if (s < 60) return lang === "ja" ? "1 分未満" : "under a minute ago";
  const [n, ja, en] =
    s < 3600
        ? [Math.floor(s / 60), "分", "min"]
        : s < 86400
          ? [Math.floor(s / 3600), "時間", "h"]
          : [Math.floor(s / 86400), "日", "d"];
  return lang === "ja" ? `${n} ${ja}前` : `${n} ${en} ago`;
}

/** "+45 秒" style signed seconds. */
export function formatOffset(seconds: number): string {
  return `${seconds > 0 ? "+" : ""}${seconds}`;
}

/** "09:30" in Japan time, whatever the PC's zone: bookings are in JST. */
export function formatTime(unix: number): string {
  const d = new Date((unix + 9 * 3600) * 1000);
  return `${String(d.getUTCHours()).padStart(2, "0")}:${String(d.getUTCMinutes()).padStart(2, "0")}`;
}

/** Today's "HH:MM" in Japan time as Unix seconds; `now` picks the JST day. */
export function jstTimeToUnix(now: number, hhmm: string): number | null {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm.trim());
  if (!m) return null;
  const [h, min] = [Number(m[1]), Number(m[2])];
  if (h > 23 || min > 59) return null;
  const jstMidnight = Math.floor((now + 9 * 3600) / 86400) * 86400 - 9 * 3600;
  return jstMidnight + h * 3600 + min * 60;
}

/** Seconds until `formatAge(secondsAgo)` reads differently. */
export function nextAgeChange(secondsAgo: number): number {
  const s = Math.max(0, Math.floor(secondsAgo));
  const unit = s < 3600 ? 60 : s < 86400 ? 3600 : 86400;
  return unit - (s % unit);
}

/** A reading older than this is marked out of date on the door board. */
export const STALE_SECS = 15 * 60;

/**
 * When the door board next reads differently by itself (an age's words, or a reading
 * turning stale), in seconds from `now`; `null` when nothing on it ages.
 */
export function nextBoardChange(readAts: number[], now: number): number | null {
  const waits = readAts.flatMap((at) => {
    const age = now - at;
    return age < STALE_SECS ? [nextAgeChange(age), STALE_SECS - age] : [nextAgeChange(age)];
  });
  return waits.length ? Math.max(1, Math.min(...waits)) : null;
}

/** The store list's "all stores" entry: the overview instead of one store's board. */
export const ALL_STORES = "*";
