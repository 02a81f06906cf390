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
    lazyConnect: true,
    enableOfflineQueue: false,
    // Commands issued in the same tick (concurrent requests) go out in one write.
    enableAutoPipelining: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
  });
  // Connection errors surface on the commands; without a listener ioredis would print them.
  redis.on("error", () => {});
  // Commands wait for the first connection; after that, while Redis is away, they fail at once.
  const connected = redis.connect().catch(() => {});
  const ready = async () => {
    if (redis.status !== "ready") await connected;
  };
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
      redis.disconnect();
    },
  };
}
