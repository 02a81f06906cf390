/**
 * Usage goes to the store in batches, off the request path: rows for the same day, key and
 * model are summed in memory and written every `intervalMs`; `flush()` writes what is pending
 * (the admin API calls it before answering a usage query, shutdown before closing).
 */
import type { Logger } from "../../src/plugins/index.ts";
import type { GovernanceStore, UsageRow } from "./store/types.ts";

export interface UsageWriter {
  add(row: UsageRow): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}

export function createUsageWriter(
  store: GovernanceStore,
  intervalMs: number,
  logger: Logger,
): UsageWriter {
  let pending = new Map<string, UsageRow>();
  let writing: Promise<void> = Promise.resolve();
  const timer = setInterval(() => void flush(), intervalMs);
  timer.unref?.();

  function flush(): Promise<void> {
    if (pending.size === 0) return writing;
    const rows = [...pending.values()];
    pending = new Map();
    writing = writing
      .then(() => store.addUsage(rows))
      .catch((error: unknown) =>
        logger.error("governance: writing usage failed", { rows: rows.length, error }),
      );
    return writing;
  }

  return {
    add(row) {
      const id = `${row.day}\0${row.keyId}\0${row.model}`;
      const sum = pending.get(id);
      if (!sum) {
        pending.set(id, { ...row });
        return;
      }
      sum.requests += row.requests;
      sum.promptTokens += row.promptTokens;
      sum.completionTokens += row.completionTokens;
      sum.costMicros += row.costMicros;
    },
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}
