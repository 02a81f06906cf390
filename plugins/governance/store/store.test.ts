/**
 * One suite, two stores: SQLite (in memory and in a file) and the real PostgreSQL on this
 * machine, in a schema of its own that is dropped afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PG_URL, useTestSchema } from "../../../test/helpers/postgres-schema.ts";
import { createPostgresStore } from "./postgres.ts";
import { createSqliteStore } from "./sqlite.ts";
import type { GovernanceStore, KeyRecord, UsageRow } from "./types.ts";

const schema = useTestSchema("sy_gov");
const SCHEMA = schema.name;
const admin = schema.sql;

function key(id: string, extra: Partial<KeyRecord> = {}): KeyRecord {
  return {
    id,
    name: id,
    keyHash: `hash-${id}`,
    keyHint: "sk-sy-abcd...",
    team: "a",
    customer: null,
    allowedModels: ["openai/*"],
    mcpTools: null,
    rateLimit: { requests_per_minute: 10 },
    budget: { max_usd: 5, period: "1d" },
    source: "config",
    createdAt: 1,
    updatedAt: 1,
    revokedAt: null,
    ...extra,
  };
}

const usage = (day: string, keyId: string, model: string, cost: number): UsageRow => ({
  day,
  keyId,
  team: "a",
  customer: "acme",
  model,
  requests: 1,
  promptTokens: 10,
  completionTokens: 5,
  costMicros: cost,
});

function suite(name: string, make: () => GovernanceStore) {
  describe(`${name} governance store`, () => {
    let store: GovernanceStore;
    beforeAll(async () => {
      store = make();
      await store.migrate();
      await store.migrate(); // idempotent
    });
    afterAll(() => store.close());

    it("seeds config keys, updates them on the next start, and keeps an API revocation", async () => {
      await store.seedKeys([key("vk_1")]);
      expect((await store.keyByHash("hash-vk_1"))?.rateLimit).toEqual({ requests_per_minute: 10 });
      await store.updateKey("vk_1", { revokedAt: 42 }, 43);
      await store.seedKeys([
        key("vk_1", { rateLimit: { requests_per_minute: 20 }, updatedAt: 50 }),
      ]);
      const again = await store.keyById("vk_1");
      expect(again?.rateLimit).toEqual({ requests_per_minute: 20 });
      expect(again?.revokedAt).toBe(42);
    });

    it("creates, finds, rotates and lists keys", async () => {
      await store.insertKey(key("vk_2", { source: "admin", createdAt: 5 }));
      const rotated = await store.updateKey("vk_2", { keyHash: "hash-new", team: null }, 9);
      expect(rotated?.team).toBeNull();
      expect(await store.keyByHash("hash-vk_2")).toBeUndefined();
      expect((await store.keyByHash("hash-new"))?.id).toBe("vk_2");
      expect((await store.listKeys()).map((k) => k.id)).toContain("vk_2");
      expect(await store.keyById("nope")).toBeUndefined();
    });

    it("adds usage up per day, key and model, applying a batch written twice once", async () => {
      const batch = () => ({ id: crypto.randomUUID(), at: Date.now() });
      await store.addUsage([usage("2026-11-24", "vk_1", "openai/gpt-4o", 100)], batch());
      const again = batch();
      const rows = [
        usage("2026-11-24", "vk_1", "openai/gpt-4o", 50),
        usage("2026-11-25", "vk_1", "openai/gpt-4o", 7),
      ];
      await store.addUsage(rows, again);
      await store.addUsage(rows, again); // its first write's outcome was unknown
      const day = await store.usage({ keyId: "vk_1", since: "2026-11-24", until: "2026-11-24" });
      expect(day).toEqual([
        {
          ...usage("2026-11-24", "vk_1", "openai/gpt-4o", 150),
          requests: 2,
          promptTokens: 20,
          completionTokens: 10,
        },
      ]);
      expect((await store.usage({ customer: "acme" })).length).toBe(2);
      expect(await store.usage({ team: "b" })).toEqual([]);
    });

    it("writes a batch of more rows than one statement takes", async () => {
      const rows = Array.from({ length: 2500 }, (_, i) =>
        usage("2026-11-26", "vk_many", `up/model-${i}`, i),
      );
      await store.addUsage(rows, { id: crypto.randomUUID(), at: Date.now() });
      const written = await store.usage({ keyId: "vk_many" });
      expect(written.length).toBe(2500);
      expect(written.reduce((sum, r) => sum + r.costMicros, 0)).toBe((2499 * 2500) / 2);
    });

    it("stores teams and customers", async () => {
      await store.seedGroups([
        { kind: "team", name: "a", rateLimit: null, budget: { max_usd: 1, period: "1mo" } },
      ]);
      expect(await store.groups()).toEqual([
        { kind: "team", name: "a", rateLimit: null, budget: { max_usd: 1, period: "1mo" } },
      ]);
    });
  });
}

suite("SQLite (memory)", () => createSqliteStore(":memory:"));
suite("SQLite (file)", () =>
  createSqliteStore(join(tmpdir(), `switchyard-gov-${crypto.randomUUID()}.sqlite`)),
);
suite("PostgreSQL", () => createPostgresStore(PG_URL, { schema: SCHEMA, timeoutMs: 5000 }));

describe("PostgreSQL migrations", () => {
  it("succeed when two instances start at once on an empty database", async () => {
    const fresh = `${SCHEMA}_fresh`;
    await admin.unsafe(`CREATE SCHEMA ${fresh}`);
    try {
      const a = createPostgresStore(PG_URL, { schema: fresh, timeoutMs: 5000 });
      const b = createPostgresStore(PG_URL, { schema: fresh, timeoutMs: 5000 });
      await Promise.all([a.migrate(), b.migrate()]);
      await a.insertKey(key("vk_x"));
      expect((await b.keyById("vk_x"))?.name).toBe("vk_x");
      await Promise.all([a.close(), b.close()]);
    } finally {
      await admin.unsafe(`DROP SCHEMA ${fresh} CASCADE`);
    }
  });
});

describe("upgrading a store made by an earlier version", () => {
  it("rewrites the stored key prefixes (a short key's whole text) into hints", async () => {
    const { Database } = await import("bun:sqlite");
    const { migrateSqlite } = await import("../../../src/plugins/index.ts");
    const { MIGRATIONS } = await import("./schema.ts");
    const file = join(tmpdir(), `sy-gov-upgrade-${crypto.randomUUID()}.sqlite`);
    const db = new Database(file, { create: true });
    migrateSqlite(db, "governance", MIGRATIONS.slice(0, 2));
    const insert = db.query(
      `INSERT INTO governance_keys (id, name, key_hash, key_prefix, allowed_models, source, created_at, updated_at)
       VALUES (?, ?, ?, ?, '[]', 'config', 1, 1)`,
    );
    insert.run("vk_old1", "made", "hash-old1", "sk-sy-AbCd...");
    insert.run("vk_old2", "short", "hash-old2", "short-key...");
    db.close();
    const store = createSqliteStore(file);
    await store.migrate();
    const hints = (await store.listKeys()).map((k) => k.keyHint).sort();
    expect(hints).toEqual(["sk-sy-…", "…"].sort());
    await store.close();
  });
});
