/**
 * Calling one hook: timed, bounded by the plugin's time budget when it returns a promise, and
 * turned into a `GatewayError` (`PLUGIN_FAILED`) when it throws or runs late, counted in the
 * metrics and logged. Synchronous hooks never start a timer.
 */
import { GatewayError } from "../core/errors.ts";
import type { Metrics } from "../observability/metrics.ts";
import type { LoadedPlugin, RequestState } from "./context.ts";
import type { HookName, PluginErrorSpec } from "./types.ts";

/** What a failed hook of an optional plugin gives: the hook is treated as having done nothing. */
export const SKIPPED = Symbol("skipped");

export type Invoked<T> =
  { ok: true; value: T | typeof SKIPPED } | { ok: false; error: GatewayError };

export function isPromise<T>(value: unknown): value is Promise<T> {
  return typeof (value as Promise<T> | null)?.then === "function";
}

function failed(
  metrics: Metrics,
  loaded: LoadedPlugin,
  hook: HookName,
  state: RequestState,
  kind: "error" | "timeout",
  cause: unknown,
): Invoked<never> | { ok: true; value: typeof SKIPPED } {
  metrics.pluginFailure(loaded.name, hook, kind);
  loaded.logger.warn(kind === "timeout" ? "plugin hook timed out" : "plugin hook failed", {
    request_id: state.rctx.id,
    hook,
    optional: loaded.optional,
    ...(kind === "error" ? { error: cause } : { timeout_ms: loaded.timeoutMs }),
  });
  if (loaded.optional) return { ok: true, value: SKIPPED };
  const message =
    kind === "timeout"
      ? `Plugin "${loaded.name}" did not finish ${hook} within ${loaded.timeoutMs} ms.`
      : `Plugin "${loaded.name}" failed in ${hook}; the gateway log has the details (request ${state.rctx.id}).`;
  return { ok: false, error: new GatewayError("PLUGIN_FAILED", message, { cause }) };
}

/**
 * Calls a hook. A hook that answers synchronously gets its verdict synchronously (no promise, no
 * microtask, no timer), which is what keeps unused and simple hooks nearly free.
 */
export function invoke<T>(
  metrics: Metrics,
  loaded: LoadedPlugin,
  hook: HookName,
  state: RequestState,
  call: () => T | Promise<T>,
): Invoked<T> | Promise<Invoked<T>> {
  const started = performance.now();
  let result: T | Promise<T>;
  try {
    result = call();
  } catch (err) {
    state.time(loaded.name, hook, performance.now() - started);
    return failed(metrics, loaded, hook, state, "error", err);
  }
  if (!isPromise<T>(result)) {
    state.time(loaded.name, hook, performance.now() - started);
    return { ok: true, value: result };
  }
  return settle(metrics, loaded, hook, state, result, started);
}

async function settle<T>(
  metrics: Metrics,
  loaded: LoadedPlugin,
  hook: HookName,
  state: RequestState,
  result: Promise<T>,
  started: number,
): Promise<Invoked<T>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<typeof SKIPPED>((resolve) => {
    timer = setTimeout(() => resolve(SKIPPED), loaded.timeoutMs);
  });
  try {
    const value = await Promise.race([result, late]);
    state.time(loaded.name, hook, performance.now() - started);
    if (value === SKIPPED) {
      result.catch(() => {}); // it may still fail; nobody is waiting for it
      return failed(metrics, loaded, hook, state, "timeout", undefined);
    }
    return { ok: true, value: value as T };
  } catch (err) {
    state.time(loaded.name, hook, performance.now() - started);
    return failed(metrics, loaded, hook, state, "error", err);
  } finally {
    clearTimeout(timer);
  }
}

/** A plugin's `{ error }` as the gateway's error; a status outside 400–599 is the plugin's fault. */
export function rejection(loaded: LoadedPlugin, spec: PluginErrorSpec): GatewayError {
  const status = Number.isInteger(spec.status) && spec.status >= 400 && spec.status <= 599;
  if (!status || typeof spec.message !== "string") {
    return new GatewayError(
      "PLUGIN_FAILED",
      `Plugin "${loaded.name}" answered with an invalid error (status must be 400-599, message a string).`,
    );
  }
  return new GatewayError("PLUGIN_REJECTED", spec.message, {
    status: spec.status,
    ...(spec.type === undefined ? {} : { upstreamType: spec.type }),
    ...(spec.code === undefined ? {} : { upstreamCode: spec.code }),
    ...(spec.param === undefined ? {} : { param: spec.param }),
    ...(spec.retryAfter === undefined ? {} : { retryAfter: spec.retryAfter }),
  });
}
