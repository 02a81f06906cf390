/**
 * Fuzzing each front-end with thousands of malformed requests (seeded, so a failure replays):
 * mutated valid bodies, random JSON, broken JSON, deep nesting, prototype keys, bad routing
 * headers. Every answer must be a client error or a success in the front-end's own format, never
 * a 5xx, and the gateway must stay healthy with nothing left in flight.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { startGateway, type TestGateway } from "./helpers/gateway.ts";

const REQUESTS_PER_FRONT_END = 1200;
const BATCH = 40;

let gw: TestGateway;

beforeAll(async () => {
  gw = await startGateway({
    server: { max_body_bytes: 64 * 1024 },
    providers: { mock: { type: "mock" }, other: { type: "mock" } },
    models: { fast: "mock/echo" },
  });
});

afterAll(() => gw.stop());

/** mulberry32: a small seeded generator. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(r: Rand, items: readonly T[]): T => items[Math.floor(r() * items.length)]!;
const STRINGS = [
  "",
  "x",
  "mock/echo",
  "fast",
  "user",
  "assistant",
  "model",
  "system",
  "tool",
  "text",
  "image",
  "tool_use",
  "tool_result",
  "functionCall",
  "__proto__",
  "constructor",
  "\u0000",
  "é🚀",
  "a".repeat(3000),
  "-1",
  "null",
  "data:image/png;base64,AAAA",
];
const KEYS = [
  "model",
  "messages",
  "role",
  "content",
  "type",
  "text",
  "max_tokens",
  "stream",
  "tools",
  "tool_choice",
  "contents",
  "parts",
  "system",
  "systemInstruction",
  "generationConfig",
  "fallbacks",
  "__proto__",
  "constructor",
  "prototype",
  "n",
  "stop",
  "temperature",
  "input_schema",
  "source",
  "functionResponse",
];

function randomJson(r: Rand, depth = 0): unknown {
  const k = r();
  if (depth > 4 || k < 0.3)
    return pick(r, [null, true, false, 0, -1, 1.5, 1e308, 2 ** 53, pick(r, STRINGS)]);
  if (k < 0.6) return Array.from({ length: Math.floor(r() * 4) }, () => randomJson(r, depth + 1));
  const obj: Record<string, unknown> = {};
  for (let i = Math.floor(r() * 5); i > 0; i--) obj[pick(r, KEYS)] = randomJson(r, depth + 1);
  return obj;
}

/** Replaces, deletes or wraps one value somewhere inside a copy of `body`. */
function mutate(r: Rand, body: unknown): unknown {
  const copy = structuredClone(body);
  let node = copy as Record<string, unknown>;
  for (let steps = Math.floor(r() * 4); steps > 0; steps--) {
    const keys = Object.keys(node);
    const next = keys.length ? node[pick(r, keys)] : undefined;
    if (typeof next !== "object" || next === null) break;
    node = next as Record<string, unknown>;
  }
  const keys = Object.keys(node);
  const key = keys.length && r() < 0.8 ? pick(r, keys) : pick(r, KEYS);
  const action = r();
  if (action < 0.25) delete node[key];
  else if (action < 0.4) node[key] = [node[key]];
  else node[key] = randomJson(r);
  return copy;
}

function deep(levels: number): string {
  return "[".repeat(levels) + "]".repeat(levels);
}

interface FrontEnd {
  name: string;
  path: (r: Rand) => string;
  valid: unknown[];
  /** Whether an error body has this front-end's shape. */
  isErrorBody: (body: any) => boolean;
}

const FRONT_ENDS: FrontEnd[] = [
  {
    name: "OpenAI",
    path: (r) => pick(r, ["/v1/chat/completions", "/openai/v1/chat/completions", "/v1/embeddings"]),
    valid: [
      { model: "mock/echo", messages: [{ role: "user", content: "hi" }] },
      {
        model: "fast",
        stream: true,
        messages: [
          { role: "system", content: "s" },
          { role: "user", content: [{ type: "text", text: "t" }] },
        ],
        tools: [{ type: "function", function: { name: "f", parameters: { type: "object" } } }],
      },
      { model: "mock/echo", input: ["a", "b"] },
    ],
    isErrorBody: (b) => typeof b?.error?.message === "string" && typeof b.error.type === "string",
  },
  {
    name: "Anthropic",
    path: (r) => pick(r, ["/v1/messages", "/anthropic/v1/messages", "/v1/messages/count_tokens"]),
    valid: [
      { model: "mock/echo", max_tokens: 20, messages: [{ role: "user", content: "hi" }] },
      {
        model: "fast",
        max_tokens: 20,
        stream: true,
        system: "s",
        messages: [
          { role: "user", content: [{ type: "text", text: "t" }] },
          { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "f", input: {} }] },
          { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: "ok" }] },
        ],
        tools: [{ name: "f", input_schema: { type: "object" } }],
      },
    ],
    isErrorBody: (b) =>
      b?.type === "error" &&
      typeof b.error?.type === "string" &&
      typeof b.error.message === "string",
  },
  {
    name: "Gemini",
    path: (r) =>
      pick(r, [
        "/v1beta/models/mock/echo:generateContent",
        "/gemini/v1beta/models/fast:streamGenerateContent?alt=sse",
        "/v1/models/mock/echo:countTokens",
        "/v1beta/models/%ZZ:generateContent",
        "/v1beta/models/mock/echo",
      ]),
    valid: [
      { contents: [{ role: "user", parts: [{ text: "hi" }] }] },
      {
        systemInstruction: { parts: [{ text: "s" }] },
        contents: [
          { role: "user", parts: [{ text: "t" }] },
          { role: "model", parts: [{ functionCall: { name: "f", args: {} } }] },
          { role: "user", parts: [{ functionResponse: { name: "f", response: {} } }] },
        ],
        tools: [{ functionDeclarations: [{ name: "f", parameters: { type: "OBJECT" } }] }],
        generationConfig: { maxOutputTokens: 5 },
      },
    ],
    isErrorBody: (b) => typeof b?.error?.code === "number" && typeof b.error.status === "string",
  },
];

