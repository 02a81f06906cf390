/**
 * Plugins through the real gateway, over real sockets, with the official SDKs: a plugin loaded
 * from a file path short-circuits and refuses requests in each caller's API format; a plugin
 * that throws fails only its request; the cache plugin shares answers across two instances
 * through the real Redis and replays streams; telemetry continues the caller's trace.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import { GoogleGenAI } from "@google/genai";
import OpenAI from "openai";
import { join } from "node:path";
import { parseConfig } from "../src/config/load.ts";
import { openGateway } from "../src/gateway.ts";
import { silentLogger } from "../src/observability/logger.ts";
import { startGateway, type TestGateway } from "./helpers/gateway.ts";
import { useTestSchema } from "./helpers/postgres-schema.ts";
import { startMockUpstream, type MockUpstream } from "./helpers/mock-upstream.ts";

const REDIS_URL = process.env.SWITCHYARD_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const GATEKEEPER = join(import.meta.dir, "fixtures/plugins/gatekeeper.ts");
const TEAM = { "x-team": "search" };

let upstream: MockUpstream;
let gw: TestGateway;

function provider() {
  return {
    openai: { base_url: upstream.url, keys: [{ value: "sk-upstream" }], models: ["gpt-4o-mini"] },
  };
}

beforeAll(async () => {
  upstream = startMockUpstream({ apiKeys: ["sk-upstream"], models: ["gpt-4o-mini"] });
  gw = await startGateway({
    providers: provider(),
    plugins: [{ name: "telemetry" }, { path: GATEKEEPER, config: { reply: "pong from a plugin" } }],
  });
});

afterAll(async () => {
  await gw.stop();
  await upstream.stop();
});

describe("a plugin loaded from a file path", () => {
  it("answers the OpenAI SDK itself, plain and streamed, without calling the provider", async () => {
    const client = new OpenAI({
      baseURL: `${gw.url}/v1`,
      apiKey: "k",
      maxRetries: 0,
      defaultHeaders: TEAM,
    });
    const before = upstream.seen.length;
    const plain = await client.chat.completions
      .create({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "ping" }] })
      .withResponse();
    expect(plain.data.choices[0]?.message.content).toBe("pong from a plugin");
    expect(plain.response.headers.get("x-gatekeeper-team")).toBe("search");
    const stream = await client.chat.completions.create({
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: "ping" }],
      stream: true,
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe("pong from a plugin");
    expect(upstream.seen.length).toBe(before);
  });

  it("answers the Anthropic and Gemini SDKs in their own formats", async () => {
    const anthropic = new Anthropic({
      baseURL: gw.url,
      apiKey: "k",
      maxRetries: 0,
      defaultHeaders: TEAM,
    });
    const msg = await anthropic.messages.create({
      model: "openai/gpt-4o-mini",
      max_tokens: 50,
      messages: [{ role: "user", content: "ping" }],
    });
    expect(msg.content.map((b) => (b.type === "text" ? b.text : b.type))).toEqual([
      "pong from a plugin",
    ]);
    const ai = new GoogleGenAI({ apiKey: "k", httpOptions: { baseUrl: gw.url, headers: TEAM } });
    const res = await ai.models.generateContent({ model: "openai/gpt-4o-mini", contents: "ping" });
    expect(res.text).toBe("pong from a plugin");
  });

  it("lets other requests through to the provider", async () => {
    const client = new OpenAI({
      baseURL: `${gw.url}/v1`,
      apiKey: "k",
      maxRetries: 0,
      defaultHeaders: TEAM,
    });
    const res = await client.chat.completions.create({
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: "hello there" }],
    });
    expect(res.choices[0]?.message.content).toContain("You said: hello there");
  });

  it("refuses with the plugin's status and type in each caller's format", async () => {
    const openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "k", maxRetries: 0 });
    const o = await openai.chat.completions
      .create({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "hi" }] })
      .catch((e: unknown) => e);
    expect(o).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect((o as InstanceType<typeof OpenAI.PermissionDeniedError>).type).toBe("permission_error");

    const anthropic = new Anthropic({ baseURL: gw.url, apiKey: "k", maxRetries: 0 });
    const a = await anthropic.messages
      .create({
        model: "openai/gpt-4o-mini",
        max_tokens: 5,
        messages: [{ role: "user", content: "hi" }],
      })
      .catch((e: unknown) => e);
    expect(a).toBeInstanceOf(Anthropic.PermissionDeniedError);

    const r = await fetch(`${gw.url}/v1beta/models/openai/gpt-4o-mini:generateContent`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ contents: [{ parts: [{ text: "hi" }] }] }),
    });
    expect(r.status).toBe(403);
    expect(((await r.json()) as { error: { status: string } }).error.status).toBe(
      "PERMISSION_DENIED",
    );
  });

  it("fails only the request whose hook throws, counts it, and keeps serving", async () => {
    const client = new OpenAI({
      baseURL: `${gw.url}/v1`,
      apiKey: "k",
      maxRetries: 0,
      defaultHeaders: TEAM,
    });
    const err = await client.chat.completions
      .create({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "explode" }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect((err as Error).message).toContain('Plugin "gatekeeper" failed in preHook');
    const ok = await client.chat.completions.create({
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: "ping" }],
    });
    expect(ok.choices[0]?.message.content).toBe("pong from a plugin");
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toContain(
      'switchyard_plugin_failures_total{plugin="gatekeeper",hook="preHook",kind="error"} 1',
    );
  });
});

describe("the telemetry plugin", () => {
  it("continues the caller's trace in traceparent and times each plugin's hooks", async () => {
    const trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    const r = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...TEAM,
        traceparent: `00-${trace}-00f067aa0ba902b7-01`,
      },
      body: JSON.stringify({
        model: "openai/gpt-4o-mini",
        messages: [{ role: "user", content: "ping" }],
      }),
    });
    expect(r.status).toBe(200);
    const header = r.headers.get("traceparent") ?? "";
    expect(header).toMatch(new RegExp(`^00-${trace}-[0-9a-f]{16}-01$`));
    expect(header).not.toContain("00f067aa0ba902b7");
    const fresh = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", ...TEAM, traceparent: "garbage" },
      body: JSON.stringify({
        model: "openai/gpt-4o-mini",
        messages: [{ role: "user", content: "ping" }],
      }),
    });
    expect(fresh.headers.get("traceparent")).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(fresh.headers.get("traceparent")).not.toContain(trace);
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(
      /switchyard_plugin_hook_duration_seconds_count\{plugin="gatekeeper",hook="preHook"\} [1-9]/,
    );
  });
});

describe("the cache plugin", () => {
  async function pair(backend: Record<string, unknown>, storage: Record<string, unknown>) {
    const prefix = `switchyard:test:${crypto.randomUUID()}:`;
    const doc = {
      providers: provider(),
      storage,
      plugins: [{ name: "cache", config: { ...backend, key_prefix: prefix } }],
    };
    return [await startGateway(doc), await startGateway(doc)] as const;
  }

  it("shares answers between two instances through Redis, streams included", async () => {
    const [one, two] = await pair({}, { redis_url: REDIS_URL });
    try {
      const body = {
        model: "openai/gpt-4o-mini",
        messages: [{ role: "user" as const, content: `q ${Math.random()}` }],
      };
      const c1 = new OpenAI({ baseURL: `${one.url}/v1`, apiKey: "k", maxRetries: 0 });
      const c2 = new OpenAI({ baseURL: `${two.url}/v1`, apiKey: "k", maxRetries: 0 });
      const before = upstream.seen.length;
      const first = await c1.chat.completions.create(body).withResponse();
      expect(first.response.headers.get("x-switchyard-cache")).toBe("miss");
      // The write is not awaited by the request; give it a moment to land.
      let second = await c2.chat.completions.create(body).withResponse();
      for (let i = 0; i < 20 && second.response.headers.get("x-switchyard-cache") !== "hit"; i++) {
        await Bun.sleep(25);
        second = await c2.chat.completions.create(body).withResponse();
      }
      expect(second.response.headers.get("x-switchyard-cache")).toBe("hit");
      expect(second.data.choices[0]?.message.content).toBe(first.data.choices[0]?.message.content);
      const stream = await c2.chat.completions.create({ ...body, stream: true }).withResponse();
      expect(stream.response.headers.get("x-switchyard-cache")).toBe("hit");
      let text = "";
      for await (const chunk of stream.data) text += chunk.choices[0]?.delta.content ?? "";
      expect(text).toBe(first.data.choices[0]?.message.content!);
      expect(upstream.seen.length - before).toBe(1);
    } finally {
      await one.stop();
      await two.stop();
    }
  });

  it("stores a streamed answer and replays it to a plain request; the bypass header skips it", async () => {
    const [one, two] = await pair({ backend: "memory" }, {});
    await two.stop();
    try {
      const client = new OpenAI({ baseURL: `${one.url}/v1`, apiKey: "k", maxRetries: 0 });
      const body = {
        model: "openai/gpt-4o-mini",
        messages: [{ role: "user" as const, content: "stream me" }],
      };
      let streamed = "";
      for await (const chunk of await client.chat.completions.create({ ...body, stream: true }))
        streamed += chunk.choices[0]?.delta.content ?? "";
      const hit = await client.chat.completions.create(body).withResponse();
      expect(hit.response.headers.get("x-switchyard-cache")).toBe("hit");
      expect(hit.data.choices[0]?.message.content).toBe(streamed);
      const before = upstream.seen.length;
      const bypass = await client.chat.completions
        .create(body, { headers: { "x-switchyard-cache-bypass": "true" } })
        .withResponse();
      expect(bypass.response.headers.get("x-switchyard-cache")).toBe("bypass");
      expect(upstream.seen.length).toBe(before + 1);
    } finally {
      await one.stop();
    }
  });

  it("answers as a miss, not an error, when Redis cannot be reached", async () => {
    const [one, two] = await pair({}, { redis_url: "redis://127.0.0.1:1" });
    await two.stop();
    try {
      const client = new OpenAI({ baseURL: `${one.url}/v1`, apiKey: "k", maxRetries: 0 });
      const res = await client.chat.completions
        .create({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "no redis" }] })
        .withResponse();
      expect(res.response.headers.get("x-switchyard-cache")).toBe("miss");
      expect(res.data.choices[0]?.message.content).toContain("You said: no redis");
      expect(await (await fetch(`${one.url}/metrics`)).text()).toContain(
        'switchyard_cache_errors_total{op="get"}',
      );
    } finally {
      await one.stop();
    }
  });
});

describe("plugin configuration", () => {
  const load = (plugins: unknown[]) =>
    openGateway(parseConfig({ plugins }), { logger: silentLogger });

  it("names the entry of an unknown built-in and of a module that cannot be loaded", async () => {
    await expect(load([{ name: "nope" }])).rejects.toThrow(
      'plugins[0]: there is no built-in plugin "nope"',
    );
    await expect(load([{ path: "/nowhere/plugin.ts" }])).rejects.toThrow(
      "plugins[0]: cannot load module",
    );
  });

  it("names the field of a plugin config that does not match its schema", async () => {
    await expect(load([{ name: "cache", config: { ttl_seconds: 0 } }])).rejects.toThrow(
      "plugins[0].config.ttl_seconds",
    );
  });

  it("leaves out an optional plugin that cannot start", async () => {
    const gateway = await load([{ name: "nope", optional: true }, { name: "telemetry" }]);
    await gateway.close();
  });
});

describe("the logging plugin in a gateway process", () => {
  it("logs refused and served requests with cost and trace id, and writes them all at SIGTERM", async () => {
    const { startGatewayProcess } = await import("./helpers/gateway-process.ts");
    const { Database } = await import("bun:sqlite");
    const { mkdtempSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const file = join(mkdtempSync(join(tmpdir(), "switchyard-logs-")), "logs.sqlite");
    const key = "sk-sy-logged-key-0001-wx";
    const proc = await startGatewayProcess({
      providers: { mock: { type: "mock", models: ["echo"] } },
      storage: { sqlite_path: file },
      plugins: [
        { name: "telemetry" },
        // Written only at shutdown: the test checks that nothing buffered is lost.
        { name: "logging", config: { flush_interval_ms: 600_000, batch_size: 1000 } },
      ],
      governance: {
        pricing: { "mock/echo": { input_per_million: 1000, output_per_million: 1000 } },
        virtual_keys: [{ key, name: "logged" }],
      },
    });
    const ask = (auth?: string) =>
      fetch(`${proc.url}/v1/chat/completions`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(auth ? { authorization: `Bearer ${auth}` } : {}),
        },
        body: JSON.stringify({ model: "mock/echo", messages: [{ role: "user", content: "hi" }] }),
      });
    expect((await ask("sk-sy-wrong-key-wxyz0123")).status).toBe(401);
    const ok = await ask(key);
    expect(ok.status).toBe(200);
    const trace = ok.headers.get("traceparent")!.split("-")[1];
    await proc.stop();
    const db = new Database(file, { readonly: true });
    const rows = db.query("SELECT * FROM switchyard_request_logs ORDER BY ts").all() as Record<
      string,
      unknown
    >[];
    db.close();
    expect(rows.map((r) => r.status)).toEqual([401, 200]);
    expect(rows[0]!.error_code).toBe("PLUGIN_REJECTED");
    expect(rows[1]!.cost_usd).toBeGreaterThan(0);
    expect(rows[1]!.trace_id).toBe(trace);
    expect(rows[1]!.caller).toMatch(/^vk_/);
    expect(JSON.stringify(rows)).not.toContain(key);
    expect(JSON.stringify(rows)).not.toContain("sk-sy-wrong-key-wxyz0123");
  });
});

describe("the logging plugin's durable mode", () => {
  it("keeps every answered request's record through a crash, where the default mode loses them", async () => {
    const { startGatewayProcess } = await import("./helpers/gateway-process.ts");
    const { Database } = await import("bun:sqlite");
    const { mkdtempSync, readdirSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(join(tmpdir(), "switchyard-durable-"));
    const rows = (file: string) => {
      const db = new Database(file, { readonly: true });
      const n = (
        db.query("SELECT count(*) AS n FROM switchyard_request_logs").get() as { n: number }
      ).n;
      db.close();
      return n;
    };
    const config = (file: string, durable: boolean) => ({
      providers: { mock: { type: "mock", models: ["echo"] } },
      storage: { sqlite_path: join(dir, file) },
      // Nothing is written before the crash: every record is still buffered.
      plugins: [
        {
          name: "logging",
          config: { durable, flush_interval_ms: 600_000, batch_size: 1000, public_logs: true },
        },
      ],
    });
    const served = async (url: string) => {
      for (let i = 0; i < 20; i++) {
        const r = await fetch(`${url}/v1/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            model: "mock/echo",
            messages: [{ role: "user", content: `n${i}` }],
          }),
        });
        expect(r.status).toBe(200);
      }
    };
    for (const [file, durable, kept] of [
      ["plain.sqlite", false, 0],
      ["durable.sqlite", true, 20],
    ] as const) {
      const first = await startGatewayProcess(config(file, durable));
      await served(first.url);
      await first.crash();
      expect(rows(join(dir, file))).toBe(0);
      const second = await startGatewayProcess(config(file, durable));
      await second.stop();
      expect(rows(join(dir, file))).toBe(kept);
    }
    // Nothing is replayed twice, and the journal is gone once written.
    const third = await startGatewayProcess(config("durable.sqlite", true));
    await third.stop();
    expect(rows(join(dir, "durable.sqlite"))).toBe(20);
    expect(readdirSync(dir).filter((f) => f.includes(".journal."))).toEqual([]);
  }, 30_000);
});

describe("the logging plugin on PostgreSQL", () => {
  const schema = useTestSchema("sy_e2e_logs");

  it("writes what two gateway processes served to one table, readable through either", async () => {
    const { startGatewayProcess } = await import("./helpers/gateway-process.ts");
    const doc = {
      providers: { mock: { type: "mock", models: ["echo"] } },
      storage: { postgres_url: schema.url },
      plugins: [
        { name: "logging", config: { flush_interval_ms: 50, query_key: "logs-reader-key-0001" } },
      ],
    };
    const [one, two] = await Promise.all([startGatewayProcess(doc), startGatewayProcess(doc)]);
    try {
      for (const [i, g] of [one, two].entries()) {
        const client = new OpenAI({ baseURL: `${g.url}/v1`, apiKey: `caller-${i}`, maxRetries: 0 });
        await client.chat.completions.create({
          model: "mock/echo",
          messages: [{ role: "user", content: `from ${i}` }],
        });
      }
      // Each instance writes its batch on its own timer; read through the first until both landed.
      let rows: { status: number; caller: string }[] = [];
      for (let i = 0; i < 40 && rows.length < 2; i++) {
        if (i > 0) await Bun.sleep(50);
        const r = await fetch(`${one.url}/v1/logs?model=mock/echo`, {
          headers: { authorization: "Bearer logs-reader-key-0001" },
        });
        rows = ((await r.json()) as { data: typeof rows }).data;
      }
      expect(rows.length).toBe(2);
      expect(rows.every((row) => row.status === 200)).toBe(true);
      expect(new Set(rows.map((row) => row.caller)).size).toBe(2);
      expect(JSON.stringify(rows)).not.toContain("caller-0");
    } finally {
      await Promise.all([one.stop(), two.stop()]);
    }
  });
});
