import { describe, expect, it } from "vitest";
import { formatAge, formatOffset, formatTime, jstTimeToUnix, nextAgeChange, nextBoardChange } from "./format";

describe("formatAge", () => {
  it("picks the largest whole unit", () => {
    expect(formatAge(12, "ja")).toBe("1 分未満");
    expect(formatAge(185, "ja")).toBe("3 分前");
    expect(formatAge(7300, "en")).toBe("2 h ago");
    expect(formatAge(3 * 86400 + 5, "en")).toBe("3 d ago");
  });

  it("never shows a negative age (a clock a little ahead)", () => {
    expect(formatAge(-4, "en")).toBe("under a minute ago");
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
  it("shows JST hours and minutes", () => {
    // 2023-11-15 07:13:20 JST
    expect(formatTime(1_700_000_000)).toBe("07:13");
  });
});

describe("jstTimeToUnix", () => {
  // 2026-11-23 00:30 JST = 2026-11-22 15:30 UTC: still "today" in Japan.
  const now = Date.UTC(2026, 10, 22, 15, 30) / 1000;
  it("reads HH:MM on the Japanese day", () => {
    expect(jstTimeToUnix(now, "09:00")).toBe(Date.UTC(2026, 10, 23, 0, 0) / 1000);
    expect(formatTime(jstTimeToUnix(now, "18:45")!)).toBe("18:45");
  });
  it("refuses what is not a time", () => {
    expect(jstTimeToUnix(now, "25:00")).toBeNull();
    expect(jstTimeToUnix(now, "9時")).toBeNull();
  });
});
