/**
 * The provider conformance suite: every adapter runs it with its own recorded fixtures, and its
 * capabilities choose the scenarios. It drives the adapter only through its contract (`types.ts`)
 * and feeds recorded SSE through the pool's real stream reader, in awkward byte splits.
 *
 *   runProviderSuite(openai, openAiFixtures);   // in src/providers/openai/openai.test.ts
 */
import { describe, expect, it } from "bun:test";
import type {
  ChatChunk,
  ChatRequest,
  FinishReason,
  JsonValue,
  Usage,
} from "../../src/core/chat.ts";
import { GatewayError, type ErrorCode } from "../../src/core/errors.ts";
import { sseChunkStream } from "../../src/pool/sse-stream.ts";
import type { ProviderAdapter } from "../../src/providers/types.ts";
import { thrown } from "./canonical.ts";

/** What differs from one provider to the next: its recordings and its wire conventions. */
export interface ProviderFixtures {
  /** The upstream model name the recordings were made with. */
  model: string;
  /** A recorded non-streaming chat response body, with the text and usage it carries. */
  chat: { response: unknown; text: string; usage: Usage };
  /** A recorded text stream (`text/event-stream` body) and what it adds up to. */
  stream: { sse: string; text: string; finishReason: FinishReason; usage: Usage };
  /** A recorded stream in which the model calls one tool (used when the adapter has tools). */
  toolStream: { sse: string; name: string; arguments: JsonValue; usage: Usage };
  /** A recorded stream that starts normally and then carries the provider's in-stream error. */
  errorStream: { sse: string; code: ErrorCode };
  /** The provider's error body for a message, an error type and an error code. */
  errorBody(message: string, type: string, code: string): unknown;
  /** Where the key goes: the header's name and its value for a key. */
  auth: { header: string; value(key: string): string };
  /**
   * Whether request fields the gateway does not model reach the upstream untouched (true for
   * OpenAI-format upstreams); other dialects must reject them rather than drop them.
   */
  passesUnknownFields: boolean;
  /** Where the upstream model name goes: the body (OpenAI, Anthropic) or the URL (Gemini). */
  modelIn: "body" | "url";
  /** Whether the provider's error bodies carry a code of their own besides the type. */
  errorCodes: boolean;
  /** A recorded embeddings response (used when the adapter has embeddings). */
  embeddings?: { response: unknown; dimensions: number };
}

const KEY = "sk-conformance-0123456789abcdef";
const SPLIT = 7;

/** The text as a byte stream cut every `size` bytes (so events and characters straddle chunks). */
function byteStream(text: string, size: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + size));
      offset += size;
    },
  });
}

interface StreamRun {
  chunks: ChatChunk[];
  error?: unknown;
  /** How many times the stream released its upstream exchange. */
  releases: number;
}

async function readSse(adapter: ProviderAdapter, sse: string, size = SPLIT): Promise<StreamRun> {
  const run: StreamRun = { chunks: [], releases: 0 };
  const stream = sseChunkStream(
    byteStream(sse, size),
    adapter.chat.stream,
    new AbortController().signal,
    () => run.releases++,
    (err) => GatewayError.from(err),
    { maxEventBytes: 1 << 20, idleMs: 60_000, provider: adapter.id },
  );
  try {
    for await (const chunk of stream) run.chunks.push(chunk);
  } catch (err) {
    run.error = err;
  }
  return run;
}

function streamError(run: StreamRun): GatewayError {
  if (run.error instanceof GatewayError) return run.error;
  throw new Error(`expected the stream to fail with a GatewayError, got ${String(run.error)}`);
}

/** What a client assembles from a stream: the text, tool calls, finish reason and usage. */
function assemble(chunks: ChatChunk[]) {
  let text = "";
  let finishReason: FinishReason | null = null;
  let usage: Usage | null = null;
  const toolCalls: { id: string; name: string; arguments: string }[] = [];
  for (const chunk of chunks) {
    if (chunk.usage) usage = chunk.usage;
    for (const choice of chunk.choices) {
      text += choice.delta.content ?? "";
      finishReason = choice.finish_reason ?? finishReason;
      for (const d of choice.delta.tool_calls ?? []) {
        const call = (toolCalls[d.index] ??= { id: "", name: "", arguments: "" });
        call.id ||= d.id ?? "";
        call.name ||= d.function?.name ?? "";
        call.arguments += d.function?.arguments ?? "";
      }
    }
  }
  return { text, finishReason, usage, toolCalls };
}

/** The stream's first `count` events, as if the connection dropped right after them. */
function firstEvents(sse: string, count: number): string {
  return sse.split(/\n\n/).slice(0, count).join("\n\n") + "\n\n";
}

function chatRequest(extra: Record<string, unknown> = {}): ChatRequest {
  return { model: "caller-alias", messages: [{ role: "user", content: "Say hello." }], ...extra };
}

