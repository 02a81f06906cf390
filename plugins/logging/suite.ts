/**
 * The logging plugin's behaviour, run on each store: `runLoggingSuite("SQLite in memory", ...)`
 * in `logging.test.ts`, `runLoggingSuite("PostgreSQL", ...)` in `postgres.test.ts`. Each test
 * asks for models of its own (`mock/<tag>`), so tests sharing one database never see each
 * other's records.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { definePlugin, type ChatRequest, type StorageConfig } from "../../src/plugins/index.ts";
import {
  operatorKey,
  pluginHarness,
  textResponse,
  type Harness,
} from "../../src/plugins/testing.ts";
import logging, { createLoggingPlugin, openLogStore } from "./index.ts";
import { fingerprint, type LogRecord } from "./record.ts";
import { sampleRecord } from "./sample.ts";
import { recordKey, type LogStore } from "./store.ts";

const SECRET = "sk-caller-secret-000111";
/** The operator's key: the harnesses run as under governance, whose admin key reads the logs. */
const OPERATOR_KEY = "sk-operator-admin-key-000222";
export const OPERATOR = operatorKey(OPERATOR_KEY);
export const asOperator = { headers: { authorization: `Bearer ${OPERATOR_KEY}` } };
const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

/** A model name no other test uses. */
export function tag(name: string): string {
  return `mock/${name}-${crypto.randomUUID().slice(0, 8)}`;
}

export function ask(model: string, content = "hello", extra: Partial<ChatRequest> = {}) {
  return { model, messages: [{ role: "user" as const, content }], ...extra };
}

/** `GET /v1/logs<query>`, which must answer 200. */
export async function logs(h: Harness, query = ""): Promise<LogRecord[]> {
  const r = await h.fetch("GET", `/v1/logs${query}`, asOperator);
  expect(r.status).toBe(200);
  const body = (await r.json()) as { object: string; data: LogRecord[] };
  expect(body.object).toBe("list");
  return body.data;
}

/** Sets the headers and cost other plugins would: the cache's, telemetry's, governance's. */
const neighbour = definePlugin({
  name: "neighbour",
  preHook(ctx) {
    ctx.setHeader("x-switchyard-cache", "miss");
    ctx.setHeader("traceparent", `00-${TRACE_ID}-00f067aa0ba902b7-01`);
  },
  postHook(ctx) {
    ctx.costUsd = 0.25;
  },
});

const refuser = definePlugin({
  name: "refuser",
  preHook: () => ({ error: { status: 403, message: "Not you." } }),
});

