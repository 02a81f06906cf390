/**
 * Log records in PostgreSQL (`postgres`), for several instances writing to one place.
 */
import postgres from "postgres";
import { migratePostgres } from "../../src/plugins/index.ts";
import { COLUMNS, type LogRecord } from "./record.ts";
import { MIGRATIONS, TABLE, whereOf, type LogStore } from "./store.ts";

export function createPostgresLogStore(url: string): LogStore {
  const sql = postgres(url, { max: 4, onnotice: () => {} });
  return {
    migrate: () => migratePostgres(sql, "switchyard_log", MIGRATIONS),
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
