/**
 * The governance store in PostgreSQL (`postgres`), shared by several instances. Migrations run
 * under a transaction-scoped advisory lock, so instances starting together apply each once.
 */
import postgres from "postgres";
import { migratePostgres } from "../../../src/plugins/index.ts";
import { MIGRATIONS } from "./schema.ts";
import { groupFromRow, usageFromRow, usageWhere } from "./sql.ts";
import {
  fromRow,
  KEY_COLUMNS,
  patchRow,
  toRow,
  type GovernanceStore,
  type KeyRow,
} from "./types.ts";

export function createPostgresStore(
  url: string,
  options: { schema?: string } = {},
): GovernanceStore {
  const sql = postgres(url, {
    max: 10,
    onnotice: () => {},
    ...(options.schema ? { connection: { search_path: options.schema } } : {}),
  });
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
          `INSERT INTO governance_keys (${cols}) VALUES (${placeholders})
           ON CONFLICT (key_hash) DO UPDATE SET name = excluded.name, team = excluded.team,
             customer = excluded.customer, allowed_models = excluded.allowed_models,
             rate_limit = excluded.rate_limit, budget = excluded.budget, mcp_tools = excluded.mcp_tools,
           key_prefix = excluded.key_prefix, updated_at = excluded.updated_at`,
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
      return (await sql`SELECT * FROM governance_groups`).map((r) => groupFromRow(r));
    },
    keyByHash: (hash) => one(sql<KeyRow[]>`SELECT * FROM governance_keys WHERE key_hash = ${hash}`),
    keyById: (id) => one(sql<KeyRow[]>`SELECT * FROM governance_keys WHERE id = ${id}`),
    async listKeys() {
      return (await sql<KeyRow[]>`SELECT * FROM governance_keys ORDER BY created_at`).map(fromRow);
    },
    async insertKey(key) {
      await sql.unsafe(
        `INSERT INTO governance_keys (${cols}) VALUES (${placeholders})`,
        values(toRow(key)) as never[],
      );
    },
    async updateKey(id, patch, at) {
      const row = { ...patchRow(patch), updated_at: at };
      const names = Object.keys(row);
      const set = names.map((c, i) => `${c} = $${i + 1}`).join(", ");
      const args = [...names.map((c) => row[c as keyof typeof row]), id];
      await sql.unsafe(
        `UPDATE governance_keys SET ${set} WHERE id = $${names.length + 1}`,
        args as never[],
      );
      return this.keyById(id);
    },
    async addUsage(rows) {
      for (const r of rows) {
        await sql`INSERT INTO governance_usage
            (day, key_id, team, customer, model, requests, prompt_tokens, completion_tokens, cost_micros)
          VALUES (${r.day}, ${r.keyId}, ${r.team}, ${r.customer}, ${r.model}, ${r.requests},
            ${r.promptTokens}, ${r.completionTokens}, ${r.costMicros})
          ON CONFLICT (day, key_id, model) DO UPDATE SET
            requests = governance_usage.requests + excluded.requests,
            prompt_tokens = governance_usage.prompt_tokens + excluded.prompt_tokens,
            completion_tokens = governance_usage.completion_tokens + excluded.completion_tokens,
            cost_micros = governance_usage.cost_micros + excluded.cost_micros,
            team = excluded.team, customer = excluded.customer`;
      }
    },
    async usage(filter) {
      const { sql: where, values: args } = usageWhere(filter, (n) => `$${n}`);
      const rows = await sql.unsafe(
        `SELECT * FROM governance_usage ${where} ORDER BY day, key_id, model`,
        args as never[],
      );
      return rows.map((r) => usageFromRow(r));
    },
    async close() {
      await sql.end({ timeout: 5 });
    },
  };
}
