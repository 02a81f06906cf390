/**
 * A Redis connection (ioredis) as the built-in plugins use it: commands fail at once while
 * Redis is away instead of queueing (so a dead Redis never makes a request hang), commands of
 * concurrent requests go out pipelined, and the first commands wait for the first connection.
 * Connection errors surface on the commands that fail, not as logs of their own.
 */
import Redis from "ioredis";

export interface RedisConnection {
  readonly redis: Redis;
  /** Resolves once the first connection attempt has ended; call before each command. */
  ready(): Promise<void>;
  close(): void;
}

export function connectRedis(url: string): RedisConnection {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
  });
  redis.on("error", () => {});
  const connected = redis.connect().catch(() => {});
  return {
    redis,
    async ready() {
      if (redis.status !== "ready") await connected;
    },
    close: () => redis.disconnect(),
  };
}
