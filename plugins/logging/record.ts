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

/** The first 12 hex characters of the key's SHA-256: enough to tell callers apart, useless to an attacker. */
export function fingerprint(credential: string): string {
  return new Bun.CryptoHasher("sha256").update(credential).digest("hex").slice(0, 12);
}

const TRACE = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * The record of a finished request. `cost_usd` is read when the record is written, not now: the
 * governance plugin prices a request in its post-hook, which runs after this one.
 */
export function recordOf(
  ctx: PluginContext,
  res: ChatResponse | undefined,
  err: GatewayError | undefined,
  requested: string,
  requestBody: string | null,
): { record: LogRecord; late: () => void } {
  const route = ctx.route;
  const credential = ctx.caller.credential;
  const trace = TRACE.exec(ctx.responseHeaders["traceparent"] ?? "");
  const record: LogRecord = {
    id: ctx.requestId,
    ts: Math.round(performance.timeOrigin + ctx.startedAt),
    dialect: ctx.dialect,
    provider: route?.provider ?? null,
    model: route?.model ?? null,
    requested_model: requested,
    status: err ? err.status : 200,
    error_code: err?.code ?? null,
    latency_ms: Math.round((performance.now() - ctx.startedAt) * 100) / 100,
    stream: ctx.stream,
    prompt_tokens: res?.usage?.prompt_tokens ?? null,
    completion_tokens: res?.usage?.completion_tokens ?? null,
    cost_usd: null,
    cache: ctx.responseHeaders["x-switchyard-cache"] ?? null,
    fallback_used: ctx.fallbackUsed,
    attempts: ctx.attempts,
    caller: ctx.caller.id ?? (credential ? fingerprint(credential) : null),
    trace_id: trace?.[1] ?? null,
    request_body: requestBody,
    response_body: requestBody === null ? null : responseText(res),
  };
  return { record, late: () => void (record.cost_usd = ctx.costUsd ?? null) };
}

function responseText(res: ChatResponse | undefined): string | null {
  if (!res) return null;
  return JSON.stringify(res.choices.map((c) => c.message));
}
