/** Re-exports for adapters: the shared classification table and a record guard. */
export { upstreamError } from "../core/upstream-error.ts";
export { isRecord } from "../dialects/fields.ts";
