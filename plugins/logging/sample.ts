/** A log record for seeding a store or a journal directly (tests, the bench); no test imports. */
import type { LogRecord } from "./record.ts";

/** A record as the store keeps it, for seeding a store directly. */
export function sampleRecord(overrides: Partial<LogRecord> = {}): LogRecord {
  return {
    id: crypto.randomUUID(),
    ts: Date.now(),
    dialect: "openai",
    provider: "mock",
    model: "seeded",
    requested_model: "mock/seeded",
    status: 200,
    error_code: null,
    latency_ms: 1.5,
    stream: false,
    prompt_tokens: 3,
    completion_tokens: 2,
    cost_usd: null,
    cache: null,
    fallback_used: false,
    attempts: 1,
    caller: null,
    trace_id: null,
    request_body: null,
    response_body: null,
    ...overrides,
  };
}
