/**
 * The bookkeeping every answered request shares: response metadata headers, the metrics
 * observation, and the in-flight count used for draining.
 */
import type { Usage } from "../core/chat.ts";
import { GatewayError } from "../core/errors.ts";
import { headerValue } from "../core/headers.ts";
import type { Engine } from "../engine/engine.ts";
import type { RequestContext } from "../observability/context.ts";
import type { Logger } from "../observability/logger.ts";
import type { Metrics } from "../observability/metrics.ts";
import type { McpManager } from "../mcp/types.ts";
import type { ChatHandler } from "../plugins/pipeline.ts";
import type { PluginRoute } from "../plugins/load.ts";
import type { BodyLimits } from "./body.ts";
import type { Lifecycle } from "./lifecycle.ts";

export interface TransportDeps {
  engine: Engine;
  /** The engine's chat wrapped in the plugins' hooks (the engine's own with no plugins). */
  chat: ChatHandler;
  /** Routes plugins serve (`GET /v1/logs`). */
  pluginRoutes: readonly PluginRoute[];
  /** The plugins' `authorize` hooks, for the gateway's endpoints that are not chat. */
  authorize(ctx: RequestContext): Promise<void>;
  /**
   * The `authorize` hooks for a request whose body is not read yet (see the pipeline); present
   * when a plugin checks credentials (governance): then keys are checked before bodies.
   */
  authenticate?: (ctx: RequestContext) => Promise<void>;
  /** The MCP manager, when MCP servers are configured. */
  mcp?: McpManager;
  metrics: Metrics;
  logger: Logger;
  lifecycle: Lifecycle;
  body: BodyLimits;
}

export const JSON_TYPE = "application/json";

/** The answer's metadata headers (and its content type, when given), in one new record. */
export function metaHeaders(
  ctx: RequestContext,
  usage?: Usage,
  contentType?: string,
): Record<string, string> {
  const headers: Record<string, string> = {
    "x-request-id": ctx.id,
    "x-switchyard-latency-ms": (performance.now() - ctx.startedAt).toFixed(2),
  };
  if (ctx.route) {
    headers["x-switchyard-provider"] = ctx.route.provider;
    headers["x-switchyard-model"] = headerValue(ctx.route.model);
  }
  if (ctx.attempts !== undefined) {
    headers["x-switchyard-attempts"] = String(ctx.attempts);
    headers["x-switchyard-fallback-used"] = ctx.fallbackUsed ? "true" : "false";
  }
  if (ctx.responseHeaders) Object.assign(headers, ctx.responseHeaders);
  if (usage) {
    headers["x-switchyard-tokens-in"] = String(usage.prompt_tokens);
    headers["x-switchyard-tokens-out"] = String(usage.completion_tokens);
  }
  if (contentType !== undefined) headers["content-type"] = contentType;
  return headers;
}

export interface Outcome {
  status: number;
  stream: boolean;
  usage?: Usage | undefined;
  ttfbMs?: number | undefined;
  error?: GatewayError | undefined;
}

/** Records one finished request: metrics, upstream-error counts, a debug access line. */
export function observe(deps: TransportDeps, ctx: RequestContext, outcome: Outcome): void {
  const durationMs = performance.now() - ctx.startedAt;
  const provider = ctx.route?.provider ?? "none";
  const model = ctx.route?.model ?? "none";
  deps.metrics.observeRequest({
    dialect: ctx.dialect,
    provider,
    model,
    status: outcome.status,
    durationMs,
    stream: outcome.stream,
    ttfbMs: outcome.ttfbMs,
    promptTokens: outcome.usage?.prompt_tokens,
    completionTokens: outcome.usage?.completion_tokens,
  });
  const err = outcome.error;
  // Failed attempts are counted by the engine; only a stream failing after its first byte is new.
  if (err?.source === "upstream" && outcome.stream && outcome.ttfbMs !== undefined)
    deps.metrics.upstreamError(provider, err.code);
  if (err && err.status >= 500) {
    deps.logger.warn("request failed", {
      request_id: ctx.id,
      provider,
      model,
      code: err.code,
      status: err.status,
      error: err.message,
      ...(err.cause instanceof Error ? { cause: err.cause.message } : {}),
    });
  } else if (deps.logger.level === "debug") {
    deps.logger.debug("request", {
      request_id: ctx.id,
      provider,
      model,
      status: outcome.status,
      ms: Math.round(durationMs),
    });
  }
}

/** Runs a handler inside the in-flight count; refuses new work while draining. */
export function admit(deps: TransportDeps): void {
  if (deps.lifecycle.draining) {
    throw new GatewayError(
      "SHUTTING_DOWN",
      "The gateway is shutting down; retry on another instance.",
      {
        retryAfter: 1,
      },
    );
  }
  deps.lifecycle.enter();
}
