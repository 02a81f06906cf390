/**
 * The limiter in this process's memory: exact for one instance (JavaScript runs one admission at
 * a time); with Redis, the instance's mirror of what Redis holds (`absorb`, `stateOf`), which
 * takes over while Redis is away and `on_redis_error` is `open` (`resilient.ts`).
 */
import { advance, fits, remaining, waitMs } from "./gcra.ts";
import {
  budgetKey,
  type Admission,
  type Decision,
  type LevelLimits,
  type LevelState,
  type Limiter,
  type Remaining,
  type Settlement,
} from "./types.ts";

interface BudgetCell {
  spent: number;
  reserved: number;
  windowEnd: number;
}

/** A token TAT after the real usage replaces the estimate (never back before now). */
function corrected(tat: number, now: number, delta: number, limit: number): number {
  const shift = (delta * 60_000) / limit;
  return delta >= 0 ? Math.max(tat, now) + shift : Math.max(now, tat + shift);
}

function tighter(a: Remaining | undefined, b: Remaining): Remaining {
  return a === undefined || b.remaining < a.remaining ? b : a;
}

/** The memory limiter, which can also take and give the state of levels (a Redis mirror). */
export interface MemoryLimiter extends Limiter {
  readonly sync: NonNullable<Limiter["sync"]>;
  /** Sets a level's counters to `state` (what Redis answered). */
  absorb(level: LevelLimits, state: LevelState): void;
  /** The counters of `level` as held here. */
  stateOf(level: LevelLimits): LevelState;
}

export function createMemoryLimiter(now: () => number = Date.now): MemoryLimiter {
  const tats = new Map<string, number>();
  const budgets = new Map<string, BudgetCell>();
  /** A level's budget cell for its window, made empty on first use. */
  const cellOf = (scope: string, budget: NonNullable<LevelLimits["budget"]>): BudgetCell => {
    const key = budgetKey(scope, budget.windowStart);
    let cell = budgets.get(key);
    if (!cell) {
      cell = { spent: 0, reserved: 0, windowEnd: budget.windowEnd };
      budgets.set(key, cell);
    }
    return cell;
  };

  /** Drops lapsed budget cells and TATs, scanning again only once a map has doubled. */
  let sweepTats = 4096;
  function sweep(t: number) {
    if (budgets.size >= 1024) {
      for (const [k, cell] of budgets) if (cell.windowEnd < t) budgets.delete(k);
    }
    if (tats.size >= sweepTats) {
      for (const [k, tat] of tats) if (tat < t) tats.delete(k);
      sweepTats = Math.max(4096, tats.size * 2);
    }
  }

  function admit(a: Admission): Decision {
    const t = now();
    sweep(t);
    const next = new Map<string, number>();
    let requests: Remaining | undefined;
    let tokens: Remaining | undefined;
    for (const level of a.levels) {
      for (const [kind, limit, cost] of [
        ["requests", level.rpm, 1],
        ["tokens", level.tpm, a.tokens],
      ] as const) {
        if (!limit) continue;
        const key = `${kind}:${level.scope}`;
        const nt = advance(tats.get(key) ?? 0, t, cost, limit);
        if (!fits(nt, t)) {
          return {
            ok: false,
            reason: kind,
            scope: level.scope,
            retryAfterS: Math.max(1, Math.ceil(waitMs(nt, t) / 1000)),
          };
        }
        next.set(key, nt);
        if (kind === "requests") requests = tighter(requests, remaining(nt, t, limit));
        else tokens = tighter(tokens, remaining(nt, t, limit));
      }
      if (level.budget) {
        const cell = budgets.get(budgetKey(level.scope, level.budget.windowStart));
        const held = cell ? cell.spent + cell.reserved : 0;
        const max = level.budget.maxMicros;
        if (held >= max || held + a.costMicros > max) {
          const retryAfterS = Math.max(1, Math.ceil((level.budget.windowEnd - t) / 1000));
          return { ok: false, reason: "budget", scope: level.scope, retryAfterS };
        }
      }
    }
    for (const [k, v] of next) tats.set(k, v);
    for (const level of a.levels) {
      if (level.budget) cellOf(level.scope, level.budget).reserved += a.costMicros;
    }
    const decision: Decision = { ok: true };
    if (requests) decision.requests = requests;
    if (tokens) decision.tokens = tokens;
    return decision;
  }

  function settle(s: Settlement): void {
    const t = now();
    for (const level of s.levels) {
      if (level.tpm) {
        const key = `tokens:${level.scope}`;
        const tat = tats.get(key);
        if (tat !== undefined)
          tats.set(key, corrected(tat, t, s.tokens - s.reservedTokens, level.tpm));
      }
      if (level.budget) {
        const cell = cellOf(level.scope, level.budget);
        cell.spent += s.costMicros;
        cell.reserved = Math.max(0, cell.reserved - s.reservedMicros);
      }
    }
  }

  function absorb(level: LevelLimits, state: LevelState): void {
    const t = now();
    if (state.requestsAhead !== undefined)
      tats.set(`requests:${level.scope}`, t + state.requestsAhead);
    if (state.tokensAhead !== undefined) tats.set(`tokens:${level.scope}`, t + state.tokensAhead);
    if (level.budget && state.budget) {
      const cell = cellOf(level.scope, level.budget);
      cell.spent = state.budget.spent;
      cell.reserved = Math.max(0, state.budget.reserved);
    }
  }

  function stateOf(level: LevelLimits): LevelState {
    const t = now();
    const ahead = (key: string) => {
      const tat = tats.get(key);
      return tat === undefined ? undefined : Math.max(0, tat - t);
    };
    const cell = level.budget && budgets.get(budgetKey(level.scope, level.budget.windowStart));
    return {
      requestsAhead: level.rpm ? ahead(`requests:${level.scope}`) : undefined,
      tokensAhead: level.tpm ? ahead(`tokens:${level.scope}`) : undefined,
      budget: cell ? { spent: cell.spent, reserved: cell.reserved } : undefined,
    };
  }

  return {
    absorb,
    stateOf,
    sync: { admit, settle },
    admit: async (a) => admit(a),
    settle: async (s) => settle(s),
    async budgets(levels) {
      return levels.flatMap((level) => {
        if (!level.budget) return [];
        const cell = budgets.get(budgetKey(level.scope, level.budget.windowStart));
        return [
          {
            scope: level.scope,
            spentMicros: cell?.spent ?? 0,
            reservedMicros: cell?.reserved ?? 0,
          },
        ];
      });
    },
    async close() {},
  };
}
