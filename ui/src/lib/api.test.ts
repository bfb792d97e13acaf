import { describe, expect, it } from "vitest";
import { AppError, toAppError } from "./api";

describe("toAppError", () => {
  it("keeps the shell's code and message", () => {
    const e = toAppError({ code: "unreachable", message: "予約システム に接続できません" });
    expect(e).toBeInstanceOf(AppError);
    expect(e.code).toBe("unreachable");
    expect(e.message).toBe("予約システム に接続できません");
  });

  it("wraps anything else as internal", () => {
    expect(toAppError("boom").code).toBe("internal");
    expect(toAppError(new Error("x")).message).toBe("x");
  });
});
