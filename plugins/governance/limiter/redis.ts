/**
 * The limiter in Redis, shared by every instance: one Lua script admits a request against all of
 * its levels atomically (check everything, then charge everything), another settles it, a third
 * carries an instance's counts back after an outage. Time is Redis's own (`TIME`), so instances
 * with skewed clocks still agree. Keys:
 *
 *   <prefix>rq:<scope>   requests TAT (ms)        <prefix>tk:<scope>   tokens TAT (ms)
 *   <prefix>bg:<scope>:<window start>   hash { spent, reserved } in micro-dollars
 *
 * Admitting and settling answer each level's counters as they now stand (TATs as ms ahead of
 * Redis's now), which `observe` hands to the instance's mirror (`resilient.ts`).
 */
import type Redis from "ioredis";
import {
  connectRedis,
  DependencyUnavailable,
  type RedisConnection,
} from "../../../src/plugins/index.ts";
import type {
  Admission,
  BudgetState,
  Decision,
  LevelLimits,
  LevelState,
  Limiter,
  Remaining,
  Settlement,
} from "./types.ts";

/** Every script: Redis's own clock in ms (one clock for every instance) and the level count. */
const PRELUDE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = tonumber(ARGV[1])
`;

/**
 * An operation carries the Redis time after which it must not apply (its deadline, a little
 * before the caller stops waiting): one that reaches a Redis that stalled and woke up does
 * nothing, so what the instance did in its place meanwhile is not counted twice.
 */
const EXPIRED = `local expires = tonumber(ARGV[#ARGV])
if expires > 0 and now > expires then return {-1, now} end
`;

const ADMIT = `${PRELUDE}${EXPIRED}local tokens = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local W = 60000
local newReq, newTok = {}, {}
local rq = {-1, 0, 0}
local tk = {-1, 0, 0}
local function rem(nt, limit, best)
  local r = math.floor((W - (nt - now)) * limit / W)
  if r < 0 then r = 0 end
  if best[1] < 0 or r < best[2] then return {limit, r, math.ceil((nt - now) / 1000)} end
  return best
end
for i = 1, n do
  local a = 3 + (i - 1) * 4
  local rpm, tpm, max, wend = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4])
  local k = (i - 1) * 3
  if rpm > 0 then
    local tat = tonumber(redis.call('GET', KEYS[k + 1]) or '0')
    local nt = math.max(tat, now) + W / rpm
    if nt - now > W then return {0, 'requests', i, nt - now - W, now} end
    newReq[i] = nt
    rq = rem(nt, rpm, rq)
  end
  if tpm > 0 then
    local tat = tonumber(redis.call('GET', KEYS[k + 2]) or '0')
    local nt = math.max(tat, now) + tokens * W / tpm
    if nt - now > W then return {0, 'tokens', i, nt - now - W, now} end
    newTok[i] = nt
    tk = rem(nt, tpm, tk)
  end
  if max > 0 then
    local spent = tonumber(redis.call('HGET', KEYS[k + 3], 'spent') or '0')
    local reserved = tonumber(redis.call('HGET', KEYS[k + 3], 'reserved') or '0')
    if spent + reserved >= max or spent + reserved + cost > max then return {0, 'budget', i, wend - now, now} end
  end
