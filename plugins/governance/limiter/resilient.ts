/**
 * Redis with a documented way down, and counts carried across it both ways.
 *
 * While Redis answers, every admission and settlement leaves each level's counters, as Redis
 * holds them, in this instance's mirror (an in-memory limiter). When Redis stops answering (it is
 * down after one command misses `storage.timeout_ms`, or its connection drops, and stays down
 * until a PING answers: `src/plugins/dependency.ts`):
 *
 *   `open`    requests are admitted and settled on the mirror, which starts from what Redis last
 *             said: the instance holds to the limits by itself, from where they stood, not from a
 *             fresh allowance;
 *   `closed`  requests are refused (the plugin answers 503).
 *
 * When Redis answers again, before any request goes to it, the instance carries its counts back
 * (`MERGE` in `redis.ts`): no TAT moves back, spent grows by what the instance spent meanwhile and
 * is at least the instance's own total. A Redis that restarted empty therefore gets the counts of
 * the levels this instance saw back, and one that was only unreachable gets what was spent
 * without it. Failures are counted (`switchyard_governance_redis_errors_total`) and logged at
 * most once every 10 seconds.
 */
import { throttle, type Logger } from "../../../src/plugins/index.ts";
import { createMemoryLimiter } from "./memory.ts";
import { createRedisLimiter, type Carried, type RedisLimiter } from "./redis.ts";
import {
  budgetKey,
  type Admission,
  type LevelLimits,
  type Limiter,
  type Settlement,
} from "./types.ts";

export class LimiterUnavailable extends Error {}

const LOG_EVERY_MS = 10_000;
/** Levels remembered for carrying back; past it, those whose counts have lapsed are dropped. */
const MAX_LEVELS = 10_000;
/** Levels per merge script, so that each runs well within the command deadline. */
const MERGE_CHUNK = 500;
/** Rounds of merging what was spent during the last one, before trying again at the next probe. */
const MAX_MERGE_ROUNDS = 10;

export interface ResilientOptions {
  url: string;
  timeoutMs: number;
  mode: "open" | "closed";
  logger: Logger;
  countError(): void;
  prefix?: string;
}

const levelId = (l: LevelLimits) => budgetKey(l.scope, l.budget?.windowStart);

