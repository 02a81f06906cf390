/**
 * Records go to the store in batches, never on the request path: `add()` only buffers. A batch
 * is written every `intervalMs`, or soon after `batchSize` records are waiting (on a later turn
 * of the event loop, so other post-hooks of the request have run). A failed batch is tried once
 * more, then counted as dropped. A full buffer drops the new record and counts it: a slow
 * database never slows requests, and nothing is lost without a trace.
 */
import type { Logger } from "../../src/plugins/index.ts";
import type { LogRecord } from "./record.ts";
import type { LogStore } from "./store.ts";

export interface WriterOptions {
  batchSize: number;
  intervalMs: number;
  bufferSize: number;
  onWritten(n: number): void;
  onDropped(n: number, reason: "buffer_full" | "write_failed"): void;
}

interface Pending {
  record: LogRecord;
  late: () => void;
}

export interface LogWriter {
  add(record: LogRecord, late: () => void): void;
  /** Writes everything buffered so far; resolves when it is in the store. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export function createWriter(store: LogStore, options: WriterOptions, logger: Logger): LogWriter {
  let buffer: Pending[] = [];
  let writing: Promise<void> = Promise.resolve();
  let soon: ReturnType<typeof setTimeout> | undefined;
  const timer = setInterval(() => void flush(), options.intervalMs);
  timer.unref?.();

  async function write(batch: Pending[]): Promise<void> {
    for (const p of batch) p.late();
    const records = batch.map((p) => p.record);
    for (let attempt = 1; ; attempt++) {
      try {
        await store.insert(records);
        options.onWritten(records.length);
        return;
      } catch (error) {
        if (attempt >= 2) {
          options.onDropped(records.length, "write_failed");
          logger.warn("logging: a batch could not be written and was dropped", {
            records: records.length,
            error,
          });
          return;
        }
      }
    }
  }

  function flush(): Promise<void> {
    clearTimeout(soon);
    soon = undefined;
    while (buffer.length > 0) {
      const batch = buffer.splice(0, options.batchSize);
      writing = writing.then(() => write(batch));
    }
    buffer = [];
    return writing;
  }

  return {
    add(record, late) {
      if (buffer.length >= options.bufferSize) {
        options.onDropped(1, "buffer_full");
        return;
      }
      buffer.push({ record, late });
      if (buffer.length >= options.batchSize && soon === undefined)
        soon = setTimeout(() => void flush(), 0);
    },
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}
