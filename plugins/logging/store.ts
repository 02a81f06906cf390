/**
 * Where log records go: SQLite (the default) or PostgreSQL, behind one small interface, with the
 * migrations and the query filter both stores share.
 */
import { whereClause, type Migrations } from "../../src/plugins/index.ts";
import type { LogRecord } from "./record.ts";

export interface LogFilter {
  /** Epoch milliseconds, inclusive. */
  since?: number;
  until?: number;
  /** Matches the upstream or the requested model. */
  model?: string;
  provider?: string;
  /** An exact status (`from === to`), or a class: 500 to 599 for `5xx`. */
  status?: { from: number; to: number };
  /** The `caller` value: a virtual key's id or a key fingerprint. */
  caller?: string;
  limit: number;
}

export interface LogStore {
  /** Makes or updates the table; safe to run from several instances at once. */
  migrate(): Promise<void>;
  insert(records: readonly LogRecord[]): Promise<void>;
  /** Which of these records the store already holds, as `id@ts` (a journal replayed twice). */
  known(records: readonly LogRecord[]): Promise<Set<string>>;
  /** Newest first, at most `filter.limit`. */
  query(filter: LogFilter): Promise<LogRecord[]>;
  /** Deletes records older than `before` (epoch ms); resolves to how many went. */
  prune(before: number): Promise<number>;
  close(): Promise<void>;
}

export const TABLE = "switchyard_request_logs";
/** The version table is `switchyard_log_migrations`. */
export const MIGRATION_SET = "switchyard_log";

/** Applied in order, once each; SQL both stores accept. */
export const MIGRATIONS: Migrations = [
  [
    `CREATE TABLE IF NOT EXISTS ${TABLE} (
      id TEXT NOT NULL,
      ts BIGINT NOT NULL,
      dialect TEXT NOT NULL,
      provider TEXT,
      model TEXT,
      requested_model TEXT NOT NULL,
      status INTEGER NOT NULL,
      error_code TEXT,
      latency_ms DOUBLE PRECISION NOT NULL,
      stream BOOLEAN NOT NULL,
      prompt_tokens INTEGER,
      completion_tokens INTEGER,
      cost_usd DOUBLE PRECISION,
      cache TEXT,
      fallback_used BOOLEAN NOT NULL,
      attempts INTEGER NOT NULL,
      caller TEXT,
      trace_id TEXT,
      request_body TEXT,
      response_body TEXT
    )`,
    `CREATE INDEX IF NOT EXISTS ${TABLE}_ts ON ${TABLE} (ts)`,
    `CREATE INDEX IF NOT EXISTS ${TABLE}_model ON ${TABLE} (model, ts)`,
    `CREATE INDEX IF NOT EXISTS ${TABLE}_status ON ${TABLE} (status, ts)`,
    `CREATE INDEX IF NOT EXISTS ${TABLE}_caller ON ${TABLE} (caller, ts)`,
  ],
  // `?model=` matches the requested model too (an alias, `provider/model`).
  [`CREATE INDEX IF NOT EXISTS ${TABLE}_requested_model ON ${TABLE} (requested_model, ts)`],
];

/** A WHERE clause for `filter`; `param(n)` writes the n-th placeholder (`?` or `$n`). */
export function whereOf(filter: LogFilter, param: (n: number) => string) {
  const where = whereClause<string | number>(param);
  if (filter.since !== undefined) where.add("ts >= ?", filter.since);
  if (filter.until !== undefined) where.add("ts <= ?", filter.until);
  if (filter.model !== undefined)
    where.add("(model = ? OR requested_model = ?)", filter.model, filter.model);
  if (filter.provider !== undefined) where.add("provider = ?", filter.provider);
  if (filter.status !== undefined)
    where.add("status BETWEEN ? AND ?", filter.status.from, filter.status.to);
  if (filter.caller !== undefined) where.add("caller = ?", filter.caller);
  return where.done();
}

/** `SELECT` of the records matching `filter`, newest first (the limit is a checked integer). */
export function selectOf(filter: LogFilter, param: (n: number) => string) {
  const { sql, values } = whereOf(filter, param);
  const limit = Math.trunc(filter.limit);
  return { sql: `SELECT * FROM ${TABLE} ${sql} ORDER BY ts DESC, id DESC LIMIT ${limit}`, values };
}

/** How a record is told apart when a journal is replayed: its request id and arrival time. */
export const recordKey = (r: Pick<LogRecord, "id" | "ts">) => `${r.id}@${r.ts}`;