end
local out = {1, '', 0, 0, rq[1], rq[2], rq[3], tk[1], tk[2], tk[3]}
for i = 1, n do
  local a = 3 + (i - 1) * 4
  local k = (i - 1) * 3
  local state = {-1, -1, -1, -1}
  if newReq[i] then
    redis.call('SET', KEYS[k + 1], string.format('%.3f', newReq[i]), 'PX', math.ceil(newReq[i] - now) + 1000)
    state[1] = newReq[i] - now
  end
  if newTok[i] then
    redis.call('SET', KEYS[k + 2], string.format('%.3f', newTok[i]), 'PX', math.ceil(newTok[i] - now) + 1000)
    state[2] = newTok[i] - now
  end
  if tonumber(ARGV[a + 3]) > 0 then
    state[4] = redis.call('HINCRBY', KEYS[k + 3], 'reserved', cost)
    state[3] = tonumber(redis.call('HGET', KEYS[k + 3], 'spent') or '0')
    redis.call('PEXPIREAT', KEYS[k + 3], tonumber(ARGV[a + 4]) + 3600000)
  end
  for _, v in ipairs(state) do out[#out + 1] = v end
end
out[#out + 1] = now
return out
`;

const SETTLE = `${PRELUDE}${EXPIRED}local delta = tonumber(ARGV[2])
local reserved = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local out = {}
for i = 1, n do
  local a = 4 + (i - 1) * 3
  local tpm, max, wend = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
  local k = (i - 1) * 3
  local state = {-1, -1, -1}
  if tpm > 0 and delta ~= 0 then
    local tat = tonumber(redis.call('GET', KEYS[k + 2]) or '0')
    local shift = delta * 60000 / tpm
    local nt
    if delta > 0 then nt = math.max(tat, now) + shift else nt = math.max(now, tat + shift) end
    redis.call('SET', KEYS[k + 2], string.format('%.3f', nt), 'PX', math.ceil(nt - now) + 1000)
    state[1] = nt - now
  end
  if max > 0 then
    state[2] = redis.call('HINCRBY', KEYS[k + 3], 'spent', cost)
    local r = redis.call('HINCRBY', KEYS[k + 3], 'reserved', -reserved)
    if r < 0 then redis.call('HSET', KEYS[k + 3], 'reserved', 0); r = 0 end
    state[3] = r
    redis.call('PEXPIREAT', KEYS[k + 3], wend + 3600000)
  end
  for _, v in ipairs(state) do out[#out + 1] = v end
end
out[#out + 1] = now
return out
`;

/**
 * An instance's counts carried back after an outage, per level: TATs never moved back (the later
 * of Redis's and the instance's), spent = the larger of Redis's plus what the instance spent
 * while Redis was away and the instance's own total (which repairs a Redis that restarted empty),
 * reserved = Redis's plus what the instance reserved meanwhile. Each merge carries an id (its
 * last key) and applies once: one whose answer was lost is not added twice when sent again.
 */
const MERGE = `${PRELUDE}if redis.call('SET', KEYS[n * 3 + 1], '1', 'NX', 'PX', 86400000) == false then return 0 end
for i = 1, n do
  local a = 1 + (i - 1) * 6
  local rqAhead, tkAhead = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
  local spentAtLeast, spentDelta, reservedDelta, wend = tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4]), tonumber(ARGV[a + 5]), tonumber(ARGV[a + 6])
  local k = (i - 1) * 3
  for j, ahead in ipairs({rqAhead, tkAhead}) do
    if ahead > 0 then
      local nt = now + ahead
      local tat = tonumber(redis.call('GET', KEYS[k + j]) or '0')
      if nt > tat then redis.call('SET', KEYS[k + j], string.format('%.3f', nt), 'PX', math.ceil(ahead) + 1000) end
    end
  end
  if wend > 0 then
    local spent = tonumber(redis.call('HGET', KEYS[k + 3], 'spent') or '0')
    local res = tonumber(redis.call('HGET', KEYS[k + 3], 'reserved') or '0')
    redis.call('HSET', KEYS[k + 3], 'spent', math.max(spent + spentDelta, spentAtLeast), 'reserved', math.max(res + reservedDelta, 0))
    redis.call('PEXPIREAT', KEYS[k + 3], wend + 3600000)
  end
end
return 1
`;

type Reply = [number, string, number, number, ...number[]];

/** What an instance carries back for one level after an outage. */
export interface Carried {
  level: LevelLimits;
  state: LevelState;
  /** Spent and reserved by this instance while Redis was away. */
  spentDelta: number;
  reservedDelta: number;
}

export interface RedisLimiter extends Limiter {
  readonly redis: Redis;
  readonly connection: RedisConnection;
  /**
   * Carries counts back, once per `id` (runs while Redis is still marked down: not through the
   * guard, within the connection's command deadline).
   */
  merge(carried: readonly Carried[], id: string): Promise<void>;
}

/** An operation that reached Redis after its deadline and did nothing. */
export class OperationExpired extends DependencyUnavailable {
  constructor() {
    super("redis", "ran the operation after its deadline (it did nothing)");
  }
}

/** How early, as a share of the deadline, an operation stops being valid on Redis's side. */
const EXPIRY_SHARE = 0.8;
/** How long the largest clock-offset sample is kept before a fresh one replaces it. */
const OFFSET_WINDOW_MS = 60_000;

export interface RedisLimiterOptions {
  prefix?: string;
  /** Deadline of each command (`storage.timeout_ms`). */
  timeoutMs: number;
  /** Each level's counters as Redis now holds them, after every admission and settlement. */
  observe?(levels: readonly LevelLimits[], states: readonly LevelState[]): void;
}

const ahead = (v: number | undefined) => (v === undefined || v < 0 ? undefined : v);

export function createRedisLimiter(url: string, options: RedisLimiterOptions): RedisLimiter {
  const prefix = options.prefix ?? "switchyard:gov:";
  const connection = connectRedis(url, { timeoutMs: options.timeoutMs });
  const { redis, run } = connection;
  // Sent once, then run by SHA (EVALSHA); the key count is the first argument.
  redis.defineCommand("switchyardAdmit", { lua: ADMIT });
  redis.defineCommand("switchyardSettle", { lua: SETTLE });
  redis.defineCommand("switchyardMerge", { lua: MERGE });
  const scripts = redis as unknown as Record<
    "switchyardAdmit" | "switchyardSettle" | "switchyardMerge",
    (...args: (string | number)[]) => Promise<unknown>
  >;
  const keys = (levels: readonly LevelLimits[]) =>
    levels.flatMap((l) => [
      `${prefix}rq:${l.scope}`,
      `${prefix}tk:${l.scope}`,
      `${prefix}bg:${l.scope}:${l.budget?.windowStart ?? 0}`,
    ]);
  const remainingOf = (r: number[], at: number): Remaining | undefined =>
    r[at]! < 0 ? undefined : { limit: r[at]!, remaining: r[at + 1]!, resetS: r[at + 2]! };
  // Redis's clock minus ours, from TIME and then from every answer: to tell Redis, in its own
  // time, when an operation stops being valid.
  // Each answer's sample falls short of the true offset by the time its reply took to be handled,
  // so the largest sample of the last OFFSET_WINDOW_MS is kept (an expiry that comes too early
  // would refuse work Redis did in time).
  let offset: number | undefined;
  let offsetAt = 0;
  const learn = (redisNow: number) => {
    const now = Date.now();
    const sample = redisNow - now;
    if (offset === undefined || now - offsetAt > OFFSET_WINDOW_MS || sample > offset) {
      offset = sample;
      offsetAt = now;
    }
  };
  async function expiresAt(): Promise<number> {
    if (offset === undefined) {
      const [s, us] = await run((r) => r.time());
      learn(Number(s) * 1000 + Math.floor(Number(us) / 1000));
    }
    return Date.now() + offset! + Math.floor(options.timeoutMs * EXPIRY_SHARE);
  }

  return {
    redis,
    connection,
    async admit(a: Admission): Promise<Decision> {
      const args = [a.levels.length, Math.ceil(a.tokens), a.costMicros];
      for (const l of a.levels) {
        args.push(l.rpm ?? 0, l.tpm ?? 0, l.budget?.maxMicros ?? 0, l.budget?.windowEnd ?? 0);
      }
      args.push(await expiresAt());
      const r = (await run(() =>
        scripts.switchyardAdmit(a.levels.length * 3, ...keys(a.levels), ...args),
      )) as Reply;
      learn(Number(r.at(-1)));
      if (r[0] === -1) throw new OperationExpired();
      if (r[0] === 0) {
        const level = a.levels[r[2] - 1]!;
        const reason = r[1] as "requests" | "tokens" | "budget";
        return {
          ok: false,
          reason,
          scope: level.scope,
          retryAfterS: Math.max(1, Math.ceil(r[3] / 1000)),
        };
      }
      const numbers = r as unknown as number[];
      const decision: Decision = { ok: true };
      const requests = remainingOf(numbers, 4);
      const tokens = remainingOf(numbers, 7);
      if (requests) decision.requests = requests;
      if (tokens) decision.tokens = tokens;
      if (options.observe) {
        options.observe(
          a.levels,
          a.levels.map((_, i) => {
            const [rq, tk, spent, reserved] = numbers.slice(10 + i * 4, 14 + i * 4);
            return {
              requestsAhead: ahead(rq),
              tokensAhead: ahead(tk),
              budget: reserved! < 0 ? undefined : { spent: spent!, reserved: reserved! },
            };
          }),
        );
      }
      return decision;
    },
    async settle(s: Settlement): Promise<void> {
      const args = [
        s.levels.length,
        Math.ceil(s.tokens - s.reservedTokens),
        s.reservedMicros,
        s.costMicros,
      ];
      for (const l of s.levels)
        args.push(l.tpm ?? 0, l.budget?.maxMicros ?? 0, l.budget?.windowEnd ?? 0);
      args.push(await expiresAt());
      const r = (await run(() =>
        scripts.switchyardSettle(s.levels.length * 3, ...keys(s.levels), ...args),
      )) as number[];
      learn(Number(r.at(-1)));
      if (r[0] === -1 && r.length === 2) throw new OperationExpired();
      options.observe?.(
        s.levels,
        s.levels.map((_, i) => {
          const [tk, spent, reserved] = r.slice(i * 3, i * 3 + 3);
          return {
            tokensAhead: ahead(tk),
            budget: spent! < 0 ? undefined : { spent: spent!, reserved: reserved! },
          };
        }),
      );
    },
    async merge(carried, id) {
      if (carried.length === 0) return;
      const levels = carried.map((c) => c.level);
      const args: number[] = [carried.length];
      for (const c of carried) {
        args.push(
          c.state.requestsAhead ?? -1,
          c.state.tokensAhead ?? -1,
          c.state.budget?.spent ?? 0,
          c.spentDelta,
          c.reservedDelta,
          c.level.budget && c.state.budget ? c.level.budget.windowEnd : 0,
        );
      }
      await scripts.switchyardMerge(
        levels.length * 3 + 1,
        ...keys(levels),
        `${prefix}merge:${id}`,
        ...args,
      );
    },
    async budgets(levels: LevelLimits[]): Promise<BudgetState[]> {
      // Sent together (ioredis pipelines them): one round trip.
      return Promise.all(
        levels
          .filter((l) => l.budget)
          .map(async (l) => {
            const [spent, reserved] = await run((r) =>
              r.hmget(`${prefix}bg:${l.scope}:${l.budget!.windowStart}`, "spent", "reserved"),
            );
            return {
              scope: l.scope,
              spentMicros: Number(spent ?? 0),
              reservedMicros: Math.max(0, Number(reserved ?? 0)),
            };
          }),
      );
    },
    async close() {
      connection.close();
    },
  };
}
