/** Where log records go: SQLite (the default) or PostgreSQL, behind one small interface. */
import type { LogRecord } from "./record.ts";

export interface LogFilter {
  /** Epoch milliseconds, inclusive. */
  since?: number;
  until?: number;
  /** Matches the upstream or the requested model. */
  model?: string;
  provider?: string;
  /** An exact status, or a class: 400 to 499 for `4xx`. */
  status?: { from: number; to: number };
  caller?: string;
  limit: number;
}

export interface LogStore {
  migrate(): Promise<void>;
  insert(records: readonly LogRecord[]): Promise<void>;
  /** Newest first. */
  query(filter: LogFilter): Promise<LogRecord[]>;
  close(): Promise<void>;
}

export const TABLE = "switchyard_request_logs";

/** Migrations both stores apply in order; SQL both accept. */
export const MIGRATIONS: readonly string[][] = [
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
];

/** A WHERE clause for `filter`; `param(n)` writes the n-th placeholder (`?` or `$n`). */
export function whereOf(filter: LogFilter, param: (n: number) => string) {
  const clauses: string[] = [];
  const values: (string | number)[] = [];
  const add = (sql: string, ...vs: (string | number)[]) => {
    let out = sql;
    for (const v of vs) {
      values.push(v);
      out = out.replace("?", param(values.length));
    }
    clauses.push(out);
  };
  if (filter.since !== undefined) add("ts >= ?", filter.since);
  if (filter.until !== undefined) add("ts <= ?", filter.until);
  if (filter.model !== undefined)
    add("(model = ? OR requested_model = ?)", filter.model, filter.model);
  if (filter.provider !== undefined) add("provider = ?", filter.provider);
  if (filter.status !== undefined)
    add("status BETWEEN ? AND ?", filter.status.from, filter.status.to);
  if (filter.caller !== undefined) add("caller = ?", filter.caller);
  return { sql: clauses.length ? `WHERE ${clauses.join(" AND ")}` : "", values };
}
