/**
 * The gateway against a hostile upstream (`helpers/hostile-upstream.ts`): nothing an upstream
 * sends reaches the caller unscrubbed, nothing after a paid call turns into a 500, and an
 * upstream that answers too much or not at all is bounded (size, headers, silence).
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import { ApiError, GoogleGenAI } from "@google/genai";
import OpenAI from "openai";
import { startGateway, type TestGateway } from "./helpers/gateway.ts";
import { ERROR_BODY_MS } from "../src/pool/answer.ts";
import { startHostileUpstream, type HostileUpstream } from "../bench/lib/hostile-upstream.ts";

const KEY = "sk-hostile-provider-key-7Q2mX9vL4pR8wZ1c";
/** A key a JSON parser's error quotes whole (letters, digits and `_`). */
const UNDERSCORED = "sk_hostile_underscored_key_7Q2mX9vL4pR8";
/** Any 12 characters of the key in an answer count as a leak. */
const WINDOWS = Array.from({ length: KEY.length - 11 }, (_, i) => KEY.slice(i, i + 12));

let up: HostileUpstream;
let underscored: HostileUpstream;
let gw: TestGateway;

beforeAll(async () => {
  up = startHostileUpstream(KEY);
  underscored = startHostileUpstream(UNDERSCORED);
  const provider = (type: string, base: string, extra: object = {}) => ({
    type,
    base_url: base,
    keys: [{ value: KEY }],
    retry: { max_attempts: 1 },
    ...extra,
  });
  gw = await startGateway({
    providers: {
      oa: provider("openai", `${up.url}/v1`),
      oau: { ...provider("openai", `${underscored.url}/v1`), keys: [{ value: UNDERSCORED }] },
      an: provider("anthropic", up.url),
      ge: provider("gemini", up.url),
      // A 429 sets the provider's key aside for a second: each 429 case gets a provider of its own.
      oa429c: provider("openai", `${up.url}/v1`),
      an429c: provider("anthropic", up.url),
      ge429c: provider("gemini", up.url),
      an429m: provider("anthropic", up.url),
      oa429m: provider("openai", `${up.url}/v1`),
      tight: provider("openai", `${up.url}/v1`, {
        max_response_bytes: 1024 * 1024,
        max_event_bytes: 64 * 1024,
        headers_timeout_ms: 300,
        stream_idle_timeout_ms: 300,
      }),
    },
  });
});

