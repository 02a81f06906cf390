import { describe, expect, it } from "bun:test";
import { windowAt } from "./period.ts";

const at = (iso: string) => Date.parse(iso);

describe("budget windows", () => {
  it("align days, hours and minutes to UTC", () => {
    expect(windowAt("1d", at("2026-11-25T13:45:00Z"))).toEqual({
      start: at("2026-11-25T00:00:00Z"),
      end: at("2026-11-26T00:00:00Z"),
    });
    expect(windowAt("6h", at("2026-11-25T13:45:00Z")).start).toBe(at("2026-11-25T12:00:00Z"));
    expect(windowAt("30m", at("2026-11-25T13:45:00Z")).start).toBe(at("2026-11-25T13:30:00Z"));
  });

  it("starts weeks on Monday and months on the first", () => {
    expect(windowAt("1w", at("2026-11-25T13:45:00Z")).start).toBe(at("2026-11-23T00:00:00Z"));
    expect(windowAt("1mo", at("2026-12-31T23:00:00Z"))).toEqual({
      start: at("2026-12-01T00:00:00Z"),
      end: at("2027-01-01T00:00:00Z"),
    });
    expect(windowAt("3mo", at("2026-11-25T00:00:00Z")).start).toBe(at("2026-10-01T00:00:00Z"));
  });
});
