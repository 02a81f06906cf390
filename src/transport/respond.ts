/**
 * Answering a chat request in the caller's dialect: JSON, an SSE stream, or an error body, each
 * with the request's metadata headers and its metrics observation.
 */
import type { ChatRequest, ChatResponse, Usage } from "../core/chat.ts";
import { GatewayError } from "../core/errors.ts";
import { unreadable } from "../core/upstream-error.ts";
import type { DialectCodec } from "../dialects/types.ts";
import type { RoutingOptions } from "../engine/engine.ts";
import type { RequestContext } from "../observability/context.ts";
import { admit, JSON_TYPE, metaHeaders, observe, type TransportDeps } from "./exchange.ts";
import { releaseBody } from "./body.ts";
import { sseBody } from "./sse.ts";

const SSE_HEADERS = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache",
  connection: "keep-alive",
};

/** An error as the caller's API would send it, with the request's metadata headers. */
export function errorResponse(
  codec: DialectCodec,
  err: GatewayError,
  ctx: RequestContext,
): Response {
  const headers = metaHeaders(ctx, undefined, JSON_TYPE);
  if (err.retryAfter !== undefined) headers["retry-after"] = String(err.retryAfter);
  headers["x-switchyard-error-source"] = err.source;
  return new Response(JSON.stringify(codec.errorOut(err)), { status: err.status, headers });
}

/** Logs an internal failure, observes it, and answers in the caller's dialect. */
export function failure(
  deps: TransportDeps,
  codec: DialectCodec,
  err: unknown,
  ctx: RequestContext,
  stream: boolean,
): Response {
  const error = GatewayError.from(err);
  releaseBody(ctx); // whatever failed, the request's body bytes are given back
  if (error.code === "INTERNAL")
    deps.logger.error("internal error", { request_id: ctx.id, error: error.cause });
  observe(deps, ctx, { status: error.status, stream, error });
  return errorResponse(codec, error, ctx);
}

/**
 * The answer in the caller's format. It was paid for upstream, so a failure to write it is said to
 * be the upstream's malformed answer (502, logged with its cause), never a 500.
 */
function written(codec: DialectCodec, response: ChatResponse): string {
  try {
    return JSON.stringify(codec.responseOut(response));
  } catch (err) {
    throw unreadable(err, "the provider's answer could not be written in the caller's format");
  }
}

/**
 * Runs a client's request through the engine and answers in `codec`'s dialect. `read` turns the
 * client's body into the canonical request and its routing options; it runs inside the error
 * handling, so a malformed body is answered like any other failure.
 */
export async function serveChat(
  deps: TransportDeps,
  codec: DialectCodec,
  ctx: RequestContext,
  read: () => { req: ChatRequest; routing: RoutingOptions },
): Promise<Response> {
  let stream = false;
  try {
    admit(deps);
  } catch (err) {
    return failure(deps, codec, err, ctx, stream);
  }
  let streaming = false;
  try {
    const { req, routing } = read();
    stream = req.stream === true;
    const outcome = await deps.chat(req, ctx, routing);
    if (outcome.kind === "response") {
      const usage = outcome.response.usage;
      const body = written(codec, outcome.response);
      observe(deps, ctx, { status: 200, stream: false, usage });
      return new Response(body, { headers: metaHeaders(ctx, usage, JSON_TYPE) });
    }
    const body = sseBody(outcome.chunks, codec.streamOut(req), (summary) => {
      observe(deps, ctx, {
        status: summary.error ? summary.error.status : summary.cancelled ? 499 : 200,
        stream: true,
        usage: summary.usage,
        ttfbMs: summary.firstByteAt === undefined ? undefined : summary.firstByteAt - ctx.startedAt,
        error: summary.error,
      });
      deps.lifecycle.leave();
    });
    streaming = true;
    return new Response(body, { headers: Object.assign(metaHeaders(ctx), SSE_HEADERS) });
  } catch (err) {
    return failure(deps, codec, err, ctx, stream);
  } finally {
    // The upstream has the request by now (a stream's first chunk is in), or never will: its body
    // bytes no longer count against the gateway's bytes in flight.
    releaseBody(ctx);
    if (!streaming) deps.lifecycle.leave();
  }
}

/**
 * Runs a short request (embeddings, token counts) inside the in-flight count and answers its
 * result as JSON, or its failure in the caller's dialect. With `usage`, the request is observed
 * in the metrics like a chat.
 */
export async function serveJson(
  deps: TransportDeps,
  codec: DialectCodec,
  ctx: RequestContext,
  work: () => Promise<{ body: unknown; usage?: Usage }> | { body: unknown; usage?: Usage },
): Promise<Response> {
  try {
    admit(deps);
  } catch (err) {
    return failure(deps, codec, err, ctx, false);
  }
  try {
    const { body, usage } = await work();
    if (usage) observe(deps, ctx, { status: 200, stream: false, usage });
    return new Response(JSON.stringify(body), {
      headers: metaHeaders(ctx, usage, JSON_TYPE),
    });
  } catch (err) {
    return failure(deps, codec, err, ctx, false);
  } finally {
    releaseBody(ctx);
    deps.lifecycle.leave();
  }
}
