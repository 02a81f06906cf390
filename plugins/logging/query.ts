/** `GET /v1/logs` query parameters -> a filter, or the name of the bad parameter. */
import type { LogFilter } from "./store.ts";

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

function time(value: string): number | undefined {
  if (/^\d+$/.test(value)) return Number(value);
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

export function parseFilter(
  params: URLSearchParams,
): { filter: LogFilter } | { param: string; message: string } {
  const filter: LogFilter = { limit: DEFAULT_LIMIT };
  for (const name of ["since", "until"] as const) {
    const v = params.get(name);
    if (v === null) continue;
    const ms = time(v);
    if (ms === undefined)
      return { param: name, message: `'${name}' must be an ISO 8601 time or epoch milliseconds.` };
    filter[name] = ms;
  }
  const status = params.get("status");
  if (status !== null) {
    const cls = /^([1-5])xx$/i.exec(status);
    if (cls) filter.status = { from: Number(cls[1]) * 100, to: Number(cls[1]) * 100 + 99 };
    else if (/^\d{3}$/.test(status)) filter.status = { from: Number(status), to: Number(status) };
    else
      return { param: "status", message: "'status' must be a status code (429) or a class (5xx)." };
  }
  const limit = params.get("limit");
  if (limit !== null) {
    const n = Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT) {
      return { param: "limit", message: `'limit' must be an integer from 1 to ${MAX_LIMIT}.` };
    }
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
