/**
 * Redis with a documented way down. When a Redis call fails:
 *   `open`   the request is admitted (and settled) on this instance's own in-memory limits, so
 *            each instance holds to the limits by itself until Redis is back;
 *   `closed` the request is refused (the plugin answers 503).
 * Either way the failure is counted (`switchyard_governance_redis_errors_total`) and logged, at
 * most once every 10 seconds.
 */
import type { Logger } from "../../../src/plugins/index.ts";
import { createMemoryLimiter } from "./memory.ts";
import type { Limiter } from "./types.ts";

export class LimiterUnavailable extends Error {}

const LOG_EVERY_MS = 10_000;

export function createResilientLimiter(
  redis: Limiter,
  mode: "open" | "closed",
  logger: Logger,
  countError: () => void,
): Limiter {
  const local = createMemoryLimiter();
  let lastLog = 0;
  async function guarded<T>(
    op: string,
    remote: () => Promise<T>,
    fallback: () => Promise<T>,
  ): Promise<T> {
    try {
      return await remote();
    } catch (err) {
      countError();
      if (Date.now() - lastLog > LOG_EVERY_MS) {
        lastLog = Date.now();
        logger.error(
          mode === "open"
            ? "governance: Redis unreachable; limits are held per instance until it is back"
            : "governance: Redis unreachable; refusing requests (on_redis_error: closed)",
          { op, error: err },
        );
      }
      if (mode === "closed") throw new LimiterUnavailable("rate limits are unavailable");
      return fallback();
    }
  }
  return {
    admit: (a) =>
      guarded(
        "admit",
        () => redis.admit(a),
        () => local.admit(a),
      ),
    settle: (s) =>
      guarded(
        "settle",
        () => redis.settle(s),
        () => local.settle(s),
      ),
    budgets: (levels) =>
      guarded(
        "budgets",
        () => redis.budgets(levels),
        () => local.budgets(levels),
      ),
    async close() {
      await redis.close();
    },
  };
}
