/**
 * A stalled dependency is a dependency that is down. A Redis of the test's own is frozen with
 * SIGSTOP (its connections stay open, nothing answers) and restarted empty; PostgreSQL is reached
 * through a proxy the test freezes (the machine's server itself is never stopped). Every user of
 * them (rate limits, budgets, the key store, the response cache, request logs, the admin API)
 * answers promptly with its documented outcome, and counts survive the switch both ways.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { URL as NodeUrl } from "node:url";
import { startGateway, type TestGateway } from "./helpers/gateway.ts";
import { startFreezableProxy, type FreezableProxy } from "./helpers/freezable-proxy.ts";
import { PG_URL, useTestSchema } from "./helpers/postgres-schema.ts";
import { startPrivateRedis, type PrivateRedis } from "./helpers/private-redis.ts";

const KEY = "sk-sy-stalled-caller-key-0001";
const OTHER = "sk-sy-stalled-other-key-00001";
const ADMIN = "admin-key-for-stalled-tests-01";
/** A hung dependency used to cost 5 s and a 500; a down one must answer well within this. */
const PROMPT_MS = 2000;
/**
 * `storage.timeout_ms` here: the first call into a frozen dependency waits this long and marks it
 * down; the calls after it must not wait at all (well under half of it).
 */
const STALL_MS = 600;
const AT_ONCE_MS = STALL_MS / 2;

let redis: PrivateRedis;

beforeAll(async () => {
  redis = await startPrivateRedis();
});

afterAll(() => redis.stop());