function randomBody(r: Rand, fe: FrontEnd): string {
  const k = r();
  if (k < 0.55) return JSON.stringify(mutate(r, pick(r, fe.valid)));
  if (k < 0.7) return JSON.stringify(randomJson(r));
  if (k < 0.78) return JSON.stringify(pick(r, fe.valid)).slice(0, Math.floor(r() * 40));
  if (k < 0.84) return deep(50 + Math.floor(r() * 200));
  if (k < 0.88)
    return JSON.stringify({
      ...(pick(r, fe.valid) as object),
      ["__proto__"]: { polluted: true },
    }).replace('"polluted"', '"polluted"');
  if (k < 0.92)
    return String.fromCharCode(...Array.from({ length: 30 }, () => Math.floor(r() * 256)));
  if (k < 0.96) return "x".repeat(70 * 1024);
  return "";
}

function randomHeaders(r: Rand): Record<string, string> {
  const headers: Record<string, string> = {
    "content-type": pick(r, [
      "application/json",
      "application/json",
      "text/plain",
      "application/x-www-form-urlencoded",
    ]),
  };
  if (r() < 0.15)
    headers["x-switchyard-timeout-ms"] = pick(r, ["0", "-5", "abc", "99999999999", "1e3", "250"]);
  if (r() < 0.15)
    headers["x-switchyard-fallbacks"] = pick(r, [
      "",
      ",,,",
      "nope/x",
      "mock/echo,other/echo",
      "a".repeat(300),
      Array(20).fill("mock/x").join(","),
    ]);
  if (r() < 0.1)
    headers["x-request-id"] = pick(r, ["ok-id", "bad id with spaces", "x".repeat(500)]);
  return headers;
}

describe("fuzzing the front-ends", () => {
  for (const [n, fe] of FRONT_ENDS.entries()) {
    it(`answers ${REQUESTS_PER_FRONT_END} malformed ${fe.name} requests without a 5xx`, async () => {
      const r = prng(1000 + n);
      const problems: string[] = [];
      const statuses = new Map<number, number>();
      for (let sent = 0; sent < REQUESTS_PER_FRONT_END; sent += BATCH) {
        await Promise.all(
          Array.from({ length: BATCH }, async () => {
            const path = fe.path(r);
            const body = randomBody(r, fe);
            const res = await fetch(`${gw.url}${path}`, {
              method: "POST",
              headers: randomHeaders(r),
              body,
            });
            const text = await res.text();
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
            if (res.status >= 500)
              problems.push(`${res.status} ${path} ${body.slice(0, 200)} -> ${text.slice(0, 200)}`);
            else if (res.status >= 400) {
              let parsed: unknown;
              try {
                parsed = JSON.parse(text);
              } catch {
                parsed = undefined;
              }
              if (!fe.isErrorBody(parsed))
                problems.push(`bad error shape ${res.status} ${path}: ${text.slice(0, 200)}`);
            }
          }),
        );
      }
      expect(problems.slice(0, 5)).toEqual([]);
      // Most requests must have been refused, some must have got through.
      expect([...statuses.keys()].some((s) => s >= 400)).toBe(true);
      expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
    });
  }

  it("is still healthy afterwards, with nothing in flight and nothing polluted", async () => {
    await Bun.sleep(50);
    const res = await fetch(`${gw.url}/health`);
    expect(res.status).toBe(200);
    const health = (await res.json()) as {
      in_flight: number;
      pools: { inFlight: number; queued: number }[];
    };
    expect(health.in_flight).toBe(0);
    for (const pool of health.pools) expect(pool.inFlight + pool.queued).toBe(0);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
