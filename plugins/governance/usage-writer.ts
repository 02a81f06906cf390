/**
 * Usage goes to the store in batches, off the request path: rows for the same day, key and
 * model are summed in memory and written every `intervalMs`; `flush()` writes what is pending
 * (the admin API calls it before answering a usage query, shutdown before closing). A batch the
 * store did not take is kept and written again, under the same id, before any newer one (a batch
 * applies at most once, so one that landed despite a timeout is not counted twice); what comes
 * meanwhile goes on being summed.
 */
import { throttle, type Logger } from "../../src/plugins/index.ts";
import type { GovernanceStore, UsageBatch, UsageRow } from "./store/types.ts";

const LOG_EVERY_MS = 10_000;

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
  const sayFailure = throttle(LOG_EVERY_MS);
  const timer = setInterval(() => void flush(), intervalMs);
  timer.unref?.();

  function add(row: UsageRow): void {
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
  }

  /** A batch the store did not take: written again, with the same id, before any other. */
  let unsure: { rows: UsageRow[]; batch: UsageBatch } | undefined;

  async function write(): Promise<void> {
    if (unsure) {
      await store.addUsage(unsure.rows, unsure.batch);
      unsure = undefined;
    }
    if (pending.size === 0) return;
    const rows = [...pending.values()];
    const batch = { id: crypto.randomUUID(), at: Date.now() };
    pending = new Map();
    try {
      await store.addUsage(rows, batch);
    } catch (error) {
      unsure = { rows, batch };
      throw error;
    }
  }

  function flush(): Promise<void> {
    if (pending.size === 0 && !unsure) return writing;
    writing = writing.then(write).catch((error: unknown) => {
      if (sayFailure())
        logger.error("governance: writing usage failed; it is kept and written again", { error });
    });
    return writing;
  }

  return {
    add,
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}
