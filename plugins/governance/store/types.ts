/** What governance keeps: virtual keys (hashed), teams and customers, and usage per day. */
import type { Budget, RateLimit } from "../config.ts";

export interface KeyRecord {
  id: string;
  name: string;
  keyHash: string;
  /** A hint for people to recognise the key (`sk-sy-…AbCd`); never enough to guess it. */
  keyHint: string;
  team: string | null;
  customer: string | null;
  allowedModels: string[];
  /** MCP tool patterns the key may use; null allows all. */
  mcpTools: string[] | null;
  rateLimit: RateLimit | null;
  budget: Budget | null;
  /** `config`: seeded from the config file; `admin`: made through the admin API. */
  source: "config" | "admin";
  createdAt: number;
  updatedAt: number;
  revokedAt: number | null;
}

export type KeyPatch = Partial<
  Pick<
    KeyRecord,
    | "name"
    | "team"
    | "customer"
    | "allowedModels"
    | "mcpTools"
    | "rateLimit"
    | "budget"
    | "keyHash"
    | "keyHint"
    | "revokedAt"
  >
>;

export interface GroupRecord {
  kind: "team" | "customer";
  name: string;
  rateLimit: RateLimit | null;
  budget: Budget | null;
}

/** One row of the daily roll-up: a key's use of a model on a UTC day. */
export interface UsageRow {
  day: string;
  keyId: string;
  team: string | null;
  customer: string | null;
  model: string;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  costMicros: number;
}

export interface UsageBatch {
  id: string;
  /** Epoch ms when it was made. */
  at: number;
}

export interface UsageFilter {
  keyId?: string;
  team?: string;
  customer?: string;
  model?: string;
  /** Inclusive UTC days, `YYYY-MM-DD`. */
  since?: string;
  until?: string;
}

export interface GovernanceStore {
  migrate(): Promise<void>;
  /** Inserts or updates the config file's keys (a key revoked through the API stays revoked). */
  seedKeys(keys: KeyRecord[]): Promise<void>;
  seedGroups(groups: GroupRecord[]): Promise<void>;
  groups(): Promise<GroupRecord[]>;
  keyByHash(hash: string): Promise<KeyRecord | undefined>;
  keyById(id: string): Promise<KeyRecord | undefined>;
  listKeys(): Promise<KeyRecord[]>;
  insertKey(key: KeyRecord): Promise<void>;
  updateKey(id: string, patch: KeyPatch, at: number): Promise<KeyRecord | undefined>;
  /**
   * Adds to the day's counters (rows are increments), as one batch applied at most once: a batch
   * written again with the same id (its first write's outcome was unknown) is not added twice.
   */
  addUsage(rows: UsageRow[], batch: UsageBatch): Promise<void>;
  usage(filter: UsageFilter): Promise<UsageRow[]>;
  close(): Promise<void>;
}

/** The columns of `governance_keys` in order, shared by both stores. */
export const KEY_COLUMNS = [
  "id",
  "name",
  "key_hash",
  "key_prefix",
  "team",
  "customer",
  "allowed_models",
  "mcp_tools",
  "rate_limit",
  "budget",
  "source",
  "created_at",
  "updated_at",
  "revoked_at",
] as const;

export type KeyRow = Record<(typeof KEY_COLUMNS)[number], string | number | null>;

export function toRow(k: KeyRecord): KeyRow {
  return {
    id: k.id,
    name: k.name,
    key_hash: k.keyHash,
    key_prefix: k.keyHint,
    team: k.team,
    customer: k.customer,
    allowed_models: JSON.stringify(k.allowedModels),
    mcp_tools: k.mcpTools ? JSON.stringify(k.mcpTools) : null,
    rate_limit: k.rateLimit ? JSON.stringify(k.rateLimit) : null,
    budget: k.budget ? JSON.stringify(k.budget) : null,
    source: k.source,
    created_at: k.createdAt,
    updated_at: k.updatedAt,
    revoked_at: k.revokedAt,
  };
}

export function fromRow(r: KeyRow): KeyRecord {
  return {
    id: String(r.id),
    name: String(r.name),
    keyHash: String(r.key_hash),
    keyHint: String(r.key_prefix),
    team: r.team === null ? null : String(r.team),
    customer: r.customer === null ? null : String(r.customer),
    allowedModels: JSON.parse(String(r.allowed_models)) as string[],
    mcpTools: r.mcp_tools == null ? null : (JSON.parse(String(r.mcp_tools)) as string[]),
    rateLimit: r.rate_limit === null ? null : (JSON.parse(String(r.rate_limit)) as RateLimit),
    budget: r.budget === null ? null : (JSON.parse(String(r.budget)) as Budget),
    source: r.source === "config" ? "config" : "admin",
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
  };
}

/** The columns a patch changes, as row values. */
export function patchRow(patch: KeyPatch): Partial<KeyRow> {
  const out: Partial<KeyRow> = {};
  if (patch.name !== undefined) out.name = patch.name;
  if (patch.team !== undefined) out.team = patch.team;
  if (patch.customer !== undefined) out.customer = patch.customer;
  if (patch.allowedModels !== undefined) out.allowed_models = JSON.stringify(patch.allowedModels);
  if (patch.mcpTools !== undefined)
    out.mcp_tools = patch.mcpTools ? JSON.stringify(patch.mcpTools) : null;
  if (patch.rateLimit !== undefined)
    out.rate_limit = patch.rateLimit ? JSON.stringify(patch.rateLimit) : null;
  if (patch.budget !== undefined) out.budget = patch.budget ? JSON.stringify(patch.budget) : null;
  if (patch.keyHash !== undefined) out.key_hash = patch.keyHash;
  if (patch.keyHint !== undefined) out.key_prefix = patch.keyHint;
  if (patch.revokedAt !== undefined) out.revoked_at = patch.revokedAt;
  return out;
}
