/**
 * Fault injection: the project's mock upstreams are driven into 5xx, 429 with Retry-After, bad
 * keys, connection resets and truncation mid-body, malformed JSON and SSE, stalls, and a failing
 * provider's circuit breaker. For each, the caller gets a correct answer (through a retry or a
 * fallback) or a correct error, and afterwards no pool slot or in-flight request is left behind.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "bun:test";
import OpenAI from "openai";
import { startGateway, type TestGateway } from "./helpers/gateway.ts";
import { startMockUpstream, type MockUpstream } from "./helpers/mock-upstream.ts";

const GOOD = "sk-good-key-0123456789";
const BAD = "sk-bad-key-9876543210";
const fast = { initial_backoff_ms: 10, max_backoff_ms: 2000 };

let oa: MockUpstream;
let an: MockUpstream;
let ge: MockUpstream;
/** An upstream that asks for no key, for a provider without keys. */
let free: MockUpstream;
let gw: TestGateway;
let client: OpenAI;

beforeAll(async () => {
  oa = startMockUpstream({ apiKeys: [GOOD] }, "openai");
  an = startMockUpstream({ apiKeys: [GOOD] }, "anthropic");
  ge = startMockUpstream({ apiKeys: [GOOD] }, "gemini");
  free = startMockUpstream({}, "openai");
  const openai = (extra: object = {}) => ({
    type: "openai",
    base_url: oa.url,
    keys: [{ value: GOOD }],
    retry: fast,
    ...extra,
  });
  gw = await startGateway({
    providers: {
      // The retry and fallback tests fail this provider often; its breaker would end them early.
      primary: openai({ breaker: { enabled: false } }),
      backup: { type: "anthropic", base_url: an.url, keys: [{ value: GOOD }] },
      gem: { type: "gemini", base_url: ge.url, keys: [{ value: GOOD }] },
      rotating: openai({ keys: [{ value: BAD, weight: 1000 }, { value: GOOD }] }),
      quick: openai({ first_byte_timeout_ms: 200, timeout_ms: 5000 }),
      keyless: { type: "openai", base_url: free.url, retry: fast },
      probed: openai({
        retry: { max_attempts: 1 },
        breaker: { consecutive_failures: 2, cooldown_ms: 300 },
      }),
      fragile: openai({
        retry: { max_attempts: 1 },
        breaker: { consecutive_failures: 2, cooldown_ms: 400 },
      }),
    },
    models: {
      smart: { targets: [{ model: "primary/fail-503" }], fallbacks: ["gem/gemini-mock"] },
      quickest: {
        targets: [{ model: "primary/slow-150" }, { model: "keyless/echo" }],
        strategy: "least-latency",
      },
      calmest: {
        targets: [{ model: "probed/echo" }, { model: "keyless/echo" }],
        strategy: "least-busy",
      },
    },
  });
  client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "caller", maxRetries: 0 });
});

afterAll(async () => {
  await gw.stop();
  await Promise.all([oa.stop(), an.stop(), ge.stop(), free.stop()]);
});

/** Nothing may be left behind: no pool slot taken, no request counted in flight. */
afterEach(async () => {
  await Bun.sleep(20);
  const health = (await (await fetch(`${gw.url}/health`)).json()) as {
    in_flight: number;
    pools: { provider: string; inFlight: number; queued: number }[];
  };
  expect(health.in_flight).toBe(0);
  for (const pool of health.pools)
    expect({ [pool.provider]: pool.inFlight + pool.queued }).toEqual({ [pool.provider]: 0 });
});

async function chat(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ messages: [{ role: "user", content: "hello" }], ...body }),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    text,
    json: res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : undefined,
  };
}

const seenModel = (up: MockUpstream, model: string) =>
  up.seen.filter(
    (s) => (s.body as { model?: string }).model === model || s.path.includes(`/${model}:`),
  );

