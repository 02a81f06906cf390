/**
 * The limiter in Redis, shared by every instance: one Lua script admits a request against all of
 * its levels atomically (check everything, then charge everything), another settles it. Time is
 * Redis's own (`TIME`), so instances with skewed clocks still agree. Keys:
 *
 *   <prefix>rq:<scope>   requests TAT (ms)        <prefix>tk:<scope>   tokens TAT (ms)
 *   <prefix>bg:<scope>:<window start>   hash { spent, reserved } in micro-dollars
 */
import type Redis from "ioredis";
import { connectRedis } from "../../../src/plugins/index.ts";
import type {
  Admission,
  BudgetState,
  Decision,
  LevelLimits,
  Limiter,
  Remaining,
  Settlement,
} from "./types.ts";

/** Both scripts: Redis's own clock in ms (one clock for every instance) and the level count. */
const PRELUDE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = tonumber(ARGV[1])
`;

const ADMIT = `${PRELUDE}local tokens = tonumber(ARGV[2])
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
    if nt - now > W then return {0, 'requests', i, nt - now - W} end
    newReq[i] = nt
    rq = rem(nt, rpm, rq)
  end
  if tpm > 0 then
    local tat = tonumber(redis.call('GET', KEYS[k + 2]) or '0')
    local nt = math.max(tat, now) + tokens * W / tpm
    if nt - now > W then return {0, 'tokens', i, nt - now - W} end
    newTok[i] = nt
    tk = rem(nt, tpm, tk)
  end
  if max > 0 then
    local spent = tonumber(redis.call('HGET', KEYS[k + 3], 'spent') or '0')
    local reserved = tonumber(redis.call('HGET', KEYS[k + 3], 'reserved') or '0')
    if spent + reserved >= max or spent + reserved + cost > max then return {0, 'budget', i, wend - now} end
  end
end
for i = 1, n do
  local a = 3 + (i - 1) * 4
  local k = (i - 1) * 3
  if newReq[i] then redis.call('SET', KEYS[k + 1], string.format('%.3f', newReq[i]), 'PX', math.ceil(newReq[i] - now) + 1000) end
  if newTok[i] then redis.call('SET', KEYS[k + 2], string.format('%.3f', newTok[i]), 'PX', math.ceil(newTok[i] - now) + 1000) end
  if tonumber(ARGV[a + 3]) > 0 then
    redis.call('HINCRBY', KEYS[k + 3], 'reserved', cost)
    redis.call('PEXPIREAT', KEYS[k + 3], tonumber(ARGV[a + 4]) + 3600000)
  end
end
return {1, '', 0, 0, rq[1], rq[2], rq[3], tk[1], tk[2], tk[3]}
`;

const SETTLE = `${PRELUDE}local delta = tonumber(ARGV[2])
local reserved = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
for i = 1, n do
  local a = 4 + (i - 1) * 3
  local tpm, max, wend = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
  local k = (i - 1) * 3
  if tpm > 0 and delta ~= 0 then
    local tat = tonumber(redis.call('GET', KEYS[k + 2]) or '0')
    local shift = delta * 60000 / tpm
    local nt
    if delta > 0 then nt = math.max(tat, now) + shift else nt = math.max(now, tat + shift) end
    redis.call('SET', KEYS[k + 2], string.format('%.3f', nt), 'PX', math.ceil(nt - now) + 1000)
  end
  if max > 0 then
    redis.call('HINCRBY', KEYS[k + 3], 'spent', cost)
    local r = redis.call('HINCRBY', KEYS[k + 3], 'reserved', -reserved)
    if r < 0 then redis.call('HSET', KEYS[k + 3], 'reserved', 0) end
    redis.call('PEXPIREAT', KEYS[k + 3], wend + 3600000)
  end
end
return 1
`;

type Reply = [number, string, number, number, ...number[]];

export function createRedisLimiter(
  url: string,
  prefix = "switchyard:gov:",
): Limiter & { redis: Redis } {
  const { redis, ready, close } = connectRedis(url);
  // Sent once, then run by SHA (EVALSHA); the key count is the first argument.
  redis.defineCommand("switchyardAdmit", { lua: ADMIT });
  redis.defineCommand("switchyardSettle", { lua: SETTLE });
  const scripts = redis as unknown as Record<
    "switchyardAdmit" | "switchyardSettle",
    (...args: (string | number)[]) => Promise<unknown>
  >;
  const keys = (levels: LevelLimits[]) =>
    levels.flatMap((l) => [
      `${prefix}rq:${l.scope}`,
      `${prefix}tk:${l.scope}`,
      `${prefix}bg:${l.scope}:${l.budget?.windowStart ?? 0}`,
    ]);
  const remainingOf = (r: number[], at: number): Remaining | undefined =>
    r[at]! < 0 ? undefined : { limit: r[at]!, remaining: r[at + 1]!, resetS: r[at + 2]! };

  return {
    redis,
    async admit(a: Admission): Promise<Decision> {
      const args = [a.levels.length, Math.ceil(a.tokens), a.costMicros];
      for (const l of a.levels) {
        args.push(l.rpm ?? 0, l.tpm ?? 0, l.budget?.maxMicros ?? 0, l.budget?.windowEnd ?? 0);
      }
      await ready();
      const r = (await scripts.switchyardAdmit(
        a.levels.length * 3,
        ...keys(a.levels),
        ...args,
      )) as Reply;
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
      const decision: Decision = { ok: true };
      const requests = remainingOf(r as unknown as number[], 4);
      const tokens = remainingOf(r as unknown as number[], 7);
      if (requests) decision.requests = requests;
      if (tokens) decision.tokens = tokens;
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
      await ready();
      await scripts.switchyardSettle(s.levels.length * 3, ...keys(s.levels), ...args);
    },
    async budgets(levels: LevelLimits[]): Promise<BudgetState[]> {
      await ready();
      const out: BudgetState[] = [];
      for (const l of levels) {
        if (!l.budget) continue;
        const [spent, reserved] = await redis.hmget(
          `${prefix}bg:${l.scope}:${l.budget.windowStart}`,
          "spent",
          "reserved",
        );
        out.push({
          scope: l.scope,
          spentMicros: Number(spent ?? 0),
          reservedMicros: Math.max(0, Number(reserved ?? 0)),
        });
      }
      return out;
    },
    async close() {
      close();
    },
  };
}
