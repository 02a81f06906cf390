/**
 * Log records in PostgreSQL (`postgres`), for several instances writing to one table. The URL
 * may carry connection parameters (`?search_path=logs`). Migrations run under an advisory lock,
 * so instances starting together apply each step once.
 */
import postgres from "postgres";
import { guardPostgres, migratePostgres } from "../../src/plugins/index.ts";
import { COLUMNS, type LogRecord } from "./record.ts";
import { MIGRATIONS, MIGRATION_SET, recordKey, selectOf, TABLE, type LogStore } from "./store.ts";

/** One connection writes batches, the others answer `GET /v1/logs` meanwhile. */
const MAX_CONNECTIONS = 4;

/** `BIGINT` comes back as a string (it may not fit a double); epoch ms always do. */
function fromRow(row: postgres.Row): LogRecord {
  return { ...row, ts: Number(row.ts) } as LogRecord;
}

export function createPostgresLogStore(url: string, timeoutMs: number): LogStore {
  const sql = postgres(url, { max: MAX_CONNECTIONS, onnotice: () => {} });
  // Off the request path: each call may take ten times the storage deadline; a PostgreSQL that
  // stops answering is down after that, and calls fail at once until it answers again.
  const db = guardPostgres(sql, { timeoutMs: timeoutMs * 10 });
  return {
    migrate: () => migratePostgres(sql, MIGRATION_SET, MIGRATIONS),
    async insert(records) {
      if (records.length === 0) return;
      await db.run(() => sql`INSERT INTO ${sql(TABLE)} ${sql(records, ...COLUMNS)}`);
    },
    async known(records) {
      const ids = records.map((r) => r.id);
      // `ts` is indexed (`id` is not): the lookup reads a few rows, not the table.
      const times = [...new Set(records.map((r) => r.ts))];
      const rows = await db.run(
        () =>
          sql<
            { id: string; ts: string }[]
          >`SELECT id, ts FROM ${sql(TABLE)} WHERE ts IN ${sql(times)} AND id IN ${sql(ids)}`,
      );
      return new Set(rows.map((row) => recordKey({ id: row.id, ts: Number(row.ts) })));
    },
    async query(filter) {
      const { sql: text, values } = selectOf(filter, (n) => `$${n}`);
      return (await db.run(() => sql.unsafe(text, values))).map(fromRow);
    },
    async prune(before) {
      const result = await db.run(() => sql.unsafe(`DELETE FROM ${TABLE} WHERE ts < $1`, [before]));
      return result.count;
    },
    async close() {
      db.close();
      await sql.end({ timeout: 5 });
    },
  };
}
