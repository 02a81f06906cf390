/**
 * `cache`: an exact-match response cache on the normalised request (see `key.ts`).
 *
 * Memory (an LRU bounded by entries and bytes) by default; Redis when `storage.redis_url` is set
 * (or `backend: "redis"`), shared by every instance. Streamed answers are stored as the response
 * they add up to and replayed as a stream. Every answer carries `x-switchyard-cache: hit | miss |
 * bypass`; a request with `x-switchyard-cache-bypass: true` or `cache-control: no-cache` /
 * `no-store` neither reads nor writes the cache. Only complete, successful answers are stored.
 * A store that fails (Redis away) counts as a miss; the request goes on to the provider.
 */
import {
  definePlugin,
  Type,
  type ChatResponse,
  type PluginContext,
} from "../../src/plugins/index.ts";
import { cacheKey } from "./key.ts";
import { createMemoryStore } from "./memory-store.ts";
import { createRedisStore } from "./redis-store.ts";
import type { CacheStore } from "./store.ts";

const HEADER = "x-switchyard-cache";
const BYPASS_HEADER = "x-switchyard-cache-bypass";
const KEY = "cache.key";

const ConfigSchema = Type.Object({
  /** `auto`: Redis when `storage.redis_url` is set, else memory. */
  backend: Type.Union([Type.Literal("auto"), Type.Literal("memory"), Type.Literal("redis")], {
    default: "auto",
  }),
  ttl_seconds: Type.Integer({ minimum: 1, default: 300 }),
  max_entries: Type.Integer({ minimum: 1, default: 10_000 }),
  max_bytes: Type.Integer({ minimum: 1024, default: 64 * 1024 * 1024 }),
  /** Keep each caller's answers apart (by virtual key, or by a hash of the caller's key). */
  per_caller: Type.Boolean({ default: false }),
  key_prefix: Type.String({ default: "switchyard:cache:" }),
});

function bypassed(headers: Headers): boolean {
  if (headers.get(BYPASS_HEADER)?.toLowerCase() === "true") return true;
  const control = headers.get("cache-control")?.toLowerCase() ?? "";
  return control.includes("no-cache") || control.includes("no-store");
}

function scope(ctx: PluginContext<{ per_caller: boolean }>): string {
  if (!ctx.config.per_caller) return "";
  if (ctx.caller.id) return `id:${ctx.caller.id}`;
  const credential = ctx.caller.credential;
  return credential ? `key:${new Bun.CryptoHasher("sha256").update(credential).digest("hex")}` : "";
}

function complete(res: ChatResponse): boolean {
  return res.choices.length > 0 && res.choices.every((c) => c.finish_reason !== null);
}

export default function cachePlugin() {
  let store: CacheStore | undefined;
  let counters: { lookups: (result: string) => void; errors: (op: string) => void } | undefined;
  return definePlugin({
    name: "cache",
    configSchema: ConfigSchema,
    setup({ config, storage, metrics }) {
      const redisUrl = storage.redis_url;
      if (config.backend === "redis" && !redisUrl) {
        throw new Error('backend "redis" needs storage.redis_url');
      }
      store =
        config.backend !== "memory" && redisUrl
          ? createRedisStore(redisUrl, config.key_prefix, storage.timeout_ms)
          : createMemoryStore(config.max_entries, config.max_bytes);
      const lookups = metrics.counter({
        name: "switchyard_cache_lookups_total",
        help: "Cache lookups by result (hit, miss, bypass).",
        labelNames: ["result"],
      });
      const errors = metrics.counter({
        name: "switchyard_cache_errors_total",
        help: "Cache store operations that failed (counted as misses).",
        labelNames: ["op"],
      });
      counters = {
        lookups: (result) => lookups.inc({ result }),
        errors: (op) => errors.inc({ op }),
      };
    },
    async preHook(ctx, req) {
      if (bypassed(ctx.headers)) {
        ctx.setHeader(HEADER, "bypass");
        counters!.lookups("bypass");
        return;
      }
      const key = cacheKey(req, scope(ctx));
      ctx.scratch.set(KEY, key);
      let hit: ChatResponse | undefined;
      try {
        hit = await store!.get(key);
      } catch (err) {
        counters!.errors("get");
        ctx.logger.warn("cache read failed; treated as a miss", { error: err });
      }
      ctx.setHeader(HEADER, hit ? "hit" : "miss");
      counters!.lookups(hit ? "hit" : "miss");
      if (!hit) return;
      ctx.scratch.delete(KEY); // nothing to store afterwards
      return { response: hit };
    },
    postHook(ctx, res, err) {
      const key = ctx.scratch.get(KEY) as string | undefined;
      if (key === undefined || err || !res || !complete(res)) return;
      // Not awaited: a slow store never slows the answer.
      store!.set(key, res, ctx.config.ttl_seconds).catch((error: unknown) => {
        counters!.errors("set");
        ctx.logger.warn("cache write failed", { error });
      });
    },
    async shutdown() {
      await store?.close();
      store = undefined;
    },
  });
}