export function runProviderSuite(adapter: ProviderAdapter, fixtures: ProviderFixtures): void {
  describe(`${adapter.id} adapter: chat requests`, () => {
    it(`puts the upstream model name in the ${fixtures.modelIn}`, () => {
      const body = adapter.chat.toRequest(chatRequest(), fixtures.model) as { model?: unknown };
      const url = adapter.chat.url("https://upstream.example.test", fixtures.model, false);
      if (fixtures.modelIn === "body") expect(body.model).toBe(fixtures.model);
      else expect(url).toContain(`/${fixtures.model}:`);
    });

    if (fixtures.passesUnknownFields) {
      it("keeps request fields the gateway does not model", () => {
        const metadata = { trace_id: "abc-123", tags: ["a", "b"], nested: { depth: 2 } };
        const req = chatRequest({ metadata, store: true, temperature: 0.2 });
        const body = adapter.chat.toRequest(req, fixtures.model) as Record<string, unknown>;
        expect(body.metadata).toEqual(metadata);
        expect(body.store).toBe(true);
        expect(body.temperature).toBe(0.2);
        expect(body.messages).toEqual(req.messages);
      });
    } else {
      it("rejects request fields it cannot translate rather than dropping them", () => {
        const req = chatRequest({ metadata: { trace_id: "abc-123" } });
        expect(() => adapter.chat.toRequest(req, fixtures.model)).toThrow(GatewayError);
      });
    }

    it("leaves the request it was given unchanged", () => {
      const req = chatRequest({ stream: true, stream_options: {}, temperature: 0.5, stop: ["x"] });
      const before = structuredClone(req);
      adapter.chat.toRequest(req, fixtures.model);
      expect(req).toEqual(before);
    });

    it("builds the chat URL under the base URL", () => {
      const base = "https://upstream.example.test/v1";
      expect(adapter.chat.url(base, fixtures.model, false)).toStartWith(`${base}/`);
      expect(adapter.chat.url(base, fixtures.model, true)).toStartWith(`${base}/`);
    });
  });

  describe(`${adapter.id} adapter: chat responses`, () => {
    it("reads the recorded response", () => {
      const res = adapter.chat.fromResponse(structuredClone(fixtures.chat.response));
      expect(res.choices[0]?.message.content).toBe(fixtures.chat.text);
      expect(res.usage).toEqual(fixtures.chat.usage);
    });

    it("rejects malformed bodies with UPSTREAM_INVALID_RESPONSE", () => {
      for (const body of [{}, "Internal Server Error", null, [], { choices: "none" }]) {
        const err = thrown(() => adapter.chat.fromResponse(body));
        expect(err.code).toBe("UPSTREAM_INVALID_RESPONSE");
        expect(err.status).toBe(502);
      }
    });
  });

  if (adapter.capabilities.stream) registerStreamCases(adapter, fixtures);
  registerErrorCases(adapter, fixtures);

  describe(`${adapter.id} adapter: headers`, () => {
    it("carries the key as the provider's auth header", () => {
      const headers = new Headers(adapter.headers(KEY));
      expect(headers.get(fixtures.auth.header)).toBe(fixtures.auth.value(KEY));
    });

    it("carries no auth header without a key", () => {
      const headers = new Headers(adapter.headers(undefined));
      expect(headers.has(fixtures.auth.header)).toBe(false);
    });
  });

  const embeddings = adapter.embeddings;
  const recorded = fixtures.embeddings;
  if (adapter.capabilities.embeddings && embeddings && recorded) {
    describe(`${adapter.id} adapter: embeddings`, () => {
      it("puts the upstream model name in the body and reads the recorded response", () => {
        const req = { model: "caller-alias", input: ["one", "two"] };
        expect(embeddings.toRequest(req, fixtures.model)).toMatchObject({ model: fixtures.model });
        const res = embeddings.fromResponse(structuredClone(recorded.response));
        expect(res.data[0]?.embedding).toHaveLength(recorded.dimensions);
      });

      it("rejects a malformed embeddings body with UPSTREAM_INVALID_RESPONSE", () => {
        expect(thrown(() => embeddings.fromResponse({ data: null })).code).toBe(
          "UPSTREAM_INVALID_RESPONSE",
        );
      });
    });
  }
}

