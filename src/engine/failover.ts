/**
 * Failover: runs one request against its targets in order until one answers. Per target it
 * retries (up to the provider's `retry.max_attempts`, exponential backoff with full jitter,
 * honouring Retry-After), rotating keys as they fail; it moves on to the next target when the
 * target is exhausted, its breaker is open, its pool is full or it timed out. What failed is
 * written to `Health`, which the router reads. The classification table:
 *
 *   401, 403                        key set aside for key_cooldown_ms, retry with another key
 *   429                             key set aside for Retry-After (or 1 s), retry
 *                                   (at once with another key, else after the backoff)
 *   5xx, unreachable, malformed     breaker failure, retry after a backoff
 *   a worker thread died            retry after a backoff (on its replacement)
 *   timeout                         breaker failure, next target
 *   pool full or queue timeout,
 *   keys cooling, breaker open      next target
 *   other 4xx, client gone          stop: answer the caller now
 */
import { deadlineSignal } from "../core/deadline.ts";
import { GatewayError } from "../core/errors.ts";
import type { RetryConfig } from "../config/config.ts";
import type { RequestContext } from "../observability/context.ts";
import type { Metrics } from "../observability/metrics.ts";
import type { ProviderPool } from "../pool/pool.ts";
import type { BoundProvider } from "../providers/registry.ts";
import type { Health } from "../router/health.ts";
import type { Router, Target } from "../router/router.ts";
import { permittedTargets } from "./permissions.ts";

export interface RoutingOptions {
  /** The request's own fallbacks (`fallbacks` in an OpenAI body, or `x-switchyard-fallbacks`). */
  fallbacks: readonly string[];
  /** The request's whole deadline (`x-switchyard-timeout-ms`), across every attempt. */
  timeoutMs?: number;
}

export interface Attempt {
  target: Target;
  bound: BoundProvider;
  pool: ProviderPool;
  keyIndex: number;
  signal: AbortSignal;
  /** Deadline for this attempt, ms: the provider's `timeout_ms` or what is left of the request's. */
  timeoutMs: number;
  /** Call when the first byte arrived: stops the first-byte timer. */
  firstByte(): void;
  /** What `check` returned for this target. */
  prepared: unknown;
}

export interface FailoverDeps {
  router: Router;
  health: Health;
  providers: ReadonlyMap<string, BoundProvider>;
  pools: ReadonlyMap<string, ProviderPool>;
  metrics?: Metrics;
  random?: () => number;
}

type Decision = "stop" | "retry" | "next";

/**
 * What a failed attempt means: what to do next, and whether it counts against the upstream's
 * breakers (only upstream faults do; 429s and refused keys set the key aside instead).
 */
function classify(err: GatewayError): { next: Decision; failure: boolean } {
  switch (err.code) {
    case "UPSTREAM_CLIENT_ERROR":
      return { next: err.status === 401 || err.status === 403 ? "retry" : "stop", failure: false };
    case "UPSTREAM_RATE_LIMITED":
    case "WORKER_FAILED": // the worker is replaced; the upstream itself did nothing wrong
      return { next: "retry", failure: false };
    case "UPSTREAM_ERROR":
    case "UPSTREAM_UNREACHABLE":
    case "UPSTREAM_INVALID_RESPONSE":
      return { next: "retry", failure: true };
    case "UPSTREAM_TIMEOUT":
      return { next: "next", failure: true };
    case "POOL_FULL":
    case "QUEUE_TIMEOUT":
    case "KEYS_COOLING":
    case "CIRCUIT_OPEN":
      return { next: "next", failure: false };
    default:
      return { next: "stop", failure: false };
  }
}

/** Writes a failed attempt's outcome to Health: a breaker failure, or no verdict; key cool-downs. */
function record(deps: FailoverDeps, attempt: Attempt, err: GatewayError, failure: boolean): void {
  const { provider } = attempt.target;
  const now = Date.now();
  if (failure) deps.health.failed(provider, attempt.keyIndex, now);
  else deps.health.abandoned(provider, attempt.keyIndex);
  if (err.code === "UPSTREAM_RATE_LIMITED") {
    deps.health.coolDown(provider, attempt.keyIndex, now + (err.retryAfter ?? 1) * 1000);
  } else if (err.code === "UPSTREAM_CLIENT_ERROR" && (err.status === 401 || err.status === 403)) {
    deps.health.coolDown(provider, attempt.keyIndex, now + attempt.bound.config.key_cooldown_ms);
  }
}

/** Timers may fire a little before the deadline as `performance.now()` reads it. */
const TIMER_SLACK_MS = 2;

