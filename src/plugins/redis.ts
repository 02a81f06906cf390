/**
 * A Redis connection (ioredis) as the built-in plugins use it: commands go out pipelined across
 * concurrent requests, fail at once while Redis is away instead of queueing, and each has a
 * deadline (`storage.timeout_ms`). A command that misses it or cannot reach Redis marks Redis
 * down: calls then fail at once until a PING answers again (`dependency.ts`). A connection that
 * drops is an outage too, even when no command was waiting: a Redis that restarted empty is
 * noticed, so a plugin's `onRecover` can carry its state back. Connection errors surface on the
 * calls that fail, not as logs of their own.
 */
import Redis, { ReplyError } from "ioredis";
import { guardDependency, type Dependency } from "./dependency.ts";

export interface RedisConnection {
  readonly redis: Redis;
  /** Runs commands within the deadline; fails at once while Redis is down. */
  run<T>(call: (redis: Redis) => Promise<T>): Promise<T>;
  /** Whether Redis answers, listeners for when it is back, and a way to say it is not. */
  readonly dependency: Pick<Dependency, "up" | "onRecover" | "failed">;
  close(): void;
}

export interface RedisOptions {
  /** Deadline of each command, ms. */
  timeoutMs: number;
  onChange?(up: boolean, cause?: unknown): void;
}

export function connectRedis(url: string, options: RedisOptions): RedisConnection {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    maxRetriesPerRequest: 1,
    connectTimeout: Math.max(options.timeoutMs, 1000),
    commandTimeout: options.timeoutMs,
    // A command left unanswered when the connection dropped is not sent again to the next
    // server (a Redis that restarted): its caller has already been told it failed.
    autoResendUnfulfilledCommands: false,
  });
  redis.on("error", () => {});
  const connected = redis.connect().catch(() => {});
  const dependency = guardDependency({
    name: "redis",
    timeoutMs: options.timeoutMs,
    probe: async () => {
      if (redis.status !== "ready") throw new Error("not connected");
      await redis.ping();
    },
    isServerError: (err) => err instanceof ReplyError,
    ...(options.onChange ? { onChange: options.onChange } : {}),
  });
  let closing = false;
  redis.on("close", () => {
    if (!closing) dependency.failed(new Error("the connection to Redis closed"));
  });
  return {
    redis,
    run: (call) =>
      dependency.run(async () => {
        if (redis.status !== "ready") await connected;
        return call(redis);
      }),
    dependency,
    close() {
      closing = true;
      dependency.close();
      redis.disconnect();
    },
  };
}
