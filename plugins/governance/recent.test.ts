import { describe, expect, it } from "bun:test";
import { MAX_PROMPT_RATIO, RECENT, RecentUsage } from "./recent.ts";

describe("recent usage", () => {
  it("expects max_tokens, or the default, before any answer from the model", () => {
    const r = new RecentUsage();
    expect(r.expected("k", "up/m", 100, 50, 1024)).toEqual({ promptTokens: 100, outputTokens: 50 });
    expect(r.expected("k", "up/m", 100, undefined, 1024).outputTokens).toBe(1024);
  });

  it("expects the largest of the key's recent answers, never above max_tokens", () => {
    const r = new RecentUsage();
    for (const out of [12, 40, 9]) r.record("k", "up/m", 100, 100, out);
    expect(r.expected("k", "up/m", 100, undefined, 1024).outputTokens).toBe(40);
    expect(r.expected("k", "up/m", 100, 30, 1024).outputTokens).toBe(30);
  });

  it("forgets answers older than the last RECENT", () => {
    const r = new RecentUsage();
    r.record("k", "up/m", 100, 100, 500);
    for (let i = 0; i < RECENT; i++) r.record("k", "up/m", 100, 100, 10);
    expect(r.expected("k", "up/m", 100, undefined, 1024).outputTokens).toBe(10);
  });

  it("scales the prompt estimate by how much the provider counted over it, within bounds", () => {
    const r = new RecentUsage();
    r.record("k", "up/m", 100, 250, 1);
    expect(r.expected("k", "up/m", 40, undefined, 1).promptTokens).toBe(100);
    r.record("k", "up/m", 10, 1000, 1);
    expect(r.expected("k", "up/m", 10, undefined, 1).promptTokens).toBe(10 * MAX_PROMPT_RATIO);
  });

  it("keeps each key's history to itself", () => {
    const r = new RecentUsage();
    r.record("old", "up/m", 100, 100, 20);
    expect(r.expected("new", "up/m", 100, undefined, 1024).outputTokens).toBe(1024);
  });
});
