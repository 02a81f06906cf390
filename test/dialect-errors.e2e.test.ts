/**
 * Errors on the Anthropic and Gemini front-ends: every failure answers in the caller's own error
 * shape with a fitting status, as that API's official SDK reads it; fields one dialect cannot
 * express are refused by name, and travel untouched to a provider of the same dialect.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import { ApiError, GoogleGenAI } from "@google/genai";
import { startGateway, type TestGateway } from "./helpers/gateway.ts";
import { startMockUpstream, type MockUpstream } from "./helpers/mock-upstream.ts";

const KEY = "upstream-secret-key-0123456789";

let openaiUp: MockUpstream;
let anthropicUp: MockUpstream;
let geminiUp: MockUpstream;
let gw: TestGateway;
let claude: Anthropic;
let genai: GoogleGenAI;

beforeAll(async () => {
  openaiUp = startMockUpstream({ apiKeys: [KEY] }, "openai");
  anthropicUp = startMockUpstream({ apiKeys: [KEY] }, "anthropic");
  geminiUp = startMockUpstream({ apiKeys: [KEY] }, "gemini");
  gw = await startGateway({
    server: { max_body_bytes: 4096 },
    providers: {
      oa: { type: "openai", base_url: openaiUp.url, keys: [{ value: KEY }], timeout_ms: 300 },
      an: { type: "anthropic", base_url: anthropicUp.url, keys: [{ value: KEY }] },
      ge: { type: "gemini", base_url: geminiUp.url, keys: [{ value: KEY }] },
      // Providers of their own for 429s, which set the only key aside for a second.
      oa429: { type: "openai", base_url: openaiUp.url, keys: [{ value: KEY }] },
      an429: { type: "anthropic", base_url: anthropicUp.url, keys: [{ value: KEY }] },
    },
  });
  claude = new Anthropic({ baseURL: gw.url, apiKey: "caller", maxRetries: 0 });
  genai = new GoogleGenAI({ apiKey: "caller", httpOptions: { baseUrl: gw.url } });
});

afterAll(async () => {
  await gw.stop();
  await Promise.all([openaiUp.stop(), anthropicUp.stop(), geminiUp.stop()]);
});

async function post(path: string, body: string | object, headers: Record<string, string> = {}) {
  const res = await fetch(`${gw.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  const json = res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : undefined;
  return { status: res.status, headers: res.headers, text, json: json as any };
}

async function claudeError(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (err) {
    if (err instanceof Anthropic.APIError) return err;
    throw err;
  }
  throw new Error("expected the request to fail");
}

async function geminiError(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error("expected the request to fail");
}

const hello = [{ role: "user" as const, content: "hello" }];
const MESSAGES = ["/v1/messages", "/anthropic/v1/messages"];

describe("the Anthropic front-end's errors", () => {
  for (const path of MESSAGES) {
    it(`answers malformed JSON on ${path} with a 400 in Anthropic's shape`, async () => {
      const res = await post(path, "{not json");
      expect(res.status).toBe(400);
      expect(res.json.type).toBe("error");
      expect(res.json.error.type).toBe("invalid_request_error");
      expect(typeof res.json.error.message).toBe("string");
    });
  }

  it("names a missing max_tokens", async () => {
    const res = await post("/v1/messages", { model: "an/claude", messages: hello });
    expect(res.status).toBe(400);
    expect(res.json.error.type).toBe("invalid_request_error");
    expect(res.json.error.message).toContain("max_tokens");
  });

  it("answers an unknown model with not_found_error, as the SDK's NotFoundError", async () => {
    const err = await claudeError(
      claude.messages.create({ model: "nope/claude", max_tokens: 10, messages: hello }),
    );
    expect(err).toBeInstanceOf(Anthropic.NotFoundError);
    expect(err.status).toBe(404);
    expect((err.error as any).error.type).toBe("not_found_error");
  });

  it("answers a body over max_body_bytes with request_too_large", async () => {
    const res = await post("/v1/messages", {
      model: "an/claude",
      max_tokens: 10,
      messages: [{ role: "user", content: "x".repeat(5000) }],
    });
    expect(res.status).toBe(413);
    expect(res.json.error.type).toBe("request_too_large");
  });

  it("passes an upstream 429 through as rate_limit_error with Retry-After", async () => {
    const err = await claudeError(
      claude.messages.create({ model: "oa429/fail-429", max_tokens: 10, messages: hello }),
    );
    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
    expect(err.headers?.get("retry-after")).toBe("1");
    expect((err.error as any).error.type).toBe("rate_limit_error");
  });

  it("answers an upstream 5xx with a 502 api_error that keeps the provider key hidden", async () => {
    const res = await post("/v1/messages", {
      model: "ge/fail-503",
      max_tokens: 10,
      messages: hello,
    });
    expect(res.status).toBe(502);
    expect(res.json.error.type).toBe("api_error");
    expect(res.text).not.toContain(KEY);
  });

  it("answers an upstream timeout with a 504", async () => {
    const res = await post("/v1/messages", { model: "oa/stall", max_tokens: 10, messages: hello });
    expect(res.status).toBe(504);
    expect(res.json.error.type).toBe("timeout_error");
  });

  it("refuses a field the target dialect cannot express, naming it", async () => {
    const before = openaiUp.seen.length;
    const err = await claudeError(
      claude.messages.create({
        model: "oa/gpt",
        max_tokens: 10,
        thinking: { type: "enabled", budget_tokens: 1024 },
        messages: hello,
      }),
    );
    expect(err.status).toBe(400);
    expect((err.error as any).error.type).toBe("invalid_request_error");
    expect(err.message).toContain("thinking");
    expect(openaiUp.seen).toHaveLength(before);
  });

  it("sends such a field on untouched to an Anthropic provider", async () => {
    const msg = await claude.messages.create({
      model: "an/claude",
      max_tokens: 10,
      thinking: { type: "enabled", budget_tokens: 1024 },
      metadata: { user_id: "u-1" },
      messages: [
        {
          role: "user",
          content: [{ type: "text", text: "hi", cache_control: { type: "ephemeral" } }],
        },
      ],
    });
    expect(msg.type).toBe("message");
    const body = anthropicUp.seen.at(-1)!.body as any;
    expect(body.thinking).toEqual({ type: "enabled", budget_tokens: 1024 });
    expect(body.model).toBe("claude");
    expect(body.messages[0].content[0].cache_control).toEqual({ type: "ephemeral" });
  });

  it("estimates input tokens on count_tokens and 404s an unknown model", async () => {
    const counted = await claude.messages.countTokens({ model: "oa/gpt", messages: hello });
    expect(counted.input_tokens).toBeGreaterThan(0);
    const res = await post("/v1/messages/count_tokens", { model: "nope/x", messages: hello });
    expect(res.status).toBe(404);
    expect(res.json.error.type).toBe("not_found_error");
  });

  it("streams Anthropic's event sequence, whether passed through or translated", async () => {
    const names = async (model: string) => {
      const res = await post("/v1/messages", {
        model,
        max_tokens: 50,
        stream: true,
        messages: hello,
      });
      expect(res.status).toBe(200);
      const events = [...res.text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
      // Collapse runs of deltas, and drop pings, which may come anywhere.
      return events.filter(
        (e, k) => e !== "ping" && !(e === "content_block_delta" && events[k - 1] === e),
      );
    };
    const expected = [
      "message_start",
      "content_block_start",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ];
    expect(await names("an/claude")).toEqual(expected);
    expect(await names("oa/gpt")).toEqual(expected);
    expect(await names("ge/gemini")).toEqual(expected);
  });
});

describe("the Gemini front-end's errors", () => {
  it("answers malformed JSON with a 400 INVALID_ARGUMENT in Google's shape", async () => {
    const res = await post("/v1beta/models/oa/gpt:generateContent", "{nope");
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: 400, status: "INVALID_ARGUMENT" });
  });

  it("names an invalid field", async () => {
    const res = await post("/gemini/v1beta/models/oa/gpt:generateContent", {
      contents: "hi there",
    });
    expect(res.status).toBe(400);
    expect(res.json.error.status).toBe("INVALID_ARGUMENT");
    expect(res.json.error.message).toContain("contents");
  });

  it("answers an unknown model with NOT_FOUND, as the SDK's ApiError", async () => {
    const err = await geminiError(
      genai.models.generateContent({ model: "nope/x", contents: "hi" }),
    );
    expect(err.status).toBe(404);
    expect(err.message).toContain("NOT_FOUND");
  });

  it("answers a model path that is not valid percent-encoding with a 400, not a 500", async () => {
    const res = await post("/v1beta/models/%E0%A4%A:generateContent", {
      contents: [{ parts: [{ text: "hi" }] }],
    });
    expect(res.status).toBe(400);
    expect(res.json.error.status).toBe("INVALID_ARGUMENT");
  });

  it("refuses a model name that would leave the upstream's URL path, without calling it", async () => {
    const before = geminiUp.seen.length;
    const encoded = await post("/v1beta/models/ge/..%2Ffiles%3Fx%3D:generateContent", {
      contents: [{ parts: [{ text: "hi" }] }],
    });
    expect(encoded.status).toBe(400);
    expect(encoded.json.error.status).toBe("INVALID_ARGUMENT");
    // The same name in an OpenAI body, routed to the Gemini provider.
    const viaBody = await post("/v1/chat/completions", {
      model: "ge/../files?x=",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(viaBody.status).toBe(400);
    expect(viaBody.json.error.param).toBe("model");
    expect(geminiUp.seen.length).toBe(before);
  });

  it("names an empty part", async () => {
    const res = await post("/v1beta/models/oa/gpt:generateContent", {
      contents: [{ parts: [{}] }],
    });
    expect(res.status).toBe(400);
    expect(res.json.error.message).toContain("contents[0].parts[0]");
  });

  it("answers an unknown method with a 404", async () => {
    const res = await post("/v1beta/models/oa/gpt:embedContent", { contents: [] });
    expect(res.status).toBe(404);
    expect(res.json.error.status).toBe("NOT_FOUND");
  });

  it("passes an upstream 429 through as RESOURCE_EXHAUSTED", async () => {
    const err = await geminiError(
      genai.models.generateContent({ model: "an429/fail-429", contents: "hi" }),
    );
    expect(err.status).toBe(429);
    expect(err.message).toContain("RESOURCE_EXHAUSTED");
  });

  it("answers an upstream timeout with a 504 DEADLINE_EXCEEDED", async () => {
    const res = await post("/v1beta/models/oa/stall:generateContent", {
      contents: [{ role: "user", parts: [{ text: "hi" }] }],
    });
    expect(res.status).toBe(504);
    expect(res.json.error.status).toBe("DEADLINE_EXCEEDED");
  });

  it("refuses a generation setting the target cannot express, naming it", async () => {
    const res = await post("/v1beta/models/an/claude:generateContent", {
      contents: [{ role: "user", parts: [{ text: "hi" }] }],
      safetySettings: [{ category: "HARM_CATEGORY_HARASSMENT", threshold: "BLOCK_NONE" }],
    });
    expect(res.status).toBe(400);
    expect(res.json.error.message).toContain("safetySettings");
  });

  it("sends such a setting on untouched to a Gemini provider", async () => {
    const res = await genai.models.generateContent({
      model: "ge/gemini",
      contents: "hi",
      config: {
        topK: 3,
        safetySettings: [
          { category: "HARM_CATEGORY_HARASSMENT" as any, threshold: "BLOCK_NONE" as any },
        ],
      },
    });
    expect(res.text).toContain("hi");
    const seen = geminiUp.seen.at(-1)!;
    expect(seen.path).toBe("/v1beta/models/gemini:generateContent");
    expect((seen.body as any).generationConfig.topK).toBe(3);
    expect((seen.body as any).safetySettings).toHaveLength(1);
  });

  it("estimates tokens on countTokens", async () => {
    const counted = await genai.models.countTokens({ model: "oa/gpt", contents: "hello there" });
    expect(counted.totalTokens).toBeGreaterThan(0);
  });
});
