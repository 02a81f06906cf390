import { describe, expect, it } from "bun:test";
import { cleanUsage, MAX_TOKEN_COUNT } from "./usage.ts";

describe("usage from an upstream", () => {
  it("is kept as it is when every count is a whole number in range", () => {
    const u = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };
    expect(cleanUsage(u)).toBe(u);
  });

  it("never lets cached tokens exceed the prompt (a cost below zero would credit a budget)", () => {
    const u = cleanUsage({
      prompt_tokens: 10,
      completion_tokens: 0,
      total_tokens: 10,
      prompt_tokens_details: { cached_tokens: 10_000_000 },
    });
    expect(u?.prompt_tokens_details?.cached_tokens).toBe(10);
  });

  it("raises a total below prompt plus completion, and holds huge counts to the maximum", () => {
    expect(
      cleanUsage({ prompt_tokens: 7, completion_tokens: 3, total_tokens: 0 })?.total_tokens,
    ).toBe(10);
    const huge = cleanUsage({ prompt_tokens: 1e308, completion_tokens: 1e20, total_tokens: 1 });
    expect(huge?.prompt_tokens).toBe(MAX_TOKEN_COUNT);
    expect(huge?.completion_tokens).toBe(MAX_TOKEN_COUNT);
    expect(Number.isSafeInteger(huge!.total_tokens)).toBe(true);
  });

  it("turns negative, fractional and non-number counts into whole numbers of at least 0", () => {
    const u = cleanUsage({ prompt_tokens: -5, completion_tokens: 2.2, total_tokens: "9" });
    expect(u).toEqual({ prompt_tokens: 0, completion_tokens: 3, total_tokens: 3 });
  });
});