/** Full jitter: a random wait up to the exponential step; at least Retry-After when given. */
function backoffMs(
  retry: RetryConfig,
  attempt: number,
  retryAfter: number | undefined,
  random: () => number,
): number {
  const step = Math.min(retry.max_backoff_ms, retry.initial_backoff_ms * 2 ** (attempt - 1));
  const jitter = random() * step;
  return retryAfter === undefined ? jitter : Math.max(retryAfter * 1000, jitter);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

const NOOP = (): void => {};

function requestTimeout(ms: number): GatewayError {
  return new GatewayError("UPSTREAM_TIMEOUT", `the request's deadline of ${ms} ms passed`);
}

export async function withFailover<T>(
  deps: FailoverDeps,
  requested: string,
  ctx: RequestContext,
  routing: RoutingOptions,
  /**
   * Checks that a target can take the request (a fallback that cannot is skipped) and returns
   * what the check had to compute anyway (the translated body), handed to every attempt on it.
   */
  check: (bound: BoundProvider, target: Target) => unknown,
  run: (attempt: Attempt) => Promise<T>,
): Promise<T> {
  const random = deps.random ?? Math.random;
  const targets = permittedTargets(
    deps.router.route(requested, routing.fallbacks, deps.health, random),
    requested,
    routing.fallbacks,
    ctx.permissions?.models,
  );
  const deadline =
    routing.timeoutMs === undefined ? undefined : performance.now() + routing.timeoutMs;
  let last: GatewayError | undefined;
  for (const [t, target] of targets.entries()) {
    const bound = deps.providers.get(target.provider)!;
    let prepared: unknown;
    try {
      prepared = check(bound, target);
    } catch (err) {
      if (t === 0) throw err;
      last ??= GatewayError.from(err); // a fallback that cannot take this request is skipped
      continue;
    }
    const retry = bound.config.retry;
    for (let n = 1; n <= retry.max_attempts; n++) {
      const now = Date.now();
      if (!deps.health.providerUsable(target.provider, now)) {
        last = new GatewayError(
          "CIRCUIT_OPEN",
          `provider "${target.provider}" is failing; its circuit is open`,
          {
            provider: target.provider,
            retryAfter: deps.health.retryAfter(target.provider, now),
          },
        );
        break;
      }
      let keyIndex: number;
      try {
        keyIndex = deps.router.pickKey(target, deps.health, now, random);
      } catch (err) {
        const e = GatewayError.from(err);
        if (e.code !== "KEYS_COOLING") throw e;
        // After a failed attempt on this target, its own error says more than "keys cooling".
        if (n === 1 || !last) {
          const retryAfter = deps.health.retryAfter(target.provider, now);
          last = new GatewayError(e.code, e.message, { ...e.toJSON(), retryAfter });
        }
        break;
      }
      const left = deadline === undefined ? Infinity : deadline - performance.now();
      if (left <= 0) throw requestTimeout(routing.timeoutMs!);
      ctx.route = { requested, provider: target.provider, model: target.model };
      ctx.attempts = (ctx.attempts ?? 0) + 1;
      if (t > 0) ctx.fallbackUsed = true;
      if (ctx.attempts > 1)
        deps.metrics?.attempt(target.provider, t > 0 && n === 1 ? "fallback" : "retry");
      const started = performance.now();
      const attempt = prepare(
        deps,
        { target, bound, keyIndex, prepared },
        ctx.signal,
        Math.min(bound.config.timeout_ms, left),
      );
      deps.health.started(target.provider, keyIndex, now);
      try {
        const result = await run(attempt.attempt);
        deps.health.succeeded(
          target.provider,
          keyIndex,
          target.model,
          performance.now() - started,
          Date.now(),
        );
        return result;
      } catch (err) {
        const e = GatewayError.from(err);
        last = e;
        if (e.source === "upstream") deps.metrics?.upstreamError(target.provider, e.code);
        const deadlineHit =
          deadline !== undefined && performance.now() >= deadline - TIMER_SLACK_MS;
        const { next, failure } = classify(e);
        // Neither the client leaving nor the request's own deadline says anything about the upstream.
        record(deps, attempt.attempt, e, failure && !deadlineHit && !ctx.signal.aborted);
        if (ctx.signal.aborted) throw e;
        if (deadlineHit) throw requestTimeout(routing.timeoutMs!);
        if (next === "stop") throw e;
        if (next === "next" || n === retry.max_attempts) break;
        const wait = backoffMs(retry, n, e.retryAfter, random);
        // A key just set aside can be swapped for another at once; anything else waits.
        const keySetAside =
          keyIndex >= 0 && !deps.health.keyUsable(target.provider, keyIndex, Date.now());
        if (keySetAside && hasUsableKey(deps, target)) continue;
        if (wait > retry.max_backoff_ms || performance.now() + wait >= (deadline ?? Infinity))
          break;
        await sleep(wait, ctx.signal);
        if (ctx.signal.aborted) throw e;
      } finally {
        attempt.clear();
      }
    }
  }
  throw last ?? new GatewayError("INTERNAL", "no route was tried");
}

function hasUsableKey(deps: FailoverDeps, target: Target): boolean {
  try {
    deps.router.pickKey(target, deps.health, Date.now(), () => 0);
    return true;
  } catch {
    return false;
  }
}

/** One attempt's signal (the client's, plus the first-byte timer) and its cleanup. */
function prepare(
  deps: FailoverDeps,
  what: Pick<Attempt, "target" | "bound" | "keyIndex" | "prepared">,
  clientSignal: AbortSignal,
  timeoutMs: number,
): { attempt: Attempt; clear(): void } {
  const { target, bound } = what;
  const firstByteMs = bound.config.first_byte_timeout_ms;
  const pool = deps.pools.get(target.provider)!;
  // Without a first-byte deadline the attempt can use the client's own signal: no extra
  // controller, listener or timer on the hot path.
  if (firstByteMs === undefined || firstByteMs >= timeoutMs) {
    const attempt = { ...what, pool, signal: clientSignal, timeoutMs, firstByte: NOOP };
    return { attempt, clear: NOOP };
  }
  const deadline = deadlineSignal(
    clientSignal,
    firstByteMs,
    () =>
      new GatewayError(
        "UPSTREAM_TIMEOUT",
        `provider "${target.provider}" sent no first byte within ${firstByteMs} ms`,
        { provider: target.provider },
      ),
  );
  return {
    attempt: { ...what, pool, signal: deadline.signal, timeoutMs, firstByte: deadline.clear },
    clear: deadline.clear,
  };
}
