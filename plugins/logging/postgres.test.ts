/**
 * The logging plugin on the machine's real PostgreSQL, in a schema of this run's own (dropped
 * afterwards): the shared behaviours, migrations racing, and two gateways sharing one table.
 */
import { describe, expect, it } from "bun:test";
import { pluginHarness } from "../../src/plugins/testing.ts";
import { PG_URL, useTestSchema } from "../../test/helpers/postgres-schema.ts";
import logging from "./index.ts";
import { createPostgresLogStore } from "./postgres-store.ts";
import { MIGRATIONS, TABLE } from "./store.ts";
import { ask, logs, OPERATOR, runLoggingSuite, tag } from "./suite.ts";

const schema = useTestSchema("sy_logs");

runLoggingSuite("PostgreSQL", () => ({ postgres_url: schema.url }));

describe("logging on a shared PostgreSQL", () => {
  it("lets two instances migrate one fresh schema at the same time", async () => {
    const name = `${schema.name}_race`;
    await schema.sql.unsafe(`CREATE SCHEMA ${name}`);
    try {
      const url = `${PG_URL}?search_path=${name}`;
      const stores = [createPostgresLogStore(url, 1000), createPostgresLogStore(url, 1000)];
      await Promise.all(stores.map((s) => s.migrate()));
      await stores[0]!.migrate(); // a restart finds nothing left to do
      await Promise.all(stores.map((s) => s.close()));
      const versions = await schema.sql.unsafe(
        `SELECT version FROM ${name}.switchyard_log_migrations ORDER BY version`,
      );
      expect(versions.map((r) => Number(r.version))).toEqual(MIGRATIONS.map((_, i) => i + 1));
      const indexes = await schema.sql.unsafe(
        `SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = $2`,
        [name, TABLE],
      );
      expect(indexes.map((r) => String(r.indexname)).sort()).toEqual(
        ["caller", "model", "requested_model", "status", "ts"].map((s) => `${TABLE}_${s}`),
      );
    } finally {
      await schema.sql.unsafe(`DROP SCHEMA ${name} CASCADE`);
    }
  });

  it("shows each gateway the records the other wrote", async () => {
    const storage = { postgres_url: schema.url };
    const [a, b] = await Promise.all([
      pluginHarness(logging, { admin: OPERATOR, storage }),
      pluginHarness(logging, { admin: OPERATOR, storage }),
    ]);
    const model = tag("shared");
    await a.chat(ask(model, "from a"));
    await b.chat(ask(model, "from b"));
    await b.close(); // b's record is written at its shutdown
    expect((await logs(a, `?model=${model}`)).length).toBe(2);
    await a.close();
  });
});
