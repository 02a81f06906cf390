/**
 * Log records in PostgreSQL (`postgres`), for several instances writing to one place. Migrations
 * run under a transaction-scoped advisory lock, so instances starting together apply each once.
 */
import postgres from "postgres";
import { COLUMNS, type LogRecord } from "./record.ts";
import { MIGRATIONS, TABLE, whereOf, type LogStore } from "./store.ts";

const MIGRATION_LOCK = 0x5357_4c01; // "SWL" + 1

export function createPostgresLogStore(url: string): LogStore {
  const sql = postgres(url, { max: 4, onnotice: () => {} });
  return {
    async migrate() {
      await sql.begin(async (tx) => {
        await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`;
        await tx`CREATE TABLE IF NOT EXISTS switchyard_log_migrations (version INTEGER PRIMARY KEY)`;
        const done = new Set(
          (await tx`SELECT version FROM switchyard_log_migrations`).map((r) => Number(r.version)),
        );
        for (const [i, steps] of MIGRATIONS.entries()) {
          if (done.has(i + 1)) continue;
          for (const step of steps) await tx.unsafe(step);
          await tx`INSERT INTO switchyard_log_migrations (version) VALUES (${i + 1})`;
        }
      });
    },
    async insert(records) {
      if (records.length === 0) return;
      const rows = records.map((r) => Object.fromEntries(COLUMNS.map((c) => [c, r[c]])));
      await sql`INSERT INTO ${sql(TABLE)} ${sql(rows as never, ...COLUMNS)}`;
    },
    async query(filter) {
      const { sql: where, values } = whereOf(filter, (n) => `$${n}`);
      const rows = await sql.unsafe(
        `SELECT * FROM ${TABLE} ${where} ORDER BY ts DESC LIMIT ${filter.limit}`,
        values,
      );
      return rows.map((r) => ({ ...r, ts: Number(r.ts) }) as unknown as LogRecord);
    },
    async close() {
      await sql.end({ timeout: 5 });
    },
  };
}
