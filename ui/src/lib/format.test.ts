import { describe, expect, it } from "vitest";
import {
  formatAge,
  formatCountdown,
  formatOffset,
  formatTime,
  jstDate,
  jstTimeToUnix,
  nextAgeChange,
  nextBoardChange,
} from "./format";

describe("formatAge", () => {
  it("picks the largest whole unit, in the language's words (Intl.RelativeTimeFormat)", () => {
    expect(formatAge(12, "ja")).toBe("1 分以内");
    expect(formatAge(185, "ja")).toBe("3 分前");
    expect(formatAge(7300, "ja")).toBe("2 時間前");
    expect(formatAge(3 * 86400 + 5, "ja")).toBe("3 日前");
    expect(formatAge(12, "en")).toBe("this minute");
    expect(formatAge(60, "en")).toBe("1 minute ago");
    expect(formatAge(7300, "en")).toBe("2 hours ago");
    expect(formatAge(3 * 86400 + 5, "en")).toBe("3 days ago");
  });

  it("says a day in days, not the calendar's “yesterday”", () => {
    expect(formatAge(86400 + 60, "ja")).toBe("1 日前");
    expect(formatAge(86400 + 60, "en")).toBe("1 day ago");
  });

  it("never shows a negative age (a clock a little ahead)", () => {
    expect(formatAge(-4, "en")).toBe("this minute");
    expect(formatAge(-4, "ja")).toBe("1 分以内");
  });
});

describe("nextBoardChange", () => {
  it("wakes when an age's words change or a reading turns stale, and not otherwise", () => {
    expect(nextAgeChange(12)).toBe(48);
    expect(nextAgeChange(185)).toBe(55);
    expect(nextAgeChange(7300)).toBe(3500);
    expect(nextBoardChange([], 1000)).toBeNull();
    expect(nextBoardChange([1000 - 890], 1000)).toBe(10); // stale at 900 s
    expect(nextBoardChange([1000 - 7300], 1000)).toBe(3500);
  });
});

describe("formatOffset", () => {
  it("signs the offset", () => {
    expect(formatOffset(45)).toBe("+45");
    expect(formatOffset(-3)).toBe("-3");
    expect(formatOffset(0)).toBe("0");
  });
});

describe("formatTime", () => {
  it("shows JST hours and minutes, 24-hour and zero-padded", () => {
    // 2023-11-15 07:13:20 JST
    expect(formatTime(1_700_000_000)).toBe("07:13");
    // 2026-11-22 15:05 UTC is five past midnight in Japan, and 14:30 UTC half past eleven.
    expect(formatTime(Date.UTC(2026, 10, 22, 15, 5) / 1000)).toBe("00:05");
    expect(formatTime(Date.UTC(2026, 10, 22, 14, 30) / 1000)).toBe("23:30");
  });
});

describe("jstDate", () => {
  it("gives the Japanese day as YYYY-MM-DD, for the date inputs", () => {
    expect(jstDate(Date.UTC(2026, 11, 1, 15, 0) / 1000)).toBe("2026-12-02"); // 00:00 JST
    expect(jstDate(Date.UTC(2026, 11, 1, 14, 59, 59) / 1000)).toBe("2026-12-01"); // 23:59:59 JST
    expect(jstDate(Date.UTC(2026, 0, 5, 3, 0) / 1000)).toBe("2026-01-05");
  });
});

describe("formatCountdown", () => {
  it("shows minutes and two-digit seconds, never below zero", () => {
    expect(formatCountdown(247)).toBe("4:07");
    expect(formatCountdown(600)).toBe("10:00");
    expect(formatCountdown(-3)).toBe("0:00");
  });
});

describe("jstTimeToUnix", () => {
  // 2026-11-23 00:30 JST = 2026-11-22 15:30 UTC: still "today" in Japan.
  const now = Date.UTC(2026, 10, 22, 15, 30) / 1000;
  it("reads HH:MM on the Japanese day", () => {
    expect(jstTimeToUnix(now, "09:00")).toBe(Date.UTC(2026, 10, 23, 0, 0) / 1000);
    expect(jstTimeToUnix(now, "00:00")).toBe(Date.UTC(2026, 10, 22, 15, 0) / 1000);
    expect(jstTimeToUnix(now + 0.6, "9:05")).toBe(Date.UTC(2026, 10, 23, 0, 5) / 1000);
    expect(jstTimeToUnix(Date.UTC(2026, 10, 23, 14, 59) / 1000, "23:59")).toBe(Date.UTC(2026, 10, 23, 14, 59) / 1000);
    expect(formatTime(jstTimeToUnix(now, "18:45")!)).toBe("18:45");
  });
  it("refuses what is not a time", () => {
    expect(jstTimeToUnix(now, "25:00")).toBeNull();
    expect(jstTimeToUnix(now, "9時")).toBeNull();
  });
});
