/** Row mapping and filters both SQL stores share. */
import { whereClause } from "../../../src/plugins/index.ts";
import type { Budget, RateLimit } from "../config.ts";
import type { GroupRecord, UsageFilter, UsageRow } from "./types.ts";

/** How long a written usage batch's id is kept, to recognise the same batch written again. */
export const BATCH_IDS_KEPT_MS = 86_400_000;

/** A config key seeded again: its settings from the file, its revocation and id kept. */
export const SEED_KEY_CONFLICT = `ON CONFLICT (key_hash) DO UPDATE SET name = excluded.name,
  team = excluded.team, customer = excluded.customer, allowed_models = excluded.allowed_models,
  rate_limit = excluded.rate_limit, budget = excluded.budget, mcp_tools = excluded.mcp_tools,
  key_prefix = excluded.key_prefix, updated_at = excluded.updated_at`;

/** `governance_usage`'s columns, in the order `usageValues` gives them. */
export const USAGE_COLUMNS =
  "day, key_id, team, customer, model, requests, prompt_tokens, completion_tokens, cost_micros";

/** Usage rows are increments: a day's row already there is added to. */
export const USAGE_CONFLICT = `ON CONFLICT (day, key_id, model) DO UPDATE SET
  requests = governance_usage.requests + excluded.requests,
  prompt_tokens = governance_usage.prompt_tokens + excluded.prompt_tokens,
  completion_tokens = governance_usage.completion_tokens + excluded.completion_tokens,
  cost_micros = governance_usage.cost_micros + excluded.cost_micros,
  team = excluded.team, customer = excluded.customer`;

export function usageValues(r: UsageRow) {
  return [
    r.day,
    r.keyId,
    r.team,
    r.customer,
    r.model,
    r.requests,
    r.promptTokens,
    r.completionTokens,
    r.costMicros,
  ] as const;
}

export function groupFromRow(r: Record<string, unknown>): GroupRecord {
  return {
    kind: r.kind === "customer" ? "customer" : "team",
    name: String(r.name),
    rateLimit: r.rate_limit == null ? null : (JSON.parse(String(r.rate_limit)) as RateLimit),
    budget: r.budget == null ? null : (JSON.parse(String(r.budget)) as Budget),
  };
}

export function usageFromRow(r: Record<string, unknown>): UsageRow {
  return {
    day: String(r.day),
    keyId: String(r.key_id),
    team: r.team == null ? null : String(r.team),
    customer: r.customer == null ? null : String(r.customer),
    model: String(r.model),
    requests: Number(r.requests),
    promptTokens: Number(r.prompt_tokens),
    completionTokens: Number(r.completion_tokens),
    costMicros: Number(r.cost_micros),
  };
}

/** A WHERE clause for `filter`; `param(n)` writes the n-th placeholder (`?` or `$n`). */
export function usageWhere(filter: UsageFilter, param: (n: number) => string) {
  const where = whereClause(param);
  if (filter.keyId !== undefined) where.add("key_id = ?", filter.keyId);
  if (filter.team !== undefined) where.add("team = ?", filter.team);
  if (filter.customer !== undefined) where.add("customer = ?", filter.customer);
  if (filter.model !== undefined) where.add("model = ?", filter.model);
  if (filter.since !== undefined) where.add("day >= ?", filter.since);
  if (filter.until !== undefined) where.add("day <= ?", filter.until);
  return where.done();
}
