/**
 * Deadlines. `withDeadline`: a promise's outcome, or `late()`'s error once `ms` pass (the work is
 * not stopped: give it a signal of its own for that).
 *
 * `deadlineSignal`: a signal that aborts when `parent` does (with its reason) or when `ms` pass (with `late()`'s
 * error), and `clear()` to stop the timer once what it guarded has arrived. One controller, one
 * listener and one timer: only made where a deadline shorter than the parent's is wanted.
 */
import type { GatewayError } from "./errors.ts";

export function deadlineSignal(
  parent: AbortSignal,
  ms: number,
  late: () => GatewayError,
): { signal: AbortSignal; clear(): void } {
  const controller = new AbortController();
  if (parent.aborted) controller.abort(parent.reason);
  else parent.addEventListener("abort", () => controller.abort(parent.reason), { once: true });
  const timer = setTimeout(() => controller.abort(late()), ms);
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}

export function withDeadline<T>(work: Promise<T>, ms: number, late: () => Error): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const missed = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(late()), ms);
  });
  return Promise.race([work, missed]).finally(() => clearTimeout(timer));
}
