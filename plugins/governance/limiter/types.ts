/**
 * The limiter's contract. Every level a request falls under (its key, team, customer) is checked
 * and charged together, all or nothing:
 *
 *   requests_per_minute, tokens_per_minute   GCRA (generic cell rate algorithm): a level's
 *        "theoretical arrival time" (TAT) moves forward by cost × (60 s / limit) per request; a
 *        request is refused when that would put TAT more than 60 s ahead of now. So a full
 *        minute's allowance may be used at once, and it comes back evenly over the next minute.
 *        Tokens are reserved from an estimate on admission and corrected with the real usage.
 *   budget                                   spent + reserved, in micro-dollars, per fixed window;
 *        a request is admitted when what it reserves (its plausible cost) still fits beside what
 *        is spent and reserved, and reserves it; the real cost replaces the reservation
 *        afterwards. A budget is therefore passed only by what requests used beyond their
 *        reservations (see docs/governance.md for the bound).
 */

export interface LevelLimits {
  /** `key:<id>`, `team:<name>`, `customer:<name>`. */
  scope: string;
  rpm?: number | undefined;
  tpm?: number | undefined;
  budget?: { maxMicros: number; windowStart: number; windowEnd: number } | undefined;
}

/** A level's budget cell in one window (its scope and window start), as both limiters name it. */
export const budgetKey = (scope: string, windowStart = 0) => `${scope}@${windowStart}`;

export interface Admission {
  levels: LevelLimits[];
  tokens: number;
  costMicros: number;
}

export interface Remaining {
  limit: number;
  remaining: number;
  /** Seconds until the allowance is whole again. */
  resetS: number;
}

export type Decision =
  | { ok: true; requests?: Remaining; tokens?: Remaining }
  | {
      ok: false;
      reason: "requests" | "tokens" | "budget";
      scope: string;
      retryAfterS: number;
      requests?: Remaining;
      tokens?: Remaining;
    };

export interface Settlement {
  levels: LevelLimits[];
  /** What was reserved on admission. */
  reservedTokens: number;
  reservedMicros: number;
  /** What the request really used. */
  tokens: number;
  costMicros: number;
}

export interface BudgetState {
  scope: string;
  spentMicros: number;
  reservedMicros: number;
}

/**
 * A level's counters as a limiter holds them, to carry them across a Redis outage: TATs as the
 * milliseconds they stand ahead of now (so two clocks need not agree), the budget cell of the
 * level's window.
 */
export interface LevelState {
  requestsAhead?: number | undefined;
  tokensAhead?: number | undefined;
  budget?: { spent: number; reserved: number } | undefined;
}

export interface Limiter {
  admit(a: Admission): Promise<Decision>;
  /** The same, synchronously, for a limiter that needs no I/O (in memory). */
  readonly sync?: { admit(a: Admission): Decision; settle(s: Settlement): void };
  settle(s: Settlement): Promise<void>;
  budgets(levels: LevelLimits[]): Promise<BudgetState[]>;
  close(): Promise<void>;
}

export const WINDOW_MS = 60_000;
