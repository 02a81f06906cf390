/**
 * Log records in SQLite (`bun:sqlite`, WAL), the embedded default for a single instance. Writes
 * are synchronous in `bun:sqlite`, so they run in batches (one transaction each) and a lock held
 * by another process is waited for briefly, not for seconds: the event loop serves requests too.
 */
import { Database, type SQLQueryBindings } from "bun:sqlite";
import { migrateSqlite } from "../../src/plugins/index.ts";
import { COLUMNS, type LogRecord } from "./record.ts";
import { MIGRATIONS, MIGRATION_SET, recordKey, selectOf, TABLE, type LogStore } from "./store.ts";

/** How long a write waits for another process's lock before it fails (and is tried again). */
const BUSY_TIMEOUT_MS = 250;
/** Rows deleted per statement when pruning, with a turn of the event loop between. */
const PRUNE_CHUNK = 5000;

type Row = Record<(typeof COLUMNS)[number], SQLQueryBindings>;

function fromRow(row: Row): LogRecord {
  return { ...row, stream: row.stream === 1, fallback_used: row.fallback_used === 1 } as LogRecord;
}

export function createSqliteLogStore(path: string): LogStore {
  const db = new Database(path, { create: true });
  db.exec(`PRAGMA journal_mode = WAL; PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS};`);
  const placeholders = COLUMNS.map(() => "?").join(", ");
  const insertSql = `INSERT INTO ${TABLE} (${COLUMNS.join(", ")}) VALUES (${placeholders})`;
  const values = (r: LogRecord): SQLQueryBindings[] =>
    COLUMNS.map((c) => {
      const v = r[c];
      return typeof v === "boolean" ? Number(v) : v;
    });

  return {
    async migrate() {
      migrateSqlite(db, MIGRATION_SET, MIGRATIONS);
    },
    async insert(records) {
      const stmt = db.query(insertSql);
      db.transaction(() => {
        for (const r of records) stmt.run(...values(r));
      })();
    },
    async known(records) {
      const found = new Set<string>();
      const stmt = db.query<{ id: string; ts: number }, [string, number]>(
        `SELECT id, ts FROM ${TABLE} WHERE id = ? AND ts = ?`,
      );
      for (const r of records) for (const row of stmt.all(r.id, r.ts)) found.add(recordKey(row));
      return found;
    },
    async query(filter) {
      const { sql, values } = selectOf(filter, () => "?");
      return db
        .query<Row, SQLQueryBindings[]>(sql)
        .all(...values)
        .map(fromRow);
    },
    async prune(before) {
      const stmt = db.query(
        `DELETE FROM ${TABLE} WHERE rowid IN (SELECT rowid FROM ${TABLE} WHERE ts < ? LIMIT ${PRUNE_CHUNK})`,
      );
      let total = 0;
      for (;;) {
        const { changes } = stmt.run(before);
        total += changes;
        if (changes < PRUNE_CHUNK) return total;
        await Bun.sleep(0);
      }
    },
    async close() {
      db.close();
    },
  };
}