export function runLoggingSuite(label: string, storage: () => Partial<StorageConfig>): void {
  describe(`logging to ${label}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await pluginHarness(logging, { admin: OPERATOR, storage: storage() });
    });
    afterAll(() => h.close());

    it("writes a request's ids, route, status, latency and tokens", async () => {
      const model = tag("meta");
      const before = Date.now();
      await h.chat(ask(model));
      const rows = await logs(h, `?model=${model}`);
      expect(rows.length).toBe(1);
      expect(rows[0]).toMatchObject({
        dialect: "openai",
        provider: "mock",
        model: model.slice("mock/".length),
        requested_model: model,
        status: 200,
        error_code: null,
        stream: false,
        prompt_tokens: 3,
        completion_tokens: 2,
        cost_usd: null,
        cache: null,
        fallback_used: false,
        attempts: 1,
        caller: null,
        trace_id: null,
      });
      expect(rows[0]!.id.length).toBeGreaterThan(0);
      expect(rows[0]!.ts).toBeGreaterThanOrEqual(before - 1);
      expect(rows[0]!.ts).toBeLessThanOrEqual(Date.now());
      expect(rows[0]!.latency_ms).toBeGreaterThanOrEqual(0);
    });

    it("names the caller by a fingerprint of its key and never stores the key", async () => {
      const model = tag("secret");
      await h.chat(ask(model), { credential: SECRET });
      const [row] = await logs(h, `?model=${model}`);
      expect(row!.caller).toBe(fingerprint(SECRET));
      expect(row!.caller).toMatch(/^[0-9a-f]{12}$/);
      expect(JSON.stringify(row)).not.toContain(SECRET);
      expect(JSON.stringify(row)).not.toContain(SECRET.slice(3, 15));
    });

    it("logs a streamed request once, with the usage the stream added up to", async () => {
      const model = tag("stream");
      await h.chat(ask(model, "go", { stream: true }), { answer: textResponse("s s s") });
      const rows = await logs(h, `?model=${model}`);
      expect(rows.length).toBe(1);
      expect(rows[0]).toMatchObject({ stream: true, status: 200, prompt_tokens: 3 });
      expect(rows[0]!.completion_tokens).toBe(2);
    });

    it("logs a failed request with its status and error code", async () => {
      const model = tag("broken");
      await h.chat(ask(model), { answer: { error: { status: 502, message: "down" } } });
      const [row] = await logs(h, `?model=${model}`);
      expect(row).toMatchObject({ status: 502, error_code: "UPSTREAM_ERROR" });
      expect(row!.prompt_tokens).toBeNull();
    });

    it("filters by model, upstream or requested, and by provider", async () => {
      const model = tag("both");
      await h.chat(ask(model));
      expect((await logs(h, `?model=${model}`)).length).toBe(1);
      expect((await logs(h, `?model=${model.slice("mock/".length)}`)).length).toBe(1);
      expect((await logs(h, `?model=${model}&provider=mock`)).length).toBe(1);
      expect(await logs(h, `?model=${model}&provider=other`)).toEqual([]);
    });

    it("filters by status code and by status class", async () => {
      const model = tag("status");
      await h.chat(ask(model));
      await h.chat(ask(model), { answer: { error: { status: 503, message: "busy" } } });
      await h.chat(ask(model), { answer: { error: { status: 429, message: "slow down" } } });
      const statuses = async (q: string) =>
        (await logs(h, `?model=${model}&status=${q}`)).map((r) => r.status);
      expect(await statuses("5xx")).toEqual([503]);
      expect(await statuses("4XX")).toEqual([429]);
      expect(await statuses("200")).toEqual([200]);
      expect(await statuses("404")).toEqual([]);
    });

    it("filters by caller key", async () => {
      const model = tag("key");
      await h.chat(ask(model), { credential: SECRET });
      await h.chat(ask(model), { credential: "another-key-123" });
      await h.chat(ask(model));
      const mine = await logs(h, `?model=${model}&key=${fingerprint(SECRET)}`);
      expect(mine.map((r) => r.caller)).toEqual([fingerprint(SECRET)]);
    });

    it("filters by time, in ISO 8601 or epoch milliseconds", async () => {
      const model = tag("time");
      await h.chat(ask(model));
      const [row] = await logs(h, `?model=${model}`);
      const at = row!.ts;
      const count = async (q: string) => (await logs(h, `?model=${model}&${q}`)).length;
      expect(await count(`since=${at}&until=${at}`)).toBe(1);
      expect(await count(`since=${new Date(at).toISOString()}`)).toBe(1);
      expect(await count(`since=${at + 1}`)).toBe(0);
      expect(await count(`until=${new Date(at - 1).toISOString()}`)).toBe(0);
    });

    it("answers at most limit records, newest first", async () => {
      const model = tag("limit");
      for (let i = 0; i < 3; i++) await h.chat(ask(model, `r${i}`));
      const two = await logs(h, `?model=${model}&limit=2`);
      expect(two.length).toBe(2);
      expect(two[0]!.ts).toBeGreaterThanOrEqual(two[1]!.ts);
      expect((await logs(h, `?model=${model}`)).length).toBe(3);
    });

    it("answers a bad parameter with a 400 naming it", async () => {
      const cases = [
        ["since=yesterday", "since"],
        ["until=soon", "until"],
        ["status=teapot", "status"],
        ["status=6xx", "status"],
        ["limit=0", "limit"],
        ["limit=1001", "limit"],
        ["limit=2.5", "limit"],
        ["model=", "model"],
        ["models=gpt", "models"],
      ] as const;
      for (const [q, param] of cases) {
        const r = await h.fetch("GET", `/v1/logs?${q}`, asOperator);
        expect(r.status).toBe(400);
        const body = (await r.json()) as { error: { param: string; type: string } };
        expect(body.error).toMatchObject({ param, type: "invalid_request_error" });
      }
    });

    it("keeps no bodies unless told to, and both when told to", async () => {
      const model = tag("bodies");
      await h.chat(ask(model, "keep me"));
      const [without] = await logs(h, `?model=${model}`);
      expect(without).toMatchObject({ request_body: null, response_body: null });
      const keeping = await pluginHarness(logging, {
        admin: OPERATOR,
        storage: storage(),
        config: { bodies: true },
      });
      await keeping.chat(ask(model, "keep me"), { answer: textResponse("kept") });
      const [row] = await logs(keeping, `?model=${model}&limit=1`);
      await keeping.close();
      expect(JSON.parse(row!.request_body!)).toEqual([{ role: "user", content: "keep me" }]);
      expect(JSON.parse(row!.response_body!)).toEqual([{ role: "assistant", content: "kept" }]);
    });

    it("logs the cost, cache result and trace id other plugins set, whichever runs last", async () => {
      // Logging first: its post-hook runs after the neighbour's. Logging last: before it.
      for (const order of [[logging, neighbour] as const, [neighbour, logging] as const]) {
        const model = tag("neighbour");
        const g = await pluginHarness([...order], { admin: OPERATOR, storage: storage() });
        await g.chat(ask(model));
        const [row] = await logs(g, `?model=${model}`);
        await g.close();
        expect(row).toMatchObject({ cost_usd: 0.25, cache: "miss", trace_id: TRACE_ID });
      }
    });

    it("logs a request a later plugin refused, with its status", async () => {
      const model = tag("refused");
      const g = await pluginHarness([logging, refuser], { admin: OPERATOR, storage: storage() });
      const result = await g.chat(ask(model), { credential: SECRET });
      expect(result.status).toBe(403);
      const [row] = await logs(g, `?model=${model}`);
      await g.close();
      expect(row).toMatchObject({ status: 403, error_code: "PLUGIN_REJECTED" });
      expect(row!.caller).toBe(fingerprint(SECRET));
    });

    it("tells which records of a replayed journal it already has", async () => {
      let store!: LogStore;
      const plugin = createLoggingPlugin((s) => (store = openLogStore(s)));
      const g = await pluginHarness(plugin, { admin: OPERATOR, storage: storage() });
      const model = tag("known");
      const kept = sampleRecord({ requested_model: model });
      const missing = sampleRecord({ requested_model: model, ts: kept.ts + 1 });
      const sameIdLater = { ...kept, ts: kept.ts + 5 };
      await store.insert([kept]);
      const known = await store.known([kept, missing, sameIdLater]);
      await g.close();
      expect([...known]).toEqual([recordKey(kept)]);
    });

    it("deletes records older than retention_days", async () => {
      const model = tag("retention");
      const old = sampleRecord({ requested_model: model, ts: Date.now() - 3 * 86_400_000 });
      const fresh = sampleRecord({ requested_model: model });
      const pruned = Promise.withResolvers<number>();
      const plugin = createLoggingPlugin((s) => {
        const store = openLogStore(s);
        return {
          ...store,
          async migrate() {
            await store.migrate();
            await store.insert([old, fresh]);
          },
          prune: (before) => store.prune(before).then((n) => (pruned.resolve(n), n)),
        };
      });
      const g = await pluginHarness(plugin, {
        admin: OPERATOR,
        storage: storage(),
        config: { retention_days: 2 },
      });
      expect(await pruned.promise).toBe(1);
      const rows = await logs(g, `?model=${model}`);
      await g.close();
      expect(rows.map((r) => r.id)).toEqual([fresh.id]);
    });
  });
}
