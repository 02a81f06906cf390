/**
 * One suite, two limiters: in memory and in the real Redis on this machine (a fresh key prefix
 * per test). Both must hold to the same rules exactly.
 */
import { afterAll, describe, expect, it } from "bun:test";
import { createMemoryLimiter } from "./memory.ts";
import { createRedisLimiter, type RedisLimiter } from "./redis.ts";
import type { LevelLimits, Limiter } from "./types.ts";

const REDIS_URL = process.env.SWITCHYARD_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const opened: Limiter[] = [];
afterAll(async () => {
  for (const l of opened) await l.close();
});

const window = { windowStart: Date.UTC(2026, 0, 1), windowEnd: Date.now() + 86_400_000 };

function suite(name: string, make: () => Limiter) {
  describe(`${name} limiter`, () => {
    it("admits exactly the requests per minute, then refuses with a Retry-After within the minute", async () => {
      const l = make();
      const levels: LevelLimits[] = [{ scope: "key:a", rpm: 5 }];
      const results = [];
      for (let i = 0; i < 8; i++) results.push(await l.admit({ levels, tokens: 0, costMicros: 0 }));
      expect(results.filter((r) => r.ok).length).toBe(5);
      const refused = results[5]!;
      if (refused.ok) throw new Error("expected a refusal");
      expect(refused.reason).toBe("requests");
      expect(refused.retryAfterS).toBeGreaterThanOrEqual(1);
      expect(refused.retryAfterS).toBeLessThanOrEqual(60);
      const first = results[0]!;
      expect(first.ok && first.requests).toEqual({ limit: 5, remaining: 4, resetS: 12 });
    });

    it("admits exactly N of many concurrent requests", async () => {
      const l = make();
      const levels: LevelLimits[] = [{ scope: "key:c", rpm: 7 }];
      const results = await Promise.all(
        Array.from({ length: 30 }, () => l.admit({ levels, tokens: 0, costMicros: 0 })),
      );
      expect(results.filter((r) => r.ok).length).toBe(7);
    });

    it("checks every level before charging any", async () => {
      const l = make();
      const key: LevelLimits = { scope: "key:k", rpm: 5 };
      const team: LevelLimits = { scope: "team:t", rpm: 2 };
      const both = [key, team];
      expect((await l.admit({ levels: both, tokens: 0, costMicros: 0 })).ok).toBe(true);
      expect((await l.admit({ levels: both, tokens: 0, costMicros: 0 })).ok).toBe(true);
      const third = await l.admit({ levels: both, tokens: 0, costMicros: 0 });
      expect(third.ok ? "" : third.scope).toBe("team:t");
      // The refusal charged nothing: the key alone still has three requests left.
      for (let i = 0; i < 3; i++)
        expect((await l.admit({ levels: [key], tokens: 0, costMicros: 0 })).ok).toBe(true);
      expect((await l.admit({ levels: [key], tokens: 0, costMicros: 0 })).ok).toBe(false);
    });

    it("reserves estimated tokens and gives back what the real usage did not take", async () => {
      const l = make();
      const levels: LevelLimits[] = [{ scope: "key:t", tpm: 1000 }];
      expect((await l.admit({ levels, tokens: 600, costMicros: 0 })).ok).toBe(true);
      const second = await l.admit({ levels, tokens: 600, costMicros: 0 });
      expect(second.ok ? "" : second.reason).toBe("tokens");
      await l.settle({
        levels,
        reservedTokens: 600,
        reservedMicros: 0,
        tokens: 100,
        costMicros: 0,
      });
      expect((await l.admit({ levels, tokens: 600, costMicros: 0 })).ok).toBe(true);
    });

    it("admits concurrent requests only while what they reserve still fits the budget", async () => {
      const l = make();
      const levels: LevelLimits[] = [{ scope: "key:b", budget: { maxMicros: 1000, ...window } }];
      const results = await Promise.all(
        Array.from({ length: 20 }, () => l.admit({ levels, tokens: 0, costMicros: 400 })),
      );
      const admitted = results.filter((r) => r.ok).length;
      expect(admitted).toBe(2); // 400 and 800 fit in 1000; a third 400 would not
      for (let i = 0; i < admitted; i++) {
        await l.settle({
          levels,
          reservedTokens: 0,
          reservedMicros: 400,
          tokens: 0,
          costMicros: 400,
        });
      }
      const [state] = await l.budgets(levels);
      expect(state).toEqual({ scope: "key:b", spentMicros: 800, reservedMicros: 0 });
      const tooMuch = await l.admit({ levels, tokens: 0, costMicros: 300 });
      expect(tooMuch.ok ? "" : tooMuch.reason).toBe("budget");
      expect(tooMuch.ok ? 0 : tooMuch.retryAfterS).toBeGreaterThan(0);
      expect((await l.admit({ levels, tokens: 0, costMicros: 200 })).ok).toBe(true);
    });

    it("is passed only by what a request used beyond its reservation, then refuses", async () => {
      const l = make();
      const levels: LevelLimits[] = [{ scope: "key:c", budget: { maxMicros: 1000, ...window } }];
      expect((await l.admit({ levels, tokens: 0, costMicros: 900 })).ok).toBe(true);
      await l.settle({
        levels,
        reservedTokens: 0,
        reservedMicros: 900,
        tokens: 0,
        costMicros: 1150,
      });
      const [state] = await l.budgets(levels);
      expect(state!.spentMicros).toBe(1150);
      const after = await l.admit({ levels, tokens: 0, costMicros: 0 });
      expect(after.ok ? "" : after.reason).toBe("budget");
    });
  });
}

suite("memory", () => createMemoryLimiter());
suite("Redis", () => {
  const l = createRedisLimiter(REDIS_URL, {
    prefix: `switchyard:test:${crypto.randomUUID()}:`,
    timeoutMs: 1000,
  });
  opened.push(l);
  return l;
});

describe("Redis limiter: counts carried back after an outage", () => {
  const make = (): RedisLimiter => {
    const l = createRedisLimiter(REDIS_URL, {
      prefix: `switchyard:test:${crypto.randomUUID()}:`,
      timeoutMs: 1000,
    });
    opened.push(l);
    return l;
  };
  const level: LevelLimits = { scope: "key:m", budget: { maxMicros: 10_000, ...window } };
  const carried = (spentDelta: number) => [
    {
      level,
      state: { budget: { spent: spentDelta, reserved: 0 } },
      spentDelta,
      reservedDelta: 0,
    },
  ];

  it("adds a merge sent again under the same id once (its first answer was lost)", async () => {
    const l = make();
    expect((await l.budgets([level]))[0]!.spentMicros).toBe(0); // connected: merges skip the queue
    await l.merge(carried(300), "outage-1");
    await l.merge(carried(300), "outage-1");
    expect((await l.budgets([level]))[0]!.spentMicros).toBe(300);
    // Another outage's merge is another id: it is added.
    await l.merge(carried(200), "outage-2");
    expect((await l.budgets([level]))[0]!.spentMicros).toBe(500);
  });

  it("keeps Redis's own count and adds what the instance spent while it was away", async () => {
    const l = make();
    expect((await l.admit({ levels: [level], tokens: 0, costMicros: 400 })).ok).toBe(true);
    await l.settle({
      levels: [level],
      reservedTokens: 0,
      reservedMicros: 400,
      tokens: 0,
      costMicros: 400,
    });
    await l.merge(carried(250), "outage-3");
    expect((await l.budgets([level]))[0]!.spentMicros).toBe(650);
  });
});
