/** Log records in SQLite (`bun:sqlite`, WAL), the embedded default. */
import { Database } from "bun:sqlite";
import { migrateSqlite } from "../../src/plugins/index.ts";
import { COLUMNS, type LogRecord } from "./record.ts";
import { MIGRATIONS, TABLE, whereOf, type LogStore } from "./store.ts";

export function createSqliteLogStore(path: string): LogStore {
  const db = new Database(path, { create: true });
  db.exec("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000;");
  const insert = () =>
    db.query(
      `INSERT INTO ${TABLE} (${COLUMNS.join(", ")}) VALUES (${COLUMNS.map(() => "?").join(", ")})`,
    );
  return {
    async migrate() {
      migrateSqlite(db, "switchyard_log", MIGRATIONS);
    },
    async insert(records) {
      const stmt = insert();
      db.transaction(() => {
        for (const r of records) {
          stmt.run(
            ...(COLUMNS.map((c) => (typeof r[c] === "boolean" ? (r[c] ? 1 : 0) : r[c])) as never[]),
          );
        }
      })();
    },
    async query(filter) {
      const { sql, values } = whereOf(filter, () => "?");
      const rows = db
        .query(`SELECT * FROM ${TABLE} ${sql} ORDER BY ts DESC LIMIT ${filter.limit}`)
        .all(...(values as never[])) as Record<string, unknown>[];
      return rows.map(
        (r) =>
          ({
            ...r,
            stream: r.stream === 1,
            fallback_used: r.fallback_used === 1,
          }) as unknown as LogRecord,
      );
    },
    async close() {
      db.close();
    },
  };
}