export function createResilientLimiter(options: ResilientOptions): Limiter & {
  readonly redis: RedisLimiter;
} {
  const { mode, logger } = options;
  const mirror = createMemoryLimiter();
  /** Every level seen lately, to carry back. */
  const seen = new Map<string, LevelLimits>();
  /** Levels this instance counted on its own while Redis was away, with what it spent and reserved. */
  let outage = new Map<string, { spent: number; reserved: number }>();
  /** Merges not yet known to have landed, oldest first, each with its id (applied once). */
  const unmerged: { id: string; carried: Carried[] }[] = [];
  let sweepAt = MAX_LEVELS;
  const remember = (levels: readonly LevelLimits[]) => {
    if (seen.size > sweepAt) forgetLapsed();
    for (const l of levels) seen.set(levelId(l), l);
  };
  const redis = createRedisLimiter(options.url, {
    timeoutMs: options.timeoutMs,
    ...(options.prefix ? { prefix: options.prefix } : {}),
    observe(levels, states) {
      // An answer that comes after Redis was marked down is not Redis's word any more: the
      // mirror has moved on by itself since.
      if (!dependency.up) return;
      remember(levels);
      levels.forEach((l, i) => mirror.absorb(l, states[i]!));
    },
  });
  const dependency = redis.connection.dependency;

  /** Drops levels whose counts have lapsed; scans again only once the map has doubled. */
  function forgetLapsed(): void {
    const now = Date.now();
    for (const [id, l] of seen) {
      const state = mirror.stateOf(l);
      const live =
        (state.requestsAhead ?? 0) > 0 ||
        (state.tokensAhead ?? 0) > 0 ||
        (l.budget !== undefined && l.budget.windowEnd > now);
      if (!live) seen.delete(id);
    }
    sweepAt = Math.max(MAX_LEVELS, seen.size * 2);
  }

  /**
   * This instance's counts as they stand, with what it spent meanwhile, in merges to send: every
   * level it has seen, or only those it spent on since the last merge.
   */
  function takeOutage(everyLevel: boolean): void {
    const taken = outage;
    outage = new Map();
    const levels = everyLevel
      ? [...seen.values()]
      : [...taken.keys()].flatMap((id) => seen.get(id) ?? []);
    const carried: Carried[] = levels.map((level) => {
      const spent = taken.get(levelId(level));
      return {
        level,
        state: mirror.stateOf(level),
        spentDelta: spent?.spent ?? 0,
        reservedDelta: spent?.reserved ?? 0,
      };
    });
    for (let i = 0; i < carried.length; i += MERGE_CHUNK)
      unmerged.push({ id: crypto.randomUUID(), carried: carried.slice(i, i + MERGE_CHUNK) });
  }

  dependency.onRecover(async () => {
    // Merges that did not land are sent again first, under the same ids (each applies once); a
    // new snapshot is only taken once they have, so a long outage never piles them up. What is
    // spent while a merge is on its way goes into another round, until nothing is left: then
    // Redis is up again at once (no request can run between the last check and that).
    let rounds = 0;
    try {
      do {
        if (unmerged.length === 0) takeOutage(rounds === 0);
        while (unmerged.length > 0) {
          await redis.merge(unmerged[0]!.carried, unmerged[0]!.id);
          unmerged.shift();
        }
      } while (outage.size > 0 && ++rounds < MAX_MERGE_ROUNDS);
    } catch (err) {
      unavailable("merge", err);
      throw err; // Redis stays down; the next probe tries again
    }
    if (outage.size > 0) throw new Error("spending went on faster than it could be carried back");
    logger.info("governance: Redis answers again; this instance's counts were carried back", {
      levels: seen.size,
    });
  });

  const sayUnavailable = throttle(LOG_EVERY_MS);
  function unavailable(op: string, err: unknown): void {
    options.countError();
    if (!sayUnavailable()) return;
    logger.error(
      mode === "open"
        ? "governance: Redis unreachable; limits are held per instance, from where they stood, until it is back"
        : "governance: Redis unreachable; refusing requests (on_redis_error: closed)",
      { op, error: err },
    );
  }

  /** Notes a level the instance counted on its own (its TATs moved; for budgets, what it spent). */
  const charge = (levels: readonly LevelLimits[], spent: number, reserved: number) => {
    for (const l of levels) {
      const id = levelId(l);
      const cell = outage.get(id) ?? { spent: 0, reserved: 0 };
      cell.spent += spent;
      cell.reserved += reserved;
      outage.set(id, cell);
    }
  };

  function locally(a: Admission) {
    const decision = mirror.sync.admit(a);
    if (decision.ok) {
      remember(a.levels);
      charge(a.levels, 0, a.costMicros);
    }
    return decision;
  }

  function settleLocally(s: Settlement): void {
    mirror.sync.settle(s);
    remember(s.levels);
    charge(s.levels, s.costMicros, -s.reservedMicros);
  }

  /** Redis when it answers; else the mirror (for admissions only in `open` mode). */
  async function guarded<T>(
    op: string,
    remote: () => Promise<T>,
    local: () => T,
    refuseWhenClosed: boolean,
  ): Promise<T> {
    if (dependency.up) {
      try {
        return await remote();
      } catch (err) {
        // Whatever failed (a deadline, a dropped connection, an error Redis answered), the
        // instance now counts on its own, so Redis is down until a probe answers and the counts
        // are carried back: local counts are never kept beside a Redis taken to be up.
        dependency.failed(err);
        unavailable(op, err);
      }
    } else unavailable(op, "down");
    if (refuseWhenClosed && mode === "closed")
      throw new LimiterUnavailable("rate limits are unavailable");
    return local();
  }

  return {
    redis,
    admit: (a) =>
      guarded(
        "admit",
        () => redis.admit(a),
        () => locally(a),
        true,
      ),
    // A settlement is never refused: with Redis away it lands on the mirror and is carried back.
    settle: (s) =>
      guarded(
        "settle",
        () => redis.settle(s),
        () => settleLocally(s),
        false,
      ),
    budgets: (levels) =>
      guarded(
        "budgets",
        () => redis.budgets(levels),
        () =>
          levels.flatMap((l) => {
            const b = l.budget && mirror.stateOf(l).budget;
            return b ? [{ scope: l.scope, spentMicros: b.spent, reservedMicros: b.reserved }] : [];
          }),
        false,
      ),
    async close() {
      await redis.close();
    },
  };
}
