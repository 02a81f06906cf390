/**
 * The per-request context: created by the transport when a request arrives, filled in by the
 * engine as the request is routed, read back by the transport for headers, metrics and logs.
 */

import type { Usage, WireDialect } from "../core/chat.ts";

export type Dialect = WireDialect;

export interface RouteInfo {
  /** What the caller asked for. */
  requested: string;
  provider: string;
  /** The upstream model name. */
  model: string;
}

export interface RequestContext {
  readonly id: string;
  readonly dialect: Dialect;
  /** `performance.now()` when the request arrived. */
  readonly startedAt: number;
  /** Aborts when the client goes away. */
  readonly signal: AbortSignal;
  route?: RouteInfo;
  /**
   * The key the caller presented in its dialect's auth header (`Authorization: Bearer`,
   * `x-api-key`, `x-goog-api-key` or `?key=`). Governance reads it; it is never logged or echoed.
   */
  credential?: string;
  /** Upstream attempts made so far (retries and fallbacks included). */
  attempts?: number;
  /** Requests that left a pool for an upstream (an attempt that gave up while queued did not). */
  sent?: number;
  /**
   * The usage of the plain answers this request has had from upstreams so far, summed (several
   * for an agent loop): what a request that then failed had already been paid for.
   */
  answered?: Usage;
  /** Whether the answer came from a target after the first. */
  fallbackUsed?: boolean;
  /** The client's request headers (plugins read them). */
  headers?: Headers;
  /** Extra headers for the answer, set by plugins (`x-switchyard-cache`, `traceparent`). */
  responseHeaders?: Record<string, string>;
  /**
   * What the caller may use, as a plugin (governance) decided: MCP tool patterns, and the models
   * (globs over `provider/model` and alias names) every target of the request must pass.
   */
  permissions?: { mcpTools?: readonly string[]; models?: readonly string[] };
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's `x-request-id` when it is safe to echo, else a fresh one. */
export function requestId(fromClient: string | null): string {
  return fromClient !== null && REQUEST_ID.test(fromClient) ? fromClient : crypto.randomUUID();
}

export function createContext(
  dialect: Dialect,
  signal: AbortSignal,
  clientRequestId: string | null,
): RequestContext {
  return { id: requestId(clientRequestId), dialect, startedAt: performance.now(), signal };
}
