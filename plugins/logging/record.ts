/**
 * One request's log record: metadata only (ids, route, status, timing, tokens, cost, cache and
 * fallback flags), never a secret; the caller is named by governance's key id or by a SHA-256
 * fingerprint of its key, never by the key. Bodies only when the plugin is told to keep them.
 */
import type { ChatResponse, GatewayError, PluginContext } from "../../src/plugins/index.ts";

export interface LogRecord {
  id: string;
  /** Epoch milliseconds when the request arrived. */
  ts: number;
  dialect: string;
  provider: string | null;
  model: string | null;
  requested_model: string;
  status: number;
  error_code: string | null;
  latency_ms: number;
  stream: boolean;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  cost_usd: number | null;
  cache: string | null;
  fallback_used: boolean;
  attempts: number;
  caller: string | null;
  trace_id: string | null;
  request_body: string | null;
  response_body: string | null;
}

export const COLUMNS = [
  "id",
  "ts",
  "dialect",
  "provider",
  "model",
  "requested_model",
  "status",
  "error_code",
  "latency_ms",
  "stream",
  "prompt_tokens",
  "completion_tokens",
  "cost_usd",
  "cache",
  "fallback_used",
  "attempts",
  "caller",
  "trace_id",
  "request_body",
  "response_body",
] as const satisfies readonly (keyof LogRecord)[];

/**
 * The first 12 hex characters of the key's SHA-256: enough to tell callers apart, of no use for
 * calling as them.
 */
export function fingerprint(credential: string): string {
  return new Bun.CryptoHasher("sha256").update(credential).digest("hex").slice(0, 12);
}

const TRACE = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * The record of a finished request, at its post-hook. `late()` reads `cost_usd` again when the
 * record is written: a plugin listed before logging (governance, when logging is not among the
 * leading observers) prices the request in its post-hook, which runs after this one.
 */
export function recordOf(
  ctx: PluginContext,
  res: ChatResponse | undefined,
  err: GatewayError | undefined,
  request: { model: string; body: string | null },
  bodies: boolean,
): { record: LogRecord; late: () => void } {
  const route = ctx.route;
  const credential = ctx.caller.credential;
  const elapsed = performance.now() - ctx.startedAt;
  const trace = TRACE.exec(ctx.responseHeaders["traceparent"] ?? "");
  const record: LogRecord = {
    id: ctx.requestId,
    // Wall-clock time of arrival (the monotonic clock drifts from it over a long uptime).
    ts: Math.round(Date.now() - elapsed),
    dialect: ctx.dialect,
    provider: route?.provider ?? null,
    model: route?.model ?? null,
    requested_model: request.model,
    status: err ? err.status : 200,
    error_code: err?.code ?? null,
    latency_ms: Math.round(elapsed * 100) / 100,
    stream: ctx.stream,
    prompt_tokens: (res?.usage ?? ctx.answeredUsage)?.prompt_tokens ?? null,
    completion_tokens: (res?.usage ?? ctx.answeredUsage)?.completion_tokens ?? null,
    cost_usd: ctx.costUsd ?? null,
    cache: ctx.responseHeaders["x-switchyard-cache"] ?? null,
    fallback_used: ctx.fallbackUsed,
    attempts: ctx.attempts,
    caller: ctx.caller.id ?? (credential ? fingerprint(credential) : null),
    trace_id: trace?.[1] ?? null,
    request_body: bodies ? request.body : null,
    // An answer the caller did not get (a plugin refused it, a stream broke) is not kept.
    response_body: bodies && !err ? responseText(res) : null,
  };
  return { record, late: () => void (record.cost_usd = ctx.costUsd ?? null) };
}

/** The answer's messages as JSON: their text, and tool calls, which text alone would lose. */
function responseText(res: ChatResponse | undefined): string | null {
  if (!res) return null;
  return JSON.stringify(res.choices.map((c) => c.message));
}
