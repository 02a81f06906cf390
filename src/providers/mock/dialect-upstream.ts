/**
 * Mock Anthropic and Gemini upstreams speaking the real wire formats: each reads a request with
 * its dialect's `requestIn`, lets the deterministic mock model answer (`reply.ts`), and writes
 * the answer with the dialect's `responseOut` / `streamOut` and errors with `errorOut`, so the
 * official SDKs accept them (the end-to-end tests check exactly that). Model-name fault directives
 * (see `faults.ts`) work as in the OpenAI mock.
 *
 *   Anthropic: POST /v1/messages, key in `x-api-key`, `anthropic-version` required.
 *   Gemini:    POST /v1beta/models/{model}:generateContent | :streamGenerateContent?alt=sse,
 *              key in `x-goog-api-key` or `?key=`.
 */
import type { ChatRequest } from "../../core/chat.ts";
import { GatewayError } from "../../core/errors.ts";
import type { SseEvent } from "../../core/stream.ts";
import { anthropic } from "../../dialects/anthropic/index.ts";
import { gemini } from "../../dialects/gemini/index.ts";
import type { DialectCodec, RequestTarget } from "../../dialects/types.ts";
import { createFaults, damage } from "./faults.ts";
import { sleep, type MockUpstreamOptions } from "./openai-upstream.ts";
import { planReply } from "./reply.ts";
import { turnChunks, turnResponse } from "./turn.ts";

const JSON_HEADERS = { "content-type": "application/json" };
const SSE_HEADERS = { "content-type": "text/event-stream", "cache-control": "no-cache" };
const encoder = new TextEncoder();

function frame(events: readonly SseEvent[]): Uint8Array {
  let text = "";
  for (const e of events) text += `${e.event ? `event: ${e.event}\n` : ""}data: ${e.data}\n\n`;
  return encoder.encode(text);
}

interface Route {
  codec: DialectCodec;
  /** The request's target, or undefined when the path is not this dialect's chat endpoint. */
  target(url: URL): RequestTarget | undefined;
  key(req: Request, url: URL): string | undefined;
  /** A check the real API makes before anything else (Anthropic's version header). */
  precheck?(req: Request): GatewayError | undefined;
}

const ANTHROPIC: Route = {
  codec: anthropic,
  target: (url) => (url.pathname === "/v1/messages" ? {} : undefined),
  key: (req) => req.headers.get("x-api-key") ?? undefined,
  precheck: (req) =>
    req.headers.get("anthropic-version")
      ? undefined
      : new GatewayError("INVALID_REQUEST", "anthropic-version: header is required"),
};

const GEMINI: Route = {
  codec: gemini,
  target(url) {
    const match = /^\/v1(?:beta)?\/models\/(.+):(generateContent|streamGenerateContent)$/.exec(
      url.pathname,
    );
    if (!match) return undefined;
    return { model: decodeURIComponent(match[1]!), stream: match[2] === "streamGenerateContent" };
  },
  key: (req, url) => req.headers.get("x-goog-api-key") ?? url.searchParams.get("key") ?? undefined,
};

function failWith(codec: DialectCodec, status: number, message?: string): Response {
  const code =
    status === 429 ? "UPSTREAM_RATE_LIMITED" : status >= 500 ? "UPSTREAM_ERROR" : "INVALID_REQUEST";
  const err = new GatewayError(code, message ?? `mock failure with status ${status}`, { status });
  const headers: Record<string, string> = { ...JSON_HEADERS };
  if (status === 429) headers["retry-after"] = "1";
  return new Response(JSON.stringify(codec.errorOut(err)), { status, headers });
}

function createDialectMock(route: Route, options: MockUpstreamOptions) {
  const { codec } = route;
  const random = options.random ?? Math.random;
  const faults = createFaults();
  let counter = 0;

  function answer(req: ChatRequest): Response {
    const turn = planReply(
      req,
      options.replyWords === undefined ? {} : { replyWords: options.replyWords },
    );
    const who = {
      id: `mock-${codec.dialect}-${++counter}`,
      created: Math.floor(Date.now() / 1000),
      model: req.model,
    };
    if (req.stream !== true) {
      return new Response(JSON.stringify(codec.responseOut(turnResponse(turn, who))), {
        headers: JSON_HEADERS,
      });
    }
    const events = codec.streamOut(req);
    const pending = turnChunks(turn, who);
    const delay = options.chunkDelayMs ?? 0;
    let i = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        // A chunk may encode to no event; keep going until there is something to send.
        for (;;) {
          if (i > 0 && delay > 0) await Bun.sleep(delay);
          if (i >= pending.length) {
            const out = events.end();
            if (out.length > 0) controller.enqueue(frame(out));
            controller.close();
            return;
          }
          const out = events.push(pending[i++]!);
          if (out.length > 0) return controller.enqueue(frame(out));
        }
      },
    });
    return new Response(body, { headers: SSE_HEADERS });
  }

  return async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const target = request.method === "POST" ? route.target(url) : undefined;
    if (!target) return failWith(codec, 404, `Not found: ${request.method} ${url.pathname}`);
    let body: unknown;
    try {
      body = await request.json();
    } catch {
      return failWith(codec, 400, "The request body is not valid JSON.");
    }
    options.onRequest?.({
      method: request.method,
      path: url.pathname,
      headers: request.headers,
      body,
    });
    const precheck = route.precheck?.(request);
    if (precheck) return failWith(codec, 400, precheck.message);
    if (options.apiKeys && !options.apiKeys.includes(route.key(request, url) ?? "")) {
      return failWith(codec, 401, "invalid x-api-key");
    }
    await sleep(
      (options.latencyMs ?? 0) + (options.jitterMs ? random() * options.jitterMs : 0),
      request.signal,
    );
    if (options.errorRate && random() < options.errorRate)
      return failWith(codec, 500, "Internal error");
    let req: ChatRequest;
    try {
      req = codec.requestIn(body, target);
    } catch (err) {
      const e = GatewayError.from(err);
      return failWith(codec, e.status, e.message);
    }
    const d = faults(req.model);
    if (d.fail) return failWith(codec, d.fail);
    if (d.stall) {
      await new Promise<void>((resolve) =>
        request.signal.addEventListener("abort", () => resolve(), { once: true }),
      );
      return failWith(codec, 499, "client closed");
    }
    if (d.slowMs) await sleep(d.slowMs, request.signal);
    const res = answer(req);
    return d.body ? damage(res, d.body) : res;
  };
}

export function createMockAnthropic(options: MockUpstreamOptions = {}) {
  return createDialectMock(ANTHROPIC, options);
}

export function createMockGemini(options: MockUpstreamOptions = {}) {
  return createDialectMock(GEMINI, options);
}