afterAll(async () => {
  await gw.stop();
  await up.stop();
  await underscored.stop();
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${gw.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text };
}

/** Requests the `tight` provider's pool holds now (a slot not given back stays counted). */
async function tightInFlight(): Promise<number> {
  const health = (await (await fetch(`${gw.url}/health`)).json()) as {
    pools: { provider: string; inFlight: number }[];
  };
  return health.pools.find((p) => p.provider === "tight")!.inFlight;
}

const leaks = (text: string) => WINDOWS.some((w) => text.includes(w));
const chat = (model: string, stream = false) => ({
  model,
  stream,
  max_tokens: 16,
  messages: [{ role: "user", content: "hi" }],
});

describe("the hostile upstream speaks each API's real wire format", () => {
  it("is read by the official OpenAI SDK: its error fields hold the key it was sent", async () => {
    const direct = new OpenAI({ baseURL: `${up.url}/v1`, apiKey: KEY, maxRetries: 0 });
    const err = (await direct.chat.completions
      .create({ model: "leak", messages: [{ role: "user", content: "hi" }] })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err.type).toBe(KEY);
    expect(err.code).toBe(KEY);
    expect(err.param).toBe(KEY);
  });

  it("answers the official OpenAI SDK, plain and streamed", async () => {
    const direct = new OpenAI({ baseURL: `${up.url}/v1`, apiKey: KEY, maxRetries: 0 });
    const hi = [{ role: "user" as const, content: "hello there" }];
    const plain = await direct.chat.completions.create({ model: "echo", messages: hi });
    expect(plain.choices[0]!.message.content).toContain("hello there");
    let streamed = "";
    for await (const c of await direct.chat.completions.create({
      model: "echo",
      messages: hi,
      stream: true,
    }))
      streamed += c.choices[0]?.delta.content ?? "";
    expect(streamed).toContain("hello there");
  });

  it("is read by the official Anthropic SDK, plain and streamed, and checks the key it is sent", async () => {
    const direct = new Anthropic({ baseURL: up.url, apiKey: KEY, maxRetries: 0 });
    const ask = {
      model: "echo",
      max_tokens: 16,
      messages: [{ role: "user" as const, content: "hello there" }],
    };
    const plain = await direct.messages.create(ask);
    expect(plain.content[0]).toMatchObject({ type: "text", text: "You said: hello there" });
    const streamed = await direct.messages.stream(ask).finalMessage();
    expect(streamed.content[0]).toMatchObject({ type: "text", text: "You said: hello there" });
    expect(streamed.stop_reason).toBe("end_turn");
    const wrong = new Anthropic({ baseURL: up.url, apiKey: "sk-wrong", maxRetries: 0 });
    const err = await wrong.messages
      .create({ model: "echo", max_tokens: 5, messages: [{ role: "user", content: "hi" }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.AuthenticationError);
  });

  it("is read by the official Gemini SDK, plain and streamed, and checks the key it is sent", async () => {
    const direct = new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: up.url } });
    const plain = await direct.models.generateContent({ model: "echo", contents: "hello there" });
    expect(plain.text).toContain("hello there");
    let streamed = "";
    for await (const part of await direct.models.generateContentStream({
      model: "echo",
      contents: "streamed hello",
    }))
      streamed += part.text ?? "";
    expect(streamed).toContain("streamed hello");
    const wrong = new GoogleGenAI({ apiKey: "wrong-key", httpOptions: { baseUrl: up.url } });
    const err = await wrong.models
      .generateContent({ model: "echo", contents: "hi" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect([401, 403]).toContain((err as ApiError).status);
  });
});

describe("nothing an upstream sends reaches the caller unscrubbed", () => {
  const cases: [string, string, (model: string, stream: boolean) => unknown][] = [
    ["/v1/chat/completions", "oa", chat],
    ["/v1/chat/completions", "an", chat],
    ["/v1/chat/completions", "ge", chat],
    ["/v1/messages", "an", chat],
    ["/v1/messages", "oa", chat],
  ];
  for (const [path, provider, body] of cases) {
    for (const model of ["leak", "leak-429"]) {
      it(`scrubs every field of a ${model} error from ${provider} answered on ${path}`, async () => {
        const own = path === "/v1/messages" ? "m" : "c";
        const target =
          model === "leak-429" ? `${provider}429${own}/${model}` : `${provider}/${model}`;
        const seen = up.seen.get(model) ?? 0;
        const res = await post(path, body(target, false));
        expect(res.status).toBe(model === "leak" ? 400 : 429);
        // The upstream's own error came back (scrubbed), not one the gateway wrote instead.
        expect(up.seen.get(model)).toBe(seen + 1);
        expect(res.text).toContain("[redacted]");
        expect(leaks(res.text)).toBe(false);
        expect(leaks([...res.headers].join("\n"))).toBe(false);
      });
    }
    it(`scrubs a stream's error event from ${provider} answered on ${path}`, async () => {
      const res = await post(path, body(`${provider}/leak-stream`, true));
      expect(res.status).toBe(200);
      expect(res.text).toContain("error");
      expect(leaks(res.text)).toBe(false);
    });
  }

  it("scrubs a Gemini caller's view of an upstream error, plain and streamed", async () => {
    const contents = { contents: [{ role: "user", parts: [{ text: "hi" }] }] };
    for (const path of [
      "/v1beta/models/ge/leak:generateContent",
      "/v1beta/models/oa/leak:generateContent",
      "/v1beta/models/ge/leak-stream:streamGenerateContent?alt=sse",
    ]) {
      const res = await post(path, contents);
      expect(leaks(res.text)).toBe(false);
    }
  });

  it("never writes the key to the gateway's logs, not even inside a parser's error", async () => {
    const res = await post("/v1/chat/completions", chat("oau/leak-body"));
    expect(res.status).toBe(502);
    expect(res.text).not.toContain(UNDERSCORED);
    expect(gw.logs.some((l) => l.includes("withheld"))).toBe(true);
    expect(gw.logs.join("\n")).not.toContain(UNDERSCORED);
    expect(leaks(gw.logs.join("\n"))).toBe(false);
    // Nor to /metrics or /health, which anyone reaching the port may read.
    for (const path of ["/metrics", "/health"]) {
      const text = await (await fetch(`${gw.url}${path}`)).text();
      expect(leaks(text)).toBe(false);
      expect(text).not.toContain(UNDERSCORED);
    }
  });
});

describe("nothing after a paid upstream call turns into a 500", () => {
  it("refuses a model name outside ASCII with a 400 naming the field, before any upstream call", async () => {
    for (const model of ["oa/модель", "oa/gpt\uff0f4o", "oa/é"]) {
      const res = await post("/v1/chat/completions", chat(model));
      expect(res.status).toBe(400);
      expect(JSON.parse(res.text).error.param).toBe("model");
      expect(up.seen.has(model.slice(3))).toBe(false);
    }
  });

  it("refuses a fallback name outside ASCII, naming the field", async () => {
    const res = await post("/v1/chat/completions", {
      ...chat("oa/echo"),
      fallbacks: ["oa/модель"],
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).error.param).toBe("fallbacks[0]");
  });

  it("answers an upstream that names its model outside ASCII and reports nonsense usage", async () => {
    for (const stream of [false, true]) {
      const res = await post("/v1/chat/completions", {
        ...chat("oa/odd-model", stream),
        stream_options: stream ? { include_usage: true } : undefined,
      });
      expect(res.status).toBe(200);
      if (!stream)
        expect(Number(res.headers.get("x-switchyard-tokens-in"))).toBeGreaterThanOrEqual(0);
      // The usage the caller reads is counts, whatever the upstream reported.
      const usage = stream
        ? res.text
            .split("\n")
            .filter((l) => l.startsWith("data: {"))
            .map((l) => JSON.parse(l.slice(6)).usage)
            .findLast((u) => u)
        : JSON.parse(res.text).usage;
      expect(usage).toMatchObject({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
    }
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).not.toMatch(/switchyard_tokens_total\{[^}]*\} -/);
  });

  it("answers an answer of an unexpected shape with a 502, in every caller's format", async () => {
    const openai = await post("/v1/chat/completions", chat("oa/odd-shape"));
    const anthropic = await post("/v1/messages", chat("oa/odd-shape"));
    const gemini = await post("/v1beta/models/oa/odd-shape:generateContent", {
      contents: [{ role: "user", parts: [{ text: "hi" }] }],
    });
    for (const res of [openai, anthropic, gemini]) {
      expect(res.status).toBe(502);
      expect(res.headers.get("x-switchyard-error-source")).toBe("upstream");
    }
    expect(JSON.parse(openai.text).error.code).toBe("upstream_invalid_response");
    expect(JSON.parse(anthropic.text)).toMatchObject({
      type: "error",
      error: { type: "api_error" },
    });
    expect(JSON.parse(gemini.text).error).toMatchObject({ code: 502 });
  });
});

describe("an upstream that answers too much or not at all is bounded", () => {
  it("refuses a plain answer past max_response_bytes with a 502 (UPSTREAM_TOO_LARGE)", async () => {
    const res = await post("/v1/chat/completions", chat("tight/huge-4"));
    expect(res.status).toBe(502);
    expect(JSON.parse(res.text).error.code).toBe("upstream_too_large");
  });

  it("ends a stream whose event is longer than max_event_bytes", async () => {
    const res = await post("/v1/chat/completions", chat("tight/long-line-4", true));
    expect(res.status).toBe(502);
    expect(JSON.parse(res.text).error.code).toBe("upstream_too_large");
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toContain(
      'switchyard_upstream_errors_total{provider="tight",code="UPSTREAM_TOO_LARGE"}',
    );
    expect(await tightInFlight()).toBe(0);
  });

  it("counts a compressed answer as it inflates, not by its size on the wire", async () => {
    const res = await post("/v1/chat/completions", chat("tight/gzip-4"));
    expect(res.status).toBe(502);
    expect(JSON.parse(res.text).error.code).toBe("upstream_too_large");
  });

  it("never follows a redirect, so the key never reaches another host", async () => {
    for (const provider of ["oa", "an", "ge"]) {
      const res = await post("/v1/chat/completions", chat(`${provider}/redirect`));
      expect(res.status).toBe(502);
    }
    expect(up.seen.get("stolen") ?? 0).toBe(0);
  });

  it("ends a stream that sends only keep-alive comments once the idle limit passes", async () => {
    const res = await post("/v1/chat/completions", chat("tight/ping-stream", true));
    expect(res.status).toBe(200);
    expect(res.text).toContain("upstream_timeout");
    expect(await tightInFlight()).toBe(0);
  });

  it("bounds a stream's error body that never ends by its headers deadline", async () => {
    const abortedBefore = up.aborted;
    const started = performance.now();
    const res = await post("/v1/chat/completions", chat("tight/slow-error", true));
    expect([502, 504]).toContain(res.status);
    expect(performance.now() - started).toBeLessThan(3000);
    for (let i = 0; i < 100 && up.aborted === abortedBefore; i++) await Bun.sleep(10);
    expect(up.aborted).toBeGreaterThan(abortedBefore);
  });

  it(
    "stops reading a plain answer's error body after 5 s and closes its connection",
    async () => {
      // No headers deadline applies here (the headers came): only the error body's own cut.
      const abortedBefore = up.aborted;
      const started = performance.now();
      const res = await post("/v1/chat/completions", chat("tight/slow-error"));
      const waited = performance.now() - started;
      expect(res.status).toBe(502);
      expect(waited).toBeGreaterThan(ERROR_BODY_MS - 500);
      expect(waited).toBeLessThan(ERROR_BODY_MS + 3000);
      for (let i = 0; i < 100 && up.aborted === abortedBefore; i++) await Bun.sleep(10);
      expect(up.aborted).toBeGreaterThan(abortedBefore);
    },
    ERROR_BODY_MS + 10_000,
  );

  it("frees the caller and the slot when a stream's headers never come", async () => {
    const abortedBefore = up.aborted;
    const started = performance.now();
    const res = await post("/v1/chat/completions", chat("tight/stall", true));
    expect(res.status).toBe(504);
    expect(performance.now() - started).toBeLessThan(3000);
    for (let i = 0; i < 50 && up.aborted === abortedBefore; i++) await Bun.sleep(10);
    expect(up.aborted).toBeGreaterThan(abortedBefore);
    expect(await tightInFlight()).toBe(0);
  });

  it("ends a stream that falls silent with an error event, and frees its slot", async () => {
    const res = await post("/v1/chat/completions", chat("tight/silent-stream", true));
    expect(res.status).toBe(200);
    expect(res.text).toContain("upstream_timeout");
    expect(await tightInFlight()).toBe(0);
  });
});