function registerStreamCases(adapter: ProviderAdapter, fixtures: ProviderFixtures): void {
  describe(`${adapter.id} adapter: streaming`, () => {
    it(`reads the recorded stream fed in ${SPLIT}-byte pieces, then releases the exchange once`, async () => {
      const run = await readSse(adapter, fixtures.stream.sse);
      expect(run.error).toBeUndefined();
      const got = assemble(run.chunks);
      expect(got.text).toBe(fixtures.stream.text);
      expect(got.finishReason).toBe(fixtures.stream.finishReason);
      expect(got.usage).toEqual(fixtures.stream.usage);
      expect(got.toolCalls).toEqual([]);
      expect(run.releases).toBe(1);
    });

    it("gives the same chunks however the bytes are split", async () => {
      const whole = await readSse(adapter, fixtures.stream.sse, Number.MAX_SAFE_INTEGER);
      const bytewise = await readSse(adapter, fixtures.stream.sse, 1);
      expect(whole.chunks.length).toBeGreaterThan(2);
      expect(bytewise.chunks).toEqual(whole.chunks);
    });

    it("reads events framed with CRLF and interleaved with comments", async () => {
      const sse = fixtures.stream.sse
        .replaceAll("\n\n", "\n\n: keep-alive\n\n")
        .replaceAll("\n", "\r\n");
      const got = assemble((await readSse(adapter, sse)).chunks);
      expect(got.text).toBe(fixtures.stream.text);
      expect(got.finishReason).toBe(fixtures.stream.finishReason);
    });

    if (adapter.capabilities.tools) {
      it("reassembles the tool call's argument fragments", async () => {
        const run = await readSse(adapter, fixtures.toolStream.sse);
        expect(run.error).toBeUndefined();
        const got = assemble(run.chunks);
        expect(got.finishReason).toBe("tool_calls");
        expect(got.toolCalls).toHaveLength(1);
        expect(got.toolCalls[0]!.id).not.toBe("");
        expect(got.toolCalls[0]!.name).toBe(fixtures.toolStream.name);
        expect(JSON.parse(got.toolCalls[0]!.arguments)).toEqual(fixtures.toolStream.arguments);
        expect(got.usage).toEqual(fixtures.toolStream.usage);
      });
    }

    it("fails a stream cut before its end with UPSTREAM_INVALID_RESPONSE", async () => {
      const run = await readSse(adapter, firstEvents(fixtures.stream.sse, 3));
      expect(streamError(run).code).toBe("UPSTREAM_INVALID_RESPONSE");
      expect(run.releases).toBe(1);
    });

    it("fails a stream cut in the middle of an event with UPSTREAM_INVALID_RESPONSE", async () => {
      const sse = fixtures.stream.sse;
      const cut = sse.slice(0, sse.indexOf("\n\n", sse.length / 2) - 10);
      expect(streamError(await readSse(adapter, cut)).code).toBe("UPSTREAM_INVALID_RESPONSE");
    });

    it("fails on an event that is not valid JSON with UPSTREAM_INVALID_RESPONSE", async () => {
      const sse = firstEvents(fixtures.stream.sse, 2) + "data: {not json\n\n";
      expect(streamError(await readSse(adapter, sse)).code).toBe("UPSTREAM_INVALID_RESPONSE");
    });

    it("fails with an upstream GatewayError on an in-stream error event", async () => {
      const run = await readSse(adapter, fixtures.errorStream.sse);
      const err = streamError(run);
      expect(err.code).toBe(fixtures.errorStream.code);
      expect(err.source).toBe("upstream");
      expect(run.releases).toBe(1);
    });

    it("delivers the chunks that came before an in-stream error, even in one read", async () => {
      const whole = fixtures.errorStream.sse;
      const split = await readSse(adapter, whole);
      const oneRead = await readSse(adapter, whole, whole.length);
      expect(split.chunks.length).toBeGreaterThan(0);
      expect(oneRead.chunks).toEqual(split.chunks);
      expect(streamError(oneRead).code).toBe(fixtures.errorStream.code);
    });
  });
}

function registerErrorCases(adapter: ProviderAdapter, fixtures: ProviderFixtures): void {
  const map = (status: number, retryAfter?: number) =>
    adapter.mapError(
      status,
      fixtures.errorBody("upstream says no", "invalid_request_error", "bad_thing"),
      retryAfter,
    );

  describe(`${adapter.id} adapter: upstream errors`, () => {
    it("maps 400 to UPSTREAM_CLIENT_ERROR, keeping the status, message, type and code", () => {
      const err = map(400);
      expect(err.code).toBe("UPSTREAM_CLIENT_ERROR");
      expect(err.status).toBe(400);
      expect(err.message).toBe("upstream says no");
      expect(err.upstreamType).toBe("invalid_request_error");
      if (fixtures.errorCodes) expect(err.upstreamCode).toBe("bad_thing");
      expect(err.source).toBe("upstream");
      expect(err.retryable).toBe(false);
    });

    it("passes other 4xx statuses through", () => {
      expect(map(401).status).toBe(401);
      expect(map(401).code).toBe("UPSTREAM_CLIENT_ERROR");
      expect(map(404).status).toBe(404);
      expect(map(422).status).toBe(422);
    });

    it("maps 429 to a retryable UPSTREAM_RATE_LIMITED, passing Retry-After through", () => {
      const err = map(429, 7);
      expect(err.code).toBe("UPSTREAM_RATE_LIMITED");
      expect(err.status).toBe(429);
      expect(err.retryAfter).toBe(7);
      expect(err.retryable).toBe(true);
      expect(map(429).retryAfter).toBeUndefined();
    });

    it("maps 500 and 503 to a retryable UPSTREAM_ERROR with status 502", () => {
      for (const status of [500, 503]) {
        const err = map(status);
        expect(err.code).toBe("UPSTREAM_ERROR");
        expect(err.status).toBe(502);
        expect(err.retryable).toBe(true);
      }
    });

    it("maps by status a body that is not the provider's error shape", () => {
      expect(adapter.mapError(502, "<html>Bad Gateway</html>").code).toBe("UPSTREAM_ERROR");
      expect(adapter.mapError(403, undefined).status).toBe(403);
    });
  });
}
