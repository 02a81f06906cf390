/**
 * Cached responses in Redis (ioredis), shared by every instance pointing at the same server:
 * msgpackr-encoded values under `<prefix><key>` with Redis's own expiry (`SET ... EX`).
 * Commands fail fast instead of queueing while Redis is away; the plugin treats a failure as a
 * miss.
 */
import { pack, unpack } from "msgpackr";
import { connectRedis, type ChatResponse } from "../../src/plugins/index.ts";
import type { CacheStore } from "./store.ts";

export function createRedisStore(url: string, prefix: string): CacheStore {
  const { redis, ready, close } = connectRedis(url);
  return {
    async get(key) {
      await ready();
      const value = await redis.getBuffer(prefix + key);
      return value ? (unpack(value) as ChatResponse) : undefined;
    },
    async set(key, response, ttlSeconds) {
      await ready();
      await redis.set(prefix + key, pack(response), "EX", ttlSeconds);
    },
    async close() {
      close();
    },
  };
}
