/**
 * Cached responses in Redis (ioredis), shared by every instance pointing at the same server:
 * msgpackr-encoded values under `<prefix><key>` with Redis's own expiry (`SET ... EX`).
 * Commands fail fast instead of queueing while Redis is away, and a Redis that stops answering is
 * down after `storage.timeout_ms` (then every call fails at once until it answers again); the
 * plugin treats a failure as a miss.
 */
import { pack, unpack } from "msgpackr";
import { connectRedis, type ChatResponse } from "../../src/plugins/index.ts";
import type { CacheStore } from "./store.ts";

export function createRedisStore(url: string, prefix: string, timeoutMs: number): CacheStore {
  const { run, close } = connectRedis(url, { timeoutMs });
  return {
    async get(key) {
      const value = await run((redis) => redis.getBuffer(prefix + key));
      return value ? (unpack(value) as ChatResponse) : undefined;
    },
    async set(key, response, ttlSeconds) {
      await run((redis) => redis.set(prefix + key, pack(response), "EX", ttlSeconds));
    },
    async close() {
      close();
    },
  };
}
