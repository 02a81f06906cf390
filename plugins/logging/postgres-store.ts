/**
 * Log records in PostgreSQL (`postgres`), for several instances writing to one table. The URL
 * may carry connection parameters (`?search_path=logs`). Migrations run under an advisory lock,
 * so instances starting together apply each step once.
 */
import postgres from "postgres";
import { migratePostgres } from "../../src/plugins/index.ts";
import { COLUMNS, type LogRecord } from "./record.ts";
import { MIGRATIONS, MIGRATION_SET, selectOf, TABLE, type LogStore } from "./store.ts";

/** One connection writes batches, the others answer `GET /v1/logs` meanwhile. */
const MAX_CONNECTIONS = 4;

/** `BIGINT` comes back as a string (it may not fit a double); epoch ms always do. */
function fromRow(row: postgres.Row): LogRecord {
  return { ...row, ts: Number(row.ts) } as LogRecord;
}

export function createPostgresLogStore(url: string): LogStore {
  const sql = postgres(url, { max: MAX_CONNECTIONS, onnotice: () => {} });
  return {
    migrate: () => migratePostgres(sql, MIGRATION_SET, MIGRATIONS),
    async insert(records) {
      if (records.length === 0) return;
      await sql`INSERT INTO ${sql(TABLE)} ${sql(records, ...COLUMNS)}`;
    },
    async query(filter) {
      const { sql: text, values } = selectOf(filter, (n) => `$${n}`);
      return (await sql.unsafe(text, values)).map(fromRow);
    },
    async prune(before) {
      const result = await sql.unsafe(`DELETE FROM ${TABLE} WHERE ts < $1`, [before]);
      return result.count;
    },
    async close() {
      await sql.end({ timeout: 5 });
    },
  };
}
