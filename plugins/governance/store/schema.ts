/**
 * The tables, as migrations both stores apply in order (version numbers in
 * `governance_migrations`). SQL that both SQLite and PostgreSQL accept.
 */
export const MIGRATIONS: readonly string[][] = [
  [
    `CREATE TABLE IF NOT EXISTS governance_keys (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      key_hash TEXT NOT NULL UNIQUE,
      key_prefix TEXT NOT NULL,
      team TEXT,
      customer TEXT,
      allowed_models TEXT NOT NULL,
      rate_limit TEXT,
      budget TEXT,
      source TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      updated_at BIGINT NOT NULL,
      revoked_at BIGINT
    )`,
    `CREATE TABLE IF NOT EXISTS governance_groups (
      kind TEXT NOT NULL,
      name TEXT NOT NULL,
      rate_limit TEXT,
      budget TEXT,
      PRIMARY KEY (kind, name)
    )`,
    `CREATE TABLE IF NOT EXISTS governance_usage (
      day TEXT NOT NULL,
      key_id TEXT NOT NULL,
      team TEXT,
      customer TEXT,
      model TEXT NOT NULL,
      requests BIGINT NOT NULL,
      prompt_tokens BIGINT NOT NULL,
      completion_tokens BIGINT NOT NULL,
      cost_micros BIGINT NOT NULL,
      PRIMARY KEY (day, key_id, model)
    )`,
    `CREATE INDEX IF NOT EXISTS governance_usage_team ON governance_usage (team, day)`,
    `CREATE INDEX IF NOT EXISTS governance_usage_customer ON governance_usage (customer, day)`,
  ],
  [`ALTER TABLE governance_keys ADD COLUMN mcp_tools TEXT`],
  // The column held a key's first ten characters (a short key whole); it holds a hint now. Config
  // keys get theirs back when seeded; a key made through the admin API keeps only its prefix.
  [
    `UPDATE governance_keys SET key_prefix = CASE WHEN key_prefix LIKE 'sk-sy-%' THEN 'sk-sy-…' ELSE '…' END`,
  ],
  // Usage batches already written, so that one written again after a timeout is not added twice;
  // each write deletes the ids past their keeping time, by `at`.
  [
    `CREATE TABLE IF NOT EXISTS governance_usage_batches (id TEXT PRIMARY KEY, at BIGINT NOT NULL)`,
    `CREATE INDEX IF NOT EXISTS governance_usage_batches_at ON governance_usage_batches (at)`,
  ],
];
