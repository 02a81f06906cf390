/**
 * A mock OpenAI upstream speaking the real wire format: JSON bodies, SSE streams framed as
 * `data: {...}\n\n` ending in `data: [DONE]`, and OpenAI error bodies with real status codes.
 * It is a plain `(Request) => Response` handler, so the same code serves the in-process `mock`
 * provider, the test suite's HTTP mock servers (`Bun.serve({ fetch })`) and the benchmarks.
 *
 * The model name can ask for faults, which is how tests and users rehearse failure:
 * `fail-<status>`, `flaky-<n>`, `limited-<n>`, `stall`, `slow-<ms>`, `reset`, `truncate`, `garbage`
 * (see `faults.ts`).
 */
import type { ChatChunk, ChatRequest, ChatResponse } from "../../core/chat.ts";
import type { EmbeddingsRequest } from "../../core/embeddings.ts";
import { isRecord } from "../../dialects/fields.ts";
import { createFaults, damage } from "./faults.ts";
import { countTokens, mockEmbedding, planReply, type MockTurn } from "./reply.ts";
import { turnChunks, turnResponse } from "./turn.ts";

export interface MockUpstreamOptions {
  /** Delay before every answer, plus up to `jitterMs` more. */
  latencyMs?: number;
  jitterMs?: number;
  /** Delay between stream chunks. */
  chunkDelayMs?: number;
  /** Fraction of requests (0..1) answered with a 500. */
  errorRate?: number;
  replyWords?: number;
  /** When set, requests must carry one of these as `Authorization: Bearer`. */
  apiKeys?: readonly string[];
  /** Model names listed by `GET /models`. */
  models?: readonly string[];
  /** Sees every request body the mock receives (tests assert on what arrived upstream). */
  onRequest?: (seen: SeenRequest) => void;
  random?: () => number;
}

export interface SeenRequest {
  method: string;
  path: string;
  headers: Headers;
  body: unknown;
}

const JSON_HEADERS = { "content-type": "application/json" };
const SSE_HEADERS = { "content-type": "text/event-stream", "cache-control": "no-cache" };
const encoder = new TextEncoder();

export function openAiError(status: number, message: string, type: string, code: string | null) {
  const headers: Record<string, string> = { ...JSON_HEADERS };
  if (status === 429) headers["retry-after"] = "1";
  return new Response(JSON.stringify({ error: { message, type, param: null, code } }), {
    status,
    headers,
  });
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });
}

