/**
 * `governance`: virtual keys, rate limits, budgets and cost. Loaded by the gateway from the
 * config's top-level `governance` section, after the leading `telemetry` and `logging` plugins
 * and before every other (see docs/governance.md).
 *
 *   authorize the caller's virtual key (401), and its allowed models handed to the engine
 *             (`ctx.caller.models`), which checks every target against them (403)
 *   preHook   every level's rate limits and budget at once (429), reserving tokens and cost
 *             from an estimate
 *   postHook  the real cost (`x-switchyard-cost-usd`, `ctx.costUsd`), which replaces the
 *             reservation, and a row of usage for the daily roll-up
 *
 * Limits live in Redis when `storage.redis_url` is set (shared, exact across instances), else in
 * memory; keys, teams, customers and usage in PostgreSQL when `storage.postgres_url` is set,
 * else SQLite.
 */
import { definePlugin, type Logger } from "../../src/plugins/index.ts";
import { adminRoutes } from "./admin.ts";
import { GovernanceSchema } from "./config.ts";
import { createDirectory, type KeyDirectory } from "./directory.ts";
import { actualCost, admit, identify, type Admitted, type GuardDeps } from "./guard.ts";
import { keyRecord, weakKey } from "./keys.ts";
import { createMemoryLimiter } from "./limiter/memory.ts";
import { createResilientLimiter } from "./limiter/resilient.ts";
import type { Limiter } from "./limiter/types.ts";
import { createPricing, MICRO, type Pricing } from "./pricing.ts";
import { RecentUsage } from "./recent.ts";
import { createPostgresStore } from "./store/postgres.ts";
import { createSqliteStore } from "./store/sqlite.ts";
import type { GovernanceStore, GroupRecord, KeyRecord } from "./store/types.ts";
import { createUsageWriter, type UsageWriter } from "./usage-writer.ts";

const ADMITTED = "governance.admitted";

let day = { until: 0, name: "" };
/** The UTC day, `YYYY-MM-DD`, worked out at most once a second. */
function today(): string {
  const now = Date.now();
  if (now >= day.until) day = { until: now + 1000, name: new Date(now).toISOString().slice(0, 10) };
  return day.name;
}
const USAGE_FLUSH_MS = 1000;

