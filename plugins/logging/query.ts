/**
 * `GET /v1/logs` query parameters -> a filter, or the bad parameter and what is wrong with it.
 * Unknown parameters are refused too: a misspelt filter (`?models=`) must not quietly match all.
 */
import type { LogFilter } from "./store.ts";

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

const PARAMS = new Set(["since", "until", "model", "provider", "status", "key", "limit"]);

export type Parsed = { filter: LogFilter } | { param: string; message: string };

/** ISO 8601 or epoch milliseconds -> epoch milliseconds. */
function time(value: string): number | undefined {
  if (/^\d+$/.test(value)) return Number(value);
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

function status(value: string): LogFilter["status"] {
  const cls = /^([1-5])xx$/i.exec(value);
  if (cls) return { from: Number(cls[1]) * 100, to: Number(cls[1]) * 100 + 99 };
  if (/^[1-5]\d\d$/.test(value)) return { from: Number(value), to: Number(value) };
  return undefined;
}

function limit(value: string): number | undefined {
  const n = Number(value);
  return /^\d+$/.test(value) && n >= 1 && n <= MAX_LIMIT ? n : undefined;
}

const bad = (param: string, message: string): Parsed => ({ param, message });

export function parseFilter(params: URLSearchParams): Parsed {
  const filter: LogFilter = { limit: DEFAULT_LIMIT };
  for (const [name, value] of params) {
    if (!PARAMS.has(name)) return bad(name, `Unknown parameter '${name}'.`);
    if (value === "") return bad(name, `'${name}' must not be empty.`);
  }
  for (const name of ["since", "until"] as const) {
    const value = params.get(name);
    if (value === null) continue;
    filter[name] = time(value);
    if (filter[name] === undefined)
      return bad(name, `'${name}' must be an ISO 8601 time or epoch milliseconds.`);
  }
  const s = params.get("status");
  if (s !== null) {
    filter.status = status(s);
    if (!filter.status) return bad("status", "'status' must be a code (429) or a class (5xx).");
  }
  const l = params.get("limit");
  if (l !== null) {
    const n = limit(l);
    if (n === undefined) return bad("limit", `'limit' must be an integer from 1 to ${MAX_LIMIT}.`);
    filter.limit = n;
  }
  const model = params.get("model");
  if (model !== null) filter.model = model;
  const provider = params.get("provider");
  if (provider !== null) filter.provider = provider;
  const key = params.get("key");
  if (key !== null) filter.caller = key;
  return { filter };
}
