/**
 * The caller's key, read from the header its own API uses, onto a fresh request context.
 * Governance reads `ctx.credential`; it is never logged, echoed or sent upstream.
 *
 *   OpenAI      Authorization: Bearer <key>
 *   Anthropic   x-api-key (or Authorization: Bearer, as the SDK's authToken sends it)
 *   Gemini      x-goog-api-key, or ?key=
 */
import { bearerToken } from "../core/bearer.ts";
import type { WireDialect } from "../core/chat.ts";
import { createContext, type RequestContext } from "../observability/context.ts";

export function callerKey(request: Request, dialect: WireDialect): string | undefined {
  if (dialect === "openai") return bearerToken(request);
  if (dialect === "anthropic")
    return request.headers.get("x-api-key")?.trim() || bearerToken(request);
  return (
    request.headers.get("x-goog-api-key")?.trim() ||
    new URL(request.url).searchParams.get("key")?.trim() ||
    undefined
  );
}

/** Each request's context, made once (the body parser makes it before the handler runs). */
const contexts = new WeakMap<Request, RequestContext>();

/** A request's context in its dialect, with the caller's key when it sent one; one per request. */
export function requestContext(dialect: WireDialect, request: Request): RequestContext {
  const made = contexts.get(request);
  if (made) return made;
  const ctx = createContext(dialect, request.signal, request.headers.get("x-request-id"));
  const key = callerKey(request, dialect);
  if (key) ctx.credential = key;
  ctx.headers = request.headers;
  contexts.set(request, ctx);
  return ctx;
}
