import { describe, expect, it } from "vitest";
import { AppError } from "./api";
import { invalid } from "./fields";

describe("invalid", () => {
  it("marks the field an error code is about, and no other", () => {
    const e = new AppError("uuid_invalid", "UUID の形式が正しくありません");
    expect(invalid(e, "uuid")).toBe(true);
    expect(invalid(e, "secret")).toBe(false);
    expect(invalid(new AppError("secret_key_invalid", "…"), "secret")).toBe(true);
    expect(invalid(new AppError("unreachable", "…"), "uuid")).toBe(false);
    expect(invalid(null, "uuid")).toBe(false);
  });
});