describe("retries", () => {
  it("retries 5xx with backoff until the upstream recovers", async () => {
    const res = await chat({ model: "primary/flaky-2" });
    expect(res.status).toBe(200);
    expect(res.json.choices[0].message.content).toContain("hello");
    expect(res.headers.get("x-switchyard-attempts")).toBe("3");
    expect(res.headers.get("x-switchyard-fallback-used")).toBe("false");
    expect(seenModel(oa, "flaky-2")).toHaveLength(3);
  });

  it("waits out a 429's Retry-After before trying again", async () => {
    const res = await chat({ model: "primary/limited-1" });
    expect(res.status).toBe(200);
    const seen = seenModel(oa, "limited-1");
    expect(seen).toHaveLength(2);
    expect(res.headers.get("x-switchyard-attempts")).toBe("2");
    expect(Number(res.headers.get("x-switchyard-latency-ms"))).toBeGreaterThanOrEqual(1000);
  });

  it("waits out Retry-After on a provider without keys instead of retrying at once", async () => {
    const res = await chat({ model: "keyless/limited-1.k" });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-attempts")).toBe("2");
    expect(Number(res.headers.get("x-switchyard-latency-ms"))).toBeGreaterThanOrEqual(1000);
  });

  it("sets a key that answers 401 aside and carries on with another", async () => {
    const before = oa.seen.filter((s) => s.headers.get("authorization") === `Bearer ${BAD}`).length;
    for (let i = 0; i < 5; i++) {
      const res = await chat({ model: "rotating/echo" });
      expect(res.status).toBe(200);
    }
    const bad = oa.seen.filter((s) => s.headers.get("authorization") === `Bearer ${BAD}`).length;
    expect(bad - before).toBeLessThanOrEqual(1);
  });

  it("retries a JSON body cut by a connection reset", async () => {
    const res = await chat({ model: "primary/reset-1" });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-attempts")).toBe("2");
  });

  it("retries a truncated and a malformed JSON body", async () => {
    for (const model of ["primary/truncate-1", "primary/garbage-1"]) {
      const res = await chat({ model });
      expect(res.status).toBe(200);
      expect(res.headers.get("x-switchyard-attempts")).toBe("2");
    }
  });

  it("retries a stream whose first event is malformed, since nothing reached the client yet", async () => {
    const res = await chat({ model: "primary/garbage-1.stream", stream: true });
    expect(res.status).toBe(200);
    expect(res.text).toContain("data: [DONE]");
    expect(res.headers.get("x-switchyard-attempts")).toBe("2");
  });

  it("never retries a stream that already sent bytes: a reset ends it with an error event", async () => {
    const before = seenModel(oa, "reset-2").length;
    const chunks: string[] = [];
    let failure: unknown;
    try {
      const stream = await client.chat.completions.create({
        model: "primary/reset-2",
        messages: [{ role: "user", content: "hello" }],
        stream: true,
      });
      for await (const chunk of stream) chunks.push(chunk.choices[0]?.delta.content ?? "");
    } catch (err) {
      failure = err;
    }
    expect(chunks.length).toBeGreaterThan(0);
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    expect(seenModel(oa, "reset-2").length - before).toBe(1);
  });

  it("ends a truncated stream with an error event rather than a false end", async () => {
    const res = await chat({ model: "primary/truncate", stream: true });
    expect(res.status).toBe(200);
    expect(res.text).toContain('"error"');
    expect(res.text).not.toContain("data: [DONE]");
  });

  it("does not retry a 4xx that is the caller's fault", async () => {
    const before = seenModel(oa, "fail-422").length;
    const res = await chat({ model: "primary/fail-422" });
    expect(res.status).toBe(422);
    expect(seenModel(oa, "fail-422").length - before).toBe(1);
  });
});

