// Small pure formatting helpers, tested in format.test.ts. Times of day and dates are
// Japan time whatever the PC's zone (bookings are in JST), read and written by Intl
// (`Intl.DateTimeFormat` in Asia/Tokyo, `Intl.RelativeTimeFormat`), never by an offset.
import type { Lang } from "./messages";

/** The zone every time on the desk is shown in. */
export const TIME_ZONE = "Asia/Tokyo";

/** "3 分前", "2 hours ago". */
const ago: Record<Lang, Intl.RelativeTimeFormat> = {
  ja: new Intl.RelativeTimeFormat("ja", { numeric: "always" }),
  en: new Intl.RelativeTimeFormat("en", { numeric: "always" }),
};
/** The current minute in words: "1 分以内", "this minute". */
const thisMinute: Record<Lang, string> = {
  ja: new Intl.RelativeTimeFormat("ja", { numeric: "auto" }).format(0, "minute"),
  en: new Intl.RelativeTimeFormat("en", { numeric: "auto" }).format(0, "minute"),
};

/** The unit an age is told in and its length in seconds: minutes, then hours, then days. */
function ageUnit(seconds: number): [Intl.RelativeTimeFormatUnit, number] {
  return seconds < 3600 ? ["minute", 60] : seconds < 86400 ? ["hour", 3600] : ["day", 86400];
}

/**
 * "1 分以内" / "3 分前" / "2 時間前" / "4 日前", or "this minute" / "3 minutes ago" / …
 * (`Intl.RelativeTimeFormat`). No seconds: the text then changes at most once a minute,
 * so nothing needs to wake the page more often (see `nextAgeChange`).
 */
export function formatAge(secondsAgo: number, lang: Lang): string {
  const s = Math.max(0, Math.floor(secondsAgo));
  if (s < 60) return thisMinute[lang];
  const [unit, length] = ageUnit(s);
  return ago[lang].format(-Math.floor(s / length), unit);
}

/** "+45 秒" style signed seconds. */
export function formatOffset(seconds: number): string {
  return `${seconds > 0 ? "+" : ""}${seconds}`;
}

/** 24-hour "HH:MM", the form `<input type="time">` takes too. */
const clock = new Intl.DateTimeFormat("ja-JP", {
  timeZone: TIME_ZONE,
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});

/** "09:30" in Japan time, whatever the PC's zone: bookings are in JST. */
export function formatTime(unix: number): string {
  return clock.format(unix * 1000);
}

/** The Japan-time calendar date and clock of an instant, read by Intl. */
const parts = new Intl.DateTimeFormat("en-US", {
  timeZone: TIME_ZONE,
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
});

type Part = "year" | "month" | "day" | "hour" | "minute" | "second";

function jstParts(unix: number): Record<Part, string> {
  const got: Record<Part, string> = { year: "", month: "", day: "", hour: "", minute: "", second: "" };
  for (const p of parts.formatToParts(Math.floor(unix) * 1000)) {
    if (p.type in got) got[p.type as Part] = p.value;
  }
  return got;
}

/** `YYYY-MM-DD`, the Japan-time day of `unix`: what `<input type="date">` and the reports use. */
export function jstDate(unix: number): string {
  const p = jstParts(unix);
  return `${p.year}-${p.month}-${p.day}`;
}

/** Today's "HH:MM" in Japan time as Unix seconds; `now` picks the JST day. */
export function jstTimeToUnix(now: number, hhmm: string): number | null {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm.trim());
  if (!m) return null;
  const [h, min] = [Number(m[1]), Number(m[2])];
  if (h > 23 || min > 59) return null;
  const p = jstParts(now);
  const jstMidnight = Math.floor(now) - (Number(p.hour) * 3600 + Number(p.minute) * 60 + Number(p.second));
  return jstMidnight + h * 3600 + min * 60;
}

/** "4:07": a countdown in minutes and seconds (a duration, not a time of day). */
export function formatCountdown(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/** Seconds until `formatAge(secondsAgo)` reads differently. */
export function nextAgeChange(secondsAgo: number): number {
  const s = Math.max(0, Math.floor(secondsAgo));
  const [, length] = ageUnit(s);
  return length - (s % length);
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
