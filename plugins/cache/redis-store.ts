/**
 * Cached responses in Redis (ioredis), shared by every instance pointing at the same server:
 * msgpackr-encoded values under `<prefix><key>` with Redis's own expiry (`SET ... EX`).
 * Commands fail fast instead of queueing while Redis is away; the plugin treats a failure as a
 * miss.
 */
import Redis from "ioredis";
import { pack, unpack } from "msgpackr";
import type { ChatResponse } from "../../src/plugins/index.ts";
import type { CacheStore } from "./store.ts";

export function createRedisStore(url: string, prefix: string): CacheStore {
  const redis = new Redis(url, {
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
  });
  // Connection errors surface on the commands; without a listener ioredis would print them.
  redis.on("error", () => {});
  return {
    async get(key) {
      const value = await redis.getBuffer(prefix + key);
      return value ? (unpack(value) as ChatResponse) : undefined;
    },
    async set(key, response, ttlSeconds) {
      await redis.set(prefix + key, pack(response), "EX", ttlSeconds);
    },
    async close() {
      redis.disconnect();
    },
  };
}
