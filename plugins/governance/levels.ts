/** The levels a key's request is held to: the key itself, its team, its customer. */
import { MICRO } from "./pricing.ts";
import type { Budget, RateLimit } from "./config.ts";
import type { LevelLimits } from "./limiter/types.ts";
import { windowAt } from "./period.ts";
import type { GroupRecord, KeyRecord } from "./store/types.ts";

function level(
  scope: string,
  rate: RateLimit | null,
  budget: Budget | null,
  now: number,
): LevelLimits | undefined {
  if (!rate?.requests_per_minute && !rate?.tokens_per_minute && !budget) return undefined;
  const out: LevelLimits = { scope, rpm: rate?.requests_per_minute, tpm: rate?.tokens_per_minute };
  if (budget) {
    const w = windowAt(budget.period, now);
    out.budget = {
      maxMicros: Math.round(budget.max_usd * MICRO),
      windowStart: w.start,
      windowEnd: w.end,
    };
  }
  return out;
}

const memo = new WeakMap<KeyRecord, { levels: LevelLimits[]; until: number }>();

/**
 * The same, computed once per key record and budget window (key records are shared until the
 * directory reads the store again, so this is a lookup on the request path).
 */
export function levelsOf(
  key: KeyRecord,
  groups: ReadonlyMap<string, GroupRecord>,
  now: number,
): LevelLimits[] {
  const hit = memo.get(key);
  if (hit && now < hit.until) return hit.levels;
  const levels = computeLevels(key, groups, now);
  const ends = levels.flatMap((l) => (l.budget ? [l.budget.windowEnd] : []));
  memo.set(key, { levels, until: Math.min(now + 1000, ...ends) });
  return levels;
}

function computeLevels(
  key: KeyRecord,
  groups: ReadonlyMap<string, GroupRecord>,
  now: number,
): LevelLimits[] {
  const out: LevelLimits[] = [];
  const own = level(`key:${key.id}`, key.rateLimit, key.budget, now);
  if (own) out.push(own);
  for (const [kind, name] of [
    ["team", key.team],
    ["customer", key.customer],
  ] as const) {
    const group = name === null ? undefined : groups.get(`${kind}:${name}`);
    const l = group && level(`${kind}:${name}`, group.rateLimit, group.budget, now);
    if (l) out.push(l);
  }
  return out;
}