describe("fallbacks", () => {
  it("falls back to a provider of another dialect after the retries run out", async () => {
    const res = await chat({ model: "primary/fail-503", fallbacks: ["backup/claude-mock"] });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-provider")).toBe("backup");
    expect(res.headers.get("x-switchyard-fallback-used")).toBe("true");
    expect(res.headers.get("x-switchyard-attempts")).toBe("4");
    expect(res.json.choices[0].message.content).toContain("hello");
    const upstreamBody = an.seen.at(-1)!.body as Record<string, unknown>;
    expect(upstreamBody.fallbacks).toBeUndefined();
    expect(upstreamBody.model).toBe("claude-mock");
  });

  it("follows an alias's fallbacks", async () => {
    const res = await chat({ model: "smart" });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-provider")).toBe("gem");
    expect(res.headers.get("x-switchyard-fallback-used")).toBe("true");
  });

  it("takes fallbacks from x-switchyard-fallbacks on the Anthropic front-end", async () => {
    const res = await fetch(`${gw.url}/v1/messages`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-switchyard-fallbacks": "gem/g1, primary/echo",
      },
      body: JSON.stringify({
        model: "backup/fail-500",
        max_tokens: 20,
        messages: [{ role: "user", content: "hi" }],
      }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-provider")).toBe("gem");
    expect(((await res.json()) as { type: string }).type).toBe("message");
  });

  it("falls back when the first byte does not come in time, aborting the stalled call", async () => {
    const aborted = oa.aborted;
    const res = await chat({ model: "quick/stall", stream: true, fallbacks: ["gem/g2"] });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-provider")).toBe("gem");
    expect(res.text).toContain("data: [DONE]");
    await Bun.sleep(20);
    expect(oa.aborted).toBeGreaterThan(aborted);
  });

  it("still falls back after a first-byte timeout when the request's own deadline is further off", async () => {
    const res = await chat(
      { model: "quick/stall", fallbacks: ["gem/g5"] },
      { "x-switchyard-timeout-ms": "3000" },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-provider")).toBe("gem");
  });

  it("answers 504 when the request's own deadline passes, whatever is left to try", async () => {
    const res = await chat(
      { model: "primary/slow-2000", fallbacks: ["gem/g3"] },
      { "x-switchyard-timeout-ms": "150" },
    );
    expect(res.status).toBe(504);
    expect(res.json.error.type).toBe("timeout_error");
  });

  it("refuses bad routing options, naming them", async () => {
    expect((await chat({ model: "primary/echo", fallbacks: "gem/x" })).json.error.param).toBe(
      "fallbacks",
    );
    expect((await chat({ model: "primary/echo", fallbacks: [42] })).json.error.param).toBe(
      "fallbacks[0]",
    );
    expect((await chat({ model: "primary/echo", fallbacks: ["nope/x"] })).status).toBe(404);
    const eight = Array.from({ length: 5 }, (_, i) => `gem/f${i}`);
    const tooMany = await chat(
      { model: "primary/echo", fallbacks: eight },
      { "x-switchyard-fallbacks": eight.join(",") },
    );
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.error.param).toBe("fallbacks");
    const bad = await chat({ model: "primary/echo" }, { "x-switchyard-timeout-ms": "soon" });
    expect(bad.status).toBe(400);
    expect(bad.json.error.param).toBe("x-switchyard-timeout-ms");
  });
});

describe("circuit breakers", () => {
  it("opens after consecutive failures, refuses fast, then closes on a successful probe", async () => {
    expect((await chat({ model: "fragile/fail-500" })).status).toBe(502);
    expect((await chat({ model: "fragile/fail-500" })).status).toBe(502);
    const seen = oa.seen.length;
    const open = await chat({ model: "fragile/echo" });
    expect(open.status).toBe(503);
    expect(open.json.error.code).toBe("circuit_open");
    expect(Number(open.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(oa.seen.length).toBe(seen);
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toContain('switchyard_breaker_state{provider="fragile",key="*"} 2');
    const health = (await (await fetch(`${gw.url}/health`)).json()) as {
      breakers: { provider: string; key: string; state: string }[];
    };
    expect(health.breakers).toContainEqual({ provider: "fragile", key: "*", state: "open" });
    expect(health.breakers).toContainEqual({ provider: "fragile", key: "0", state: "open" });

    await Bun.sleep(450);
    expect((await chat({ model: "fragile/echo" })).status).toBe(200);
    const after = await (await fetch(`${gw.url}/metrics`)).text();
    expect(after).toContain('switchyard_breaker_state{provider="fragile",key="*"} 0');
  });

  it("does not stay open when its probe ends without a verdict on the upstream", async () => {
    expect((await chat({ model: "probed/fail-500" })).status).toBe(502);
    expect((await chat({ model: "probed/fail-500" })).status).toBe(502);
    expect((await chat({ model: "probed/echo" })).status).toBe(503);
    await Bun.sleep(350);
    // The probe is the caller's own mistake: it says nothing about the upstream.
    expect((await chat({ model: "probed/fail-400" })).status).toBe(400);
    const after = await chat({ model: "probed/echo" });
    expect(after.status).toBe(200);
  });

  it("skips an open provider for the route's fallback", async () => {
    await chat({ model: "fragile/fail-500" });
    await chat({ model: "fragile/fail-500" });
    const res = await chat({ model: "fragile/echo", fallbacks: ["gem/g4"] });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-provider")).toBe("gem");
  });
});

describe("route strategies", () => {
  it("least-latency measures each target once, then keeps to the faster", async () => {
    const providers: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await chat({ model: "quickest" });
      expect(res.status).toBe(200);
      providers.push(res.headers.get("x-switchyard-provider")!);
    }
    expect(providers.slice(0, 2).sort()).toEqual(["keyless", "primary"]);
    expect(providers.slice(2)).toEqual(["keyless", "keyless"]);
  });

  it("least-busy sends a request to the provider with fewer calls in flight", async () => {
    const busy = chat({ model: "probed/slow-400" });
    await Bun.sleep(100);
    const res = await chat({ model: "calmest" });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-provider")).toBe("keyless");
    await busy;
  });
});

describe("header hardening", () => {
  it("echoes only a safe x-request-id, replacing any other with a fresh one", async () => {
    const safe = await chat({ model: "primary/echo" }, { "x-request-id": "trace-42" });
    expect(safe.headers.get("x-request-id")).toBe("trace-42");
    const unsafe = await chat({ model: "primary/echo" }, { "x-request-id": "a b<script>" });
    expect(unsafe.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});
