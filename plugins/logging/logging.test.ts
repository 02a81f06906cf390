/**
 * The logging plugin through the plugin harness, on each store: SQLite in memory, SQLite in a
 * file (records survive a restart), and the real PostgreSQL in a schema of this run's own.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { definePlugin, type ChatRequest } from "../../src/plugins/index.ts";
import {
  pluginHarness,
  textResponse,
  type Harness,
  type HarnessOptions,
} from "../../src/plugins/testing.ts";
import { useTestSchema } from "../../test/helpers/postgres-schema.ts";
import logging from "./index.ts";
import { fingerprint, type LogRecord } from "./record.ts";

const schema = useTestSchema("sy_logs");

const SECRET = "sk-caller-secret-000111";
const req = (content: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model: "mock/echo",
  messages: [{ role: "user", content }],
  ...extra,
});

async function logs(h: Harness, query = ""): Promise<LogRecord[]> {
  const r = await h.fetch("GET", `/v1/logs${query}`);
  expect(r.status).toBe(200);
  return ((await r.json()) as { data: LogRecord[] }).data;
}

function suite(name: string, storage: () => HarnessOptions["storage"]) {
  describe(`logging to ${name}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await pluginHarness(logging, { storage: storage() });
    });
    afterAll(() => h.close());

    it("writes each request's metadata, naming the caller by a fingerprint, never its key", async () => {
      await h.chat(req("hello"), { credential: SECRET });
      const [row] = await logs(h, "?limit=1");
      expect(row).toMatchObject({
        provider: "mock",
        model: "echo",
        requested_model: "mock/echo",
        status: 200,
        stream: false,
        prompt_tokens: 3,
        completion_tokens: 2,
        caller: fingerprint(SECRET),
        request_body: null,
        response_body: null,
      });
      expect(row!.latency_ms).toBeGreaterThanOrEqual(0);
      expect(JSON.stringify(row)).not.toContain(SECRET);
    });

    it("logs a streamed request once, with the usage the stream carried, and an error with its status", async () => {
      await h.chat(req("streamed", { model: "mock/streamy", stream: true }), {
        answer: textResponse("s s s"),
      });
      await h.chat(req("broken", { model: "mock/broken" }), {
        answer: { error: { status: 502, message: "down" } },
      });
      const streamed = await logs(h, "?model=mock/streamy");
      expect(streamed.length).toBe(1);
      expect(streamed[0]).toMatchObject({ stream: true, status: 200, completion_tokens: 2 });
      const [failed] = await logs(h, "?status=5xx");
      expect(failed).toMatchObject({
        requested_model: "mock/broken",
        status: 502,
        error_code: "UPSTREAM_ERROR",
      });
    });

    it("filters by key, time and limit", async () => {
      await h.chat(req("other caller"), { credential: "another-key-123" });
      const mine = await logs(h, `?key=${fingerprint(SECRET)}`);
      expect(mine.length).toBeGreaterThan(0);
      expect(mine.every((r) => r.caller === fingerprint(SECRET))).toBe(true);
      expect(await logs(h, `?since=${new Date(Date.now() + 60_000).toISOString()}`)).toEqual([]);
      const two = await logs(h, "?limit=2");
      expect(two.length).toBe(2);
      expect(two[0]!.ts).toBeGreaterThanOrEqual(two[1]!.ts);
    });

    it("answers a bad parameter with a 400 naming it", async () => {
      for (const [q, param] of [
        ["?since=yesterday", "since"],
        ["?status=teapot", "status"],
        ["?limit=0", "limit"],
      ]) {
        const r = await h.fetch("GET", `/v1/logs${q}`);
        expect(r.status).toBe(400);
        expect(((await r.json()) as { error: { param: string } }).error.param).toBe(param!);
      }
    });
  });
}

suite("SQLite in memory", () => ({ sqlite_path: ":memory:" }));
suite("PostgreSQL", () => ({ postgres_url: schema.url }));

describe("logging options", () => {
  it("keeps bodies only when told to, and the cost another plugin set", async () => {
    const pricer = definePlugin({ name: "pricer", postHook: (ctx) => void (ctx.costUsd = 0.25) });
    // logging first: its post-hook runs after the pricer's, as with governance.
    const h = await pluginHarness([logging, pricer], { config: { bodies: true } });
    await h.chat(req("keep me"));
    const [row] = await logs(h);
    expect(JSON.parse(row!.request_body!)).toEqual([{ role: "user", content: "keep me" }]);
    expect(row!.response_body).toContain("ok");
    expect(row!.cost_usd).toBe(0.25);
    await h.close();
  });

  it("requires the query key when one is set", async () => {
    const h = await pluginHarness(logging, { config: { query_key: "logs-key-123" } });
    expect((await h.fetch("GET", "/v1/logs")).status).toBe(401);
    const ok = await h.fetch("GET", "/v1/logs", {
      headers: { authorization: "Bearer logs-key-123" },
    });
    expect(ok.status).toBe(200);
    await h.close();
  });

  it("keeps records in a SQLite file across a restart", async () => {
    const file = join(tmpdir(), `switchyard-logs-${crypto.randomUUID()}.sqlite`);
    const first = await pluginHarness(logging, { storage: { sqlite_path: file } });
    await first.chat(req("remember me", { model: "mock/remember" }));
    await first.close(); // shutdown writes what is buffered
    const second = await pluginHarness(logging, { storage: { sqlite_path: file } });
    expect((await logs(second, "?model=mock/remember")).length).toBe(1);
    await second.close();
  });

  it("counts records dropped by a full buffer and never makes requests wait for the store", async () => {
    const h = await pluginHarness(logging, {
      config: { buffer_size: 2, batch_size: 1000, flush_interval_ms: 60_000 },
    });
    for (let i = 0; i < 5; i++) expect((await h.chat(req(`r${i}`))).status).toBe(200);
    expect(await h.metrics()).toContain('switchyard_logging_dropped_total{reason="buffer_full"} 3');
    expect((await logs(h)).length).toBe(2);
    expect(await h.metrics()).toContain("switchyard_logging_written_total 2");
    await h.close();
  });
});