export default function governancePlugin() {
  let store: GovernanceStore | undefined;
  let limiter: Limiter | undefined;
  let usage: UsageWriter | undefined;
  let guard: GuardDeps | undefined;
  const settling = new Set<Promise<unknown>>();

  return definePlugin({
    name: "governance",
    configSchema: GovernanceSchema,
    async setup(setup) {
      const { config, storage, logger, metrics } = setup;
      config.virtual_keys.forEach((k, i) => {
        const weak = weakKey(k.key);
        if (weak) throw new Error(`governance.virtual_keys[${i}].key ${weak}`);
      });
      store = storage.postgres_url
        ? createPostgresStore(storage.postgres_url, { timeoutMs: storage.timeout_ms })
        : createSqliteStore(storage.sqlite_path);
      await store.migrate();
      const now = Date.now();
      await store.seedKeys(config.virtual_keys.map((k) => configKey(k, now)));
      const groups: GroupRecord[] = [
        ...config.teams.map((t) => ({
          kind: "team" as const,
          name: t.name,
          rateLimit: t.rate_limit ?? null,
          budget: t.budget ?? null,
        })),
        ...config.customers.map((c) => ({
          kind: "customer" as const,
          name: c.name,
          rateLimit: c.rate_limit ?? null,
          budget: c.budget ?? null,
        })),
      ];
      await store.seedGroups(groups);
      const byName = new Map((await store.groups()).map((g) => [`${g.kind}:${g.name}`, g]));
      const redisErrors = metrics.counter({
        name: "switchyard_governance_redis_errors_total",
        help: "Redis calls of the governance limiter that failed.",
      });
      limiter = storage.redis_url
        ? createResilientLimiter({
            url: storage.redis_url,
            timeoutMs: storage.timeout_ms,
            mode: config.on_redis_error,
            logger,
            countError: () => redisErrors.inc(),
          })
        : createMemoryLimiter();
      usage = createUsageWriter(store, USAGE_FLUSH_MS, logger);
      const pricing = createPricing(config.pricing);
      warnUnpriced(setup.models, pricing, config.unpriced, logger);
      const directory: KeyDirectory = createDirectory(
        store,
        config.key_cache_ms,
        config.on_store_error,
      );
      guard = {
        config,
        directory,
        limiter,
        pricing,
        groups: () => byName,
        recent: new RecentUsage(),
      };
      if (config.admin_key) {
        adminRoutes(setup, {
          adminKey: config.admin_key,
          store,
          directory,
          limiter,
          usage,
          groups: () => byName,
        });
      }
    },
    preHook(ctx, req) {
      const keep = (result: Awaited<ReturnType<typeof admit>>) => {
        if ("error" in result) return { error: result.error };
        ctx.scratch.set(ADMITTED, result.admitted);
        return undefined;
      };
      const result = admit(guard!, ctx, req);
      return result instanceof Promise ? result.then(keep) : keep(result);
    },
    async authorize(ctx) {
      const who = await identify(guard!, ctx);
      if ("error" in who) return { error: who.error };
    },
    postHook(ctx, res, err) {
      const a = ctx.scratch.get(ADMITTED) as Admitted | undefined;
      if (!a) return;
      const actual = actualCost(a, guard!, ctx, res, err);
      const route = ctx.route;
      // Only an answer that ended by itself says how long this key's answers run: one cut at
      // max_tokens (or failed) would teach the history to reserve too little.
      const natural =
        !err && res !== undefined && res.choices.every((c) => c.finish_reason !== "length");
      if (actual.usage && route && ctx.attempts > 0 && natural) {
        const used = actual.usage;
        const perChoice = Math.ceil(used.completion_tokens / a.choices);
        guard!.recent.record(
          a.key.id,
          `${route.provider}/${route.model}`,
          a.estimate,
          used.prompt_tokens,
          perChoice,
        );
      }
      ctx.costUsd = actual.micros / MICRO;
      ctx.setHeader("x-switchyard-cost-usd", ctx.costUsd.toFixed(6));
      // Requests-per-minute limits are charged in full on admission; only tokens and budgets settle.
      if (a.levels.some((l) => l.tpm || l.budget)) {
        const settlement = {
          levels: a.levels,
          reservedTokens: a.tokens,
          reservedMicros: a.micros,
          tokens: actual.tokens,
          costMicros: actual.micros,
        };
        const sync = limiter!.sync;
        if (sync) sync.settle(settlement);
        const done = sync ? undefined : limiter!.settle(settlement);
        if (done) {
          settling.add(done);
          done
            .catch((error: unknown) => ctx.logger.warn("governance: settling failed", { error }))
            .finally(() => settling.delete(done));
        }
      }
      usage!.add({
        day: today(),
        keyId: a.key.id,
        team: a.key.team,
        customer: a.key.customer,
        model: ctx.route ? `${ctx.route.provider}/${ctx.route.model}` : "unknown",
        requests: 1,
        promptTokens: actual.usage?.prompt_tokens ?? 0,
        completionTokens: actual.usage?.completion_tokens ?? 0,
        costMicros: actual.micros,
      });
    },
    async shutdown() {
      await Promise.allSettled([...settling]);
      await usage?.close();
      await limiter?.close();
      await store?.close();
    },
  });
}

/** Names, at start, the configured models no price is known for. */
function warnUnpriced(
  models: readonly string[],
  pricing: Pricing,
  mode: "refuse" | "allow",
  logger: Logger,
): void {
  const unpriced = models.filter((id) => {
    const slash = id.indexOf("/");
    return !pricing.price(id.slice(0, slash), id.slice(slash + 1));
  });
  if (unpriced.length === 0) return;
  logger.warn(
    mode === "refuse"
      ? "governance: no price for these models; keys with a budget are refused them (price them in governance.pricing)"
      : "governance: no price for these models; they cost 0 against budgets (unpriced: allow)",
    { models: unpriced },
  );
}

function configKey(
  k: {
    key: string;
    name: string;
    team?: string;
    customer?: string;
    allowed_models: string[];
    mcp_tools?: string[];
    rate_limit?: KeyRecord["rateLimit"];
    budget?: KeyRecord["budget"];
  },
  now: number,
): KeyRecord {
  const fields = {
    name: k.name,
    team: k.team ?? null,
    customer: k.customer ?? null,
    allowedModels: k.allowed_models,
    mcpTools: k.mcp_tools ?? null,
    rateLimit: k.rate_limit ?? null,
    budget: k.budget ?? null,
  };
  return keyRecord(k.key, "config", fields, now);
}
