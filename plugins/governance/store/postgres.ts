/**
 * The governance store in PostgreSQL (`postgres`), shared by several instances. Migrations run
 * under a transaction-scoped advisory lock, so instances starting together apply each once.
 */
import postgres from "postgres";
import { guardPostgres, migratePostgres } from "../../../src/plugins/index.ts";
import { MIGRATIONS } from "./schema.ts";
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

/** Usage rows per INSERT (nine parameters each, well within PostgreSQL's 65,535). */
const USAGE_ROWS_PER_INSERT = 1000;
import {
  fromRow,
  KEY_COLUMNS,
  patchRow,
  toRow,
  type GovernanceStore,
  type KeyRow,
} from "./types.ts";

export interface PostgresStoreOptions {
  schema?: string;
  /** Deadline of a query on the request path (key lookups); other queries get ten times it. */
  timeoutMs: number;
  onChange?(up: boolean, cause?: unknown): void;
}

export function createPostgresStore(url: string, options: PostgresStoreOptions): GovernanceStore {
  const sql = postgres(url, {
    max: 10,
    onnotice: () => {},
    ...(options.schema ? { connection: { search_path: options.schema } } : {}),
  });
  // A PostgreSQL that stops answering is down within the deadline; calls then fail at once.
  const db = guardPostgres(sql, options);
  const fast = <T>(query: () => Promise<T>) => db.run(query);
  const slow = <T>(query: () => Promise<T>) => db.run(query, options.timeoutMs * 10);
  const cols = KEY_COLUMNS.join(", ");
  const placeholders = KEY_COLUMNS.map((_, i) => `$${i + 1}`).join(", ");
  const values = (row: KeyRow) => KEY_COLUMNS.map((c) => row[c]);
  const one = async (query: Promise<KeyRow[]>) => {
    const [row] = await query;
    return row ? fromRow(row) : undefined;
  };

  return {
    migrate: () => migratePostgres(sql, "governance", MIGRATIONS),
    async seedKeys(keys) {
      for (const k of keys) {
        await sql.unsafe(
          `INSERT INTO governance_keys (${cols}) VALUES (${placeholders}) ${SEED_KEY_CONFLICT}`,
          values(toRow(k)) as never[],
        );
      }
    },
    async seedGroups(groups) {
      for (const g of groups) {
        const rate = g.rateLimit && JSON.stringify(g.rateLimit);
        const budget = g.budget && JSON.stringify(g.budget);
        await sql`INSERT INTO governance_groups (kind, name, rate_limit, budget)
          VALUES (${g.kind}, ${g.name}, ${rate}, ${budget})
          ON CONFLICT (kind, name) DO UPDATE SET rate_limit = excluded.rate_limit, budget = excluded.budget`;
      }
    },
    async groups() {
      return (await slow(() => sql`SELECT * FROM governance_groups`)).map((r) => groupFromRow(r));
    },
    keyByHash: (hash) =>
      fast(() => one(sql<KeyRow[]>`SELECT * FROM governance_keys WHERE key_hash = ${hash}`)),
    keyById: (id) => slow(() => one(sql<KeyRow[]>`SELECT * FROM governance_keys WHERE id = ${id}`)),
    async listKeys() {
      const rows = await slow(
        () => sql<KeyRow[]>`SELECT * FROM governance_keys ORDER BY created_at`,
      );
      return rows.map(fromRow);
    },
    async insertKey(key) {
      await slow(() =>
        sql.unsafe(
          `INSERT INTO governance_keys (${cols}) VALUES (${placeholders})`,
          values(toRow(key)) as never[],
        ),
      );
    },
    async updateKey(id, patch, at) {
      const row = { ...patchRow(patch), updated_at: at };
      const names = Object.keys(row);
      const set = names.map((c, i) => `${c} = $${i + 1}`).join(", ");
      const args = [...names.map((c) => row[c as keyof typeof row]), id];
      await slow(() =>
        sql.unsafe(
          `UPDATE governance_keys SET ${set} WHERE id = $${names.length + 1}`,
          args as never[],
        ),
      );
      return this.keyById(id);
    },
    async addUsage(rows, batch) {
      // One transaction per batch, applied once: a batch whose first write timed out but landed is
      // not added again when it is written again.
      await slow(() =>
        sql.begin(async (tx) => {
          const [fresh] = await tx`INSERT INTO governance_usage_batches (id, at)
            VALUES (${batch.id}, ${batch.at}) ON CONFLICT (id) DO NOTHING RETURNING id`;
          if (!fresh) return;
          // A batch's rows are one per day, key and model: a statement per USAGE_ROWS_PER_INSERT.
          for (let at = 0; at < rows.length; at += USAGE_ROWS_PER_INSERT) {
            const part = rows.slice(at, at + USAGE_ROWS_PER_INSERT);
            const tuples = part.map(
              (_, i) => `(${Array.from({ length: 9 }, (_, j) => `$${i * 9 + j + 1}`).join(", ")})`,
            );
            await tx.unsafe(
              `INSERT INTO governance_usage (${USAGE_COLUMNS}) VALUES ${tuples.join(", ")} ${USAGE_CONFLICT}`,
              part.flatMap(usageValues) as never[],
            );
          }
          await tx`DELETE FROM governance_usage_batches WHERE at < ${batch.at - BATCH_IDS_KEPT_MS}`;
        }),
      );
    },
    async usage(filter) {
      const { sql: where, values: args } = usageWhere(filter, (n) => `$${n}`);
      const rows = await slow(() =>
        sql.unsafe(
          `SELECT * FROM governance_usage ${where} ORDER BY day, key_id, model`,
          args as never[],
        ),
      );
      return rows.map((r) => usageFromRow(r));
    },
    async close() {
      db.close();
      await sql.end({ timeout: 5 });
    },
  };
}