async function ask(gw: TestGateway, key = KEY, headers: Record<string, string> = {}) {
  const started = performance.now();
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}`, ...headers },
    body: JSON.stringify({ model: "mock/echo", messages: [{ role: "user", content: "hi" }] }),
  });
  const body = (await res.json()) as { error?: { code: string } };
  return {
    status: res.status,
    code: body.error?.code,
    ms: performance.now() - started,
    cache: res.headers.get("x-switchyard-cache"),
  };
}

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await Bun.sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}

function limitedGateway(mode: "open" | "closed") {
  return startGateway({
    providers: { mock: { type: "mock" } },
    storage: { redis_url: redis.url, sqlite_path: ":memory:", timeout_ms: STALL_MS },
    governance: {
      on_redis_error: mode,
      virtual_keys: [{ key: KEY, name: "limited", rate_limit: { requests_per_minute: 10 } }],
    },
  });
}

describe("a Redis that stops answering", () => {
  it("open: limits are held on this instance from where they stood, and carried back after", async () => {
    const gw = await limitedGateway("open");
    try {
      for (let i = 0; i < 4; i++) expect((await ask(gw)).status).toBe(200);
      redis.freeze();
      const during = [];
      for (let i = 0; i < 8; i++) during.push(await ask(gw));
      expect(during.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200, 429, 429]);
      expect(Math.max(...during.map((r) => r.ms))).toBeLessThan(PROMPT_MS);
      redis.thaw();
      await until(
        () => gw.logs.some((l) => l.includes("counts were carried back")),
        "Redis to be back",
      );
      // Redis now holds the requests admitted while it was away: the minute's ten are spent.
      expect((await ask(gw)).status).toBe(429);
    } finally {
      redis.thaw();
      await gw.stop();
      await redis.restart();
    }
  });

  it("closed: requests are refused with 503 at once, not held", async () => {
    const gw = await limitedGateway("closed");
    try {
      expect((await ask(gw)).status).toBe(200);
      redis.freeze();
      const during = await ask(gw);
      expect(during.status).toBe(503);
      expect(during.code).toBe("limits_unavailable");
      expect(during.ms).toBeLessThan(PROMPT_MS);
      // Redis is down now: the next request does not wait on it.
      const again = await ask(gw);
      expect(again.status).toBe(503);
      expect(again.ms).toBeLessThan(AT_ONCE_MS);
    } finally {
      redis.thaw();
      await gw.stop();
      await redis.restart();
    }
  });

  it("that restarts empty does not hand a key a fresh allowance", async () => {
    const gw = await limitedGateway("open");
    try {
      for (let i = 0; i < 10; i++) expect((await ask(gw)).status).toBe(200);
      expect((await ask(gw)).status).toBe(429);
      await redis.restart();
      const after = [];
      for (let i = 0; i < 5; i++) {
        after.push((await ask(gw)).status);
        await Bun.sleep(200);
      }
      expect(after).toEqual([429, 429, 429, 429, 429]);
      await until(
        () => gw.logs.some((l) => l.includes("counts were carried back")),
        "the counts to be carried back",
      );
      expect((await ask(gw)).status).toBe(429);
    } finally {
      await gw.stop();
      await redis.restart();
    }
  });

  it("counts what was spent during a stall once, whatever Redis runs when it wakes", async () => {
    const gw = await startGateway({
      providers: { mock: { type: "mock" } },
      storage: { redis_url: redis.url, sqlite_path: ":memory:" },
      governance: {
        admin_key: ADMIN,
        pricing: { "mock/echo": { input_per_million: 1000, output_per_million: 1000 } },
        virtual_keys: [{ key: KEY, name: "budgeted", budget: { max_usd: 10, period: "1d" } }],
      },
    });
    const costOf = async () => {
      const res = await fetch(`${gw.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${KEY}` },
        body: JSON.stringify({ model: "mock/echo", messages: [{ role: "user", content: "hi" }] }),
      });
      expect(res.status).toBe(200);
      return Number(res.headers.get("x-switchyard-cost-usd"));
    };
    const budget = async () => {
      const headers = { authorization: `Bearer ${ADMIN}` };
      const keys = (await (await fetch(`${gw.url}/admin/keys`, { headers })).json()) as {
        data: { id: string }[];
      };
      const view = (await (
        await fetch(`${gw.url}/admin/keys/${keys.data[0]!.id}/budget`, { headers })
      ).json()) as { levels: { spent_usd: number; reserved_usd: number }[] };
      return view.levels[0]!;
    };
    try {
      let spent = await costOf();
      redis.freeze();
      // The first of these waits on the frozen Redis until its deadline; its admission and its
      // settlement then run on the instance, and Redis runs them when it wakes (too late to count).
      for (let i = 0; i < 3; i++) spent += await costOf();
      redis.thaw();
      await until(
        () => gw.logs.some((l) => l.includes("counts were carried back")),
        "Redis to be back",
      );
      await Bun.sleep(100);
      const after = await budget();
      expect(after.spent_usd).toBeCloseTo(spent, 6);
      expect(after.reserved_usd).toBe(0);
    } finally {
      redis.thaw();
      await gw.stop();
      await redis.restart();
    }
  });

  it("is a cache miss for the response cache, answered at once", async () => {
    const gw = await startGateway({
      providers: { mock: { type: "mock" } },
      storage: { redis_url: redis.url, timeout_ms: STALL_MS },
      plugins: [{ name: "cache", config: { backend: "redis" } }],
    });
    try {
      redis.freeze();
      const res = await ask(gw);
      expect(res.status).toBe(200);
      expect(res.cache).toBe("miss");
      expect(res.ms).toBeLessThan(PROMPT_MS);
      const again = await ask(gw);
      expect(again.cache).toBe("miss");
      expect(again.ms).toBeLessThan(AT_ONCE_MS);
    } finally {
      redis.thaw();
      await gw.stop();
    }
  });
});

describe("a PostgreSQL that stops answering", () => {
  const schema = useTestSchema("sy_stalled");
  let proxy: FreezableProxy;

  beforeAll(() => {
    const target = new NodeUrl(PG_URL);
    proxy = startFreezableProxy(Number(target.port || 5432), target.hostname);
  });
  afterAll(() => proxy.stop());

  const through = () => {
    const url = new NodeUrl(schema.url);
    url.port = String(proxy.port);
    url.hostname = "127.0.0.1";
    return url.toString();
  };

  function storeGateway(mode: "open" | "closed") {
    return startGateway({
      providers: { mock: { type: "mock" } },
      storage: { postgres_url: through(), timeout_ms: STALL_MS },
      plugins: [
        {
          name: "logging",
          config: {
            durable: true,
            flush_interval_ms: 50,
            journal_path: `/tmp/sy-stalled-${crypto.randomUUID()}`,
          },
        },
      ],
      governance: {
        admin_key: ADMIN,
        on_store_error: mode,
        key_cache_ms: 100,
        virtual_keys: [
          { key: KEY, name: "known" },
          { key: OTHER, name: "other" },
        ],
      },
    });
  }

  it("open: keys seen before keep working, others get 503; the admin API and logs say 503", async () => {
    const gw = await storeGateway("open");
    try {
      expect((await ask(gw)).status).toBe(200);
      proxy.freeze();
      await Bun.sleep(150); // past key_cache_ms: the key must be read again
      const known = await ask(gw);
      expect(known.status).toBe(200);
      const unseen = await ask(gw, OTHER);
      expect(unseen.status).toBe(503);
      expect(unseen.code).toBe("keys_unavailable");
      expect(known.ms).toBeLessThan(PROMPT_MS);
      expect(unseen.ms).toBeLessThan(AT_ONCE_MS); // PostgreSQL is down now: nothing waits on it
      const admin = await fetch(`${gw.url}/admin/keys`, {
        headers: { authorization: `Bearer ${ADMIN}` },
      });
      expect(admin.status).toBe(503);
      const logs = await fetch(`${gw.url}/v1/logs`, {
        headers: { authorization: `Bearer ${ADMIN}` },
      });
      expect(logs.status).toBe(503);
      proxy.thaw();
      // Every answered request is logged once PostgreSQL is back (durable mode keeps them).
      await until(async () => {
        const r = await fetch(`${gw.url}/v1/logs?status=200`, {
          headers: { authorization: `Bearer ${ADMIN}` },
        });
        if (r.status !== 200) return false;
        return ((await r.json()) as { data: unknown[] }).data.length >= 2;
      }, "the logs to be written");
    } finally {
      proxy.thaw();
      await gw.stop();
    }
  }, 30_000);

  it("closed: a key that must be read is refused with 503 at once", async () => {
    const gw = await storeGateway("closed");
    try {
      expect((await ask(gw)).status).toBe(200);
      proxy.freeze();
      await Bun.sleep(150);
      const res = await ask(gw);
      expect(res.status).toBe(503);
      expect(res.code).toBe("keys_unavailable");
      expect(res.ms).toBeLessThan(PROMPT_MS);
      const again = await ask(gw);
      expect(again.status).toBe(503);
      expect(again.ms).toBeLessThan(AT_ONCE_MS);
    } finally {
      proxy.thaw();
      await gw.stop();
    }
  }, 20_000);
});