export function createMockOpenAi(
  options: MockUpstreamOptions = {},
): (req: Request) => Promise<Response> {
  const random = options.random ?? Math.random;
  const faults = createFaults();
  let counter = 0;

  async function handle(req: Request): Promise<Response> {
    const path = new URL(req.url).pathname.replace(/^\/v1(?=\/)/, "");
    const signal = req.signal;
    let body: unknown;
    if (req.method === "POST") {
      try {
        body = await req.json();
      } catch {
        return openAiError(
          400,
          "We could not parse the JSON body of your request.",
          "invalid_request_error",
          null,
        );
      }
    }
    options.onRequest?.({ method: req.method, path, headers: req.headers, body });
    if (options.apiKeys) {
      const auth = req.headers.get("authorization") ?? "";
      const key = auth.startsWith("Bearer ") ? auth.slice(7) : "";
      if (!options.apiKeys.includes(key)) {
        return openAiError(
          401,
          "Incorrect API key provided.",
          "invalid_request_error",
          "invalid_api_key",
        );
      }
    }
    const latency = (options.latencyMs ?? 0) + (options.jitterMs ? random() * options.jitterMs : 0);
    await sleep(latency, signal);
    if (options.errorRate && random() < options.errorRate) {
      return openAiError(
        500,
        "The server had an error while processing your request.",
        "server_error",
        null,
      );
    }
    if (req.method === "GET" && path === "/models") return listModels();
    if (req.method === "POST" && path === "/chat/completions") return chat(body, signal);
    if (req.method === "POST" && path === "/embeddings") return embeddings(body);
    return openAiError(
      404,
      `Invalid URL (${req.method} /v1${path})`,
      "invalid_request_error",
      null,
    );
  }

  function listModels(): Response {
    const data = (options.models ?? ["echo"]).map((id) => ({
      id,
      object: "model",
      created: 1700000000,
      owned_by: "switchyard-mock",
    }));
    return new Response(JSON.stringify({ object: "list", data }), { headers: JSON_HEADERS });
  }

  async function chat(body: unknown, signal: AbortSignal): Promise<Response> {
    if (!isRecord(body) || typeof body.model !== "string") {
      return openAiError(400, "you must provide a model parameter", "invalid_request_error", null);
    }
    if (!Array.isArray(body.messages) || body.messages.length === 0) {
      return openAiError(
        400,
        "'messages' must be a non-empty array",
        "invalid_request_error",
        null,
      );
    }
    const req = body as unknown as ChatRequest;
    const d = faults(req.model);
    if (d.fail) return failWith(d.fail);
    if (d.stall) {
      await new Promise<void>((resolve) =>
        signal.addEventListener("abort", () => resolve(), { once: true }),
      );
      return openAiError(499, "client closed", "invalid_request_error", null);
    }
    if (d.slowMs) await sleep(d.slowMs, signal);
    const turn = planReply(
      req,
      options.replyWords === undefined ? {} : { replyWords: options.replyWords },
    );
    const id = `chatcmpl-mock-${++counter}`;
    const created = Math.floor(Date.now() / 1000);
    if (req.stream === true) {
      const res = streamTurn(req, turn, id, created);
      return d.body ? damage(res, d.body) : res;
    }
    const response = onTheWire(turnResponse(turn, { id, created, model: req.model }));
    const res = new Response(JSON.stringify(response), { headers: JSON_HEADERS });
    return d.body ? damage(res, d.body) : res;
  }

  function failWith(status: number): Response {
    if (status === 429)
      return openAiError(429, "Rate limit reached for requests", "requests", "rate_limit_exceeded");
    if (status >= 500)
      return openAiError(
        status,
        "The server had an error while processing your request.",
        "server_error",
        null,
      );
    if (status === 401)
      return openAiError(
        401,
        "Incorrect API key provided.",
        "invalid_request_error",
        "invalid_api_key",
      );
    return openAiError(
      status,
      `mock failure with status ${status}`,
      "invalid_request_error",
      "mock_failure",
    );
  }

  function streamTurn(req: ChatRequest, turn: MockTurn, id: string, created: number): Response {
    // The usage chunk goes only to callers who asked for it, as OpenAI does.
    const events = turnChunks(turn, { id, created, model: req.model })
      .filter((c) => c.choices.length > 0 || req.stream_options?.include_usage)
      .map(onTheWire);
    const delay = options.chunkDelayMs ?? 0;
    let i = 0;
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (i > 0 && delay > 0) await Bun.sleep(delay);
        if (i < events.length) {
          controller.enqueue(encoder.encode(`data: ${JSON.stringify(events[i++])}\n\n`));
        } else {
          controller.enqueue(encoder.encode("data: [DONE]\n\n"));
          controller.close();
        }
      },
    });
    return new Response(stream, { headers: SSE_HEADERS });
  }

  function embeddings(body: unknown): Response {
    if (!isRecord(body) || typeof body.model !== "string") {
      return openAiError(400, "you must provide a model parameter", "invalid_request_error", null);
    }
    const req = body as unknown as EmbeddingsRequest;
    const d = faults(req.model);
    if (d.fail) return failWith(d.fail);
    const inputs =
      typeof req.input === "string" ? [req.input] : Array.isArray(req.input) ? req.input : null;
    if (!inputs || inputs.length === 0) {
      return openAiError(
        400,
        "'input' must be a non-empty string or array",
        "invalid_request_error",
        null,
      );
    }
    const dims =
      typeof req.dimensions === "number" && req.dimensions > 0 ? Math.min(req.dimensions, 4096) : 8;
    let tokens = 0;
    const data = inputs.map((input, index) => {
      const text = typeof input === "string" ? input : JSON.stringify(input);
      tokens += countTokens(text);
      const vector = mockEmbedding(text, dims);
      const embedding =
        req.encoding_format === "base64"
          ? Buffer.from(new Float32Array(vector).buffer).toString("base64")
          : vector;
      return { object: "embedding", index, embedding };
    });
    const response = {
      object: "list",
      data,
      model: req.model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    };
    return new Response(JSON.stringify(response), { headers: JSON_HEADERS });
  }

  return handle;
}

/**
 * A canonical answer as OpenAI writes it: a system fingerprint, `logprobs: null` on each choice,
 * and `refusal: null` in the message (or in a stream's first text delta).
 */
function onTheWire<T extends ChatResponse | ChatChunk>(answer: T): T {
  const choices = answer.choices.map((choice) => {
    const withLogprobs: Record<string, unknown> = { ...choice, logprobs: null };
    const part = "message" in choice ? "message" : "delta";
    const body = (choice as unknown as Record<string, Record<string, unknown>>)[part]!;
    const first = part === "message" || (body.role === "assistant" && !("tool_calls" in body));
    if (first) withLogprobs[part] = { ...body, refusal: null };
    return withLogprobs;
  });
  return { ...answer, choices, system_fingerprint: "fp_mock" } as T;
}
