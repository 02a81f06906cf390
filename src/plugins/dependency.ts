/**
 * A dependency (Redis, PostgreSQL) that stops answering is a dependency that is down. Every call
 * through `run` has a deadline; a call that misses it, or fails to reach the server, marks the
 * dependency down, and while it is down calls fail at once (no request waits on it) until a probe
 * succeeds again (every PROBE_INTERVAL_MS, with the same deadline). Then `onRecover` listeners
 * run, before calls go through again.
 *
 *   up ──(timeout or connection error)──▶ down ──(probe answers)──▶ recovering ──▶ up
 *
 * An error the server itself answered (a constraint, a script error) says nothing about whether
 * it is reachable: it is passed on and the dependency stays up.
 */

import { withDeadline } from "../core/deadline.ts";

/** How often a down dependency is probed. */
export const PROBE_INTERVAL_MS = 500;

/** A call refused because the dependency is down, or that missed its deadline. */
export class DependencyUnavailable extends Error {
  constructor(
    readonly dependency: string,
    reason: string,
  ) {
    super(`${dependency} ${reason}`);
    this.name = "DependencyUnavailable";
  }
}

export interface DependencyOptions {
  /** Names it in errors and logs: `redis`, `postgres`. */
  name: string;
  /** The deadline of each call and probe, ms. */
  timeoutMs: number;
  /** A cheap call that answers when the server does (`PING`, `SELECT 1`). */
  probe(): Promise<unknown>;
  /** Whether an error is the server's own answer (the dependency is up). */
  isServerError?(err: unknown): boolean;
  /** Told when the dependency goes down and when it is back. */
  onChange?(up: boolean, cause?: unknown): void;
}

export interface Dependency {
  readonly up: boolean;
  /** Runs `call` within the deadline (`timeoutMs` to override it for a slow, off-path call). */
  run<T>(call: () => Promise<T>, timeoutMs?: number): Promise<T>;
  /** Runs before calls go through again after an outage (carry state back, say so). */
  onRecover(listener: () => Promise<void> | void): void;
  /** Marks the dependency down from outside (a connection that dropped). */
  failed(cause: unknown): void;
  close(): void;
}

function within<T>(work: Promise<T>, ms: number, name: string): Promise<T> {
  return withDeadline(
    work,
    ms,
    () => new DependencyUnavailable(name, `did not answer within ${ms} ms`),
  );
}

export function guardDependency(options: DependencyOptions): Dependency {
  const { name, timeoutMs } = options;
  const listeners: (() => Promise<void> | void)[] = [];
  let up = true;
  let probing: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  async function probe(): Promise<void> {
    probing = undefined;
    if (closed) return;
    try {
      await within(options.probe(), timeoutMs, name);
      for (const listener of listeners) await listener();
      up = true;
      options.onChange?.(true);
    } catch {
      if (!closed) probing = setTimeout(() => void probe(), PROBE_INTERVAL_MS);
    }
  }

  function failed(cause: unknown): void {
    if (!up || closed) return;
    up = false;
    options.onChange?.(false, cause);
    probing = setTimeout(() => void probe(), PROBE_INTERVAL_MS);
  }

  return {
    get up() {
      return up;
    },
    async run(call, ms = timeoutMs) {
      if (!up) throw new DependencyUnavailable(name, "is down");
      try {
        return await within(call(), ms, name);
      } catch (err) {
        if (!options.isServerError?.(err)) failed(err);
        throw err;
      }
    },
    onRecover(listener) {
      listeners.push(listener);
    },
    failed,
    close() {
      closed = true;
      clearTimeout(probing);
    },
  };
}
