/** The governance store in SQLite (`bun:sqlite`), the embedded default for one instance. */
import { Database } from "bun:sqlite";
import { migrateSqlite } from "../../../src/plugins/index.ts";
import { MIGRATIONS } from "./schema.ts";
import {
  fromRow,
  KEY_COLUMNS,
  patchRow,
  toRow,
  type GovernanceStore,
  type UsageBatch,
  type GroupRecord,
  type KeyRow,
  type UsageFilter,
  type UsageRow,
} from "./types.ts";
import {
  BATCH_IDS_KEPT_MS,
  groupFromRow,
  SEED_KEY_CONFLICT,
  USAGE_COLUMNS,
  USAGE_CONFLICT,
  usageFromRow,
  usageValues,
  usageWhere,
} from "./sql.ts";

export function createSqliteStore(path: string): GovernanceStore {
  const db = new Database(path, { create: true });
  db.exec("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000;");
  const cols = KEY_COLUMNS.join(", ");
  const params = KEY_COLUMNS.map((c) => `$${c}`).join(", ");
  const bind = (row: Partial<KeyRow>) =>
    Object.fromEntries(Object.entries(row).map(([k, v]) => [`$${k}`, v]));

  return {
    async migrate() {
      migrateSqlite(db, "governance", MIGRATIONS);
    },
    async seedKeys(keys) {
      const upsert = db.query(
        `INSERT INTO governance_keys (${cols}) VALUES (${params}) ${SEED_KEY_CONFLICT}`,
      );
      db.transaction(() => keys.forEach((k) => upsert.run(bind(toRow(k)) as never)))();
    },
    async seedGroups(groups) {
      const upsert = db.query(
        `INSERT INTO governance_groups (kind, name, rate_limit, budget) VALUES (?, ?, ?, ?)
         ON CONFLICT (kind, name) DO UPDATE SET rate_limit = excluded.rate_limit, budget = excluded.budget`,
      );
      db.transaction(() =>
        groups.forEach((g) =>
          upsert.run(
            g.kind,
            g.name,
            g.rateLimit && JSON.stringify(g.rateLimit),
            g.budget && JSON.stringify(g.budget),
          ),
        ),
      )();
    },
    async groups() {
      return (db.query("SELECT * FROM governance_groups").all() as Record<string, unknown>[]).map(
        groupFromRow,
      );
    },
    async keyByHash(hash) {
      const row = db
        .query("SELECT * FROM governance_keys WHERE key_hash = ?")
        .get(hash) as KeyRow | null;
      return row ? fromRow(row) : undefined;
    },
    async keyById(id) {
      const row = db.query("SELECT * FROM governance_keys WHERE id = ?").get(id) as KeyRow | null;
      return row ? fromRow(row) : undefined;
    },
    async listKeys() {
      return (db.query("SELECT * FROM governance_keys ORDER BY created_at").all() as KeyRow[]).map(
        fromRow,
      );
    },
    async insertKey(key) {
      db.query(`INSERT INTO governance_keys (${cols}) VALUES (${params})`).run(
        bind(toRow(key)) as never,
      );
    },
    async updateKey(id, patch, at) {
      const row = { ...patchRow(patch), updated_at: at };
      const set = Object.keys(row)
        .map((c) => `${c} = $${c}`)
        .join(", ");
      db.query(`UPDATE governance_keys SET ${set} WHERE id = $id`).run(
        bind({ ...row, id }) as never,
      );
      return this.keyById(id);
    },
    async addUsage(rows: UsageRow[], batch: UsageBatch) {
      const add = db.query(
        `INSERT INTO governance_usage (${USAGE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ${USAGE_CONFLICT}`,
      );
      const mark = db.query(
        `INSERT INTO governance_usage_batches (id, at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING`,
      );
      db.transaction(() => {
        if (mark.run(batch.id, batch.at).changes === 0) return; // written before
        for (const r of rows) add.run(...usageValues(r));
        db.query(`DELETE FROM governance_usage_batches WHERE at < ?`).run(
          batch.at - BATCH_IDS_KEPT_MS,
        );
      })();
    },
    async usage(filter: UsageFilter) {
      const { sql, values } = usageWhere(filter, () => "?");
      const rows = db
        .query(`SELECT * FROM governance_usage ${sql} ORDER BY day, key_id, model`)
        .all(...(values as never[]));
      return (rows as Record<string, unknown>[]).map(usageFromRow);
    },
    async close() {
      db.close();
    },
  };
}

export type { GroupRecord };
