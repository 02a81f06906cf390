/**
 * Records go to the store in batches, never on the request path: `add()` only buffers.
 *
 *   add() ──▶ [ queue ........ ] ──splice batch_size──▶ [ in flight ] ──insert──▶ store
 *             └──────── at most buffer_size records, waiting or in flight ────────┘
 *
 * One batch is in flight at a time. A batch is written every `intervalMs`, or as soon as
 * `batchSize` records wait (on a later turn of the event loop, so the request's other post-hooks
 * have run). A failed batch is tried once more, then dropped. A record that finds the buffer
 * full is dropped: a slow database never slows requests or grows memory, and every drop is
 * counted (`onDropped`) so nothing is lost without a trace.
 *
 * Durable (with a `journal`): each record taken is journaled before `add()` returns, and a batch
 * the store refuses is never dropped: it is tried again (every RETRY_DELAY_MS, growing to
 * MAX_RETRY_DELAY_MS) until the store takes it; records still unwritten at shutdown stay in the
 * journal for the next start. The buffer stays bounded: past it, records are dropped and counted.
 */
import { throttle, type Logger } from "../../src/plugins/index.ts";
import type { Journal } from "./journal.ts";
import type { LogRecord } from "./record.ts";
import type { LogStore } from "./store.ts";

/** Tries per batch: the first, and one more after `RETRY_DELAY_MS`. */
const ATTEMPTS = 2;
const RETRY_DELAY_MS = 100;
const MAX_RETRY_DELAY_MS = 1000;
const JOURNAL_WARN_EVERY_MS = 10_000;

export type DropReason = "buffer_full" | "write_failed" | "shutdown";

export interface WriterOptions {
  batchSize: number;
  intervalMs: number;
  /** Records waiting or in flight, at most. */
  bufferSize: number;
  onWritten(n: number): void;
  /** A write attempt failed (it may be tried again). */
  onWriteFailed(): void;
  onDropped(n: number, reason: DropReason): void;
  /** Durable mode: where records are journaled until the store has them. */
  journal?: Journal;
  /** A record the journal could not take (kept in memory only). */
  onJournalFailed?(): void;
}

export interface LogWriter {
  /** Buffers `record`; `late()` runs just before it is written. Never waits. */
  add(record: LogRecord, late: () => void): void;
  /** Resolves when every record added before the call is written (or dropped). */
  flush(): Promise<void>;
  /** Writes what is buffered, waiting `timeoutMs` at most (the rest is counted as dropped). */
  close(timeoutMs: number): Promise<void>;
}

interface Pending {
  record: LogRecord;
  late: () => void;
  /** The journal segment holding it (durable mode). */
  segment?: number;
}

export function createWriter(store: LogStore, options: WriterOptions, logger: Logger): LogWriter {
  const queue: Pending[] = [];
  const waiters: { upTo: number; resolve: () => void }[] = [];
  let inFlight = 0;
  /** Records taken in, ever, and how many of them are written or dropped: for `flush()`. */
  let accepted = 0;
  let settled = 0;
  let draining: Promise<void> | undefined;
  let soon: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  const sayJournalFailed = throttle(JOURNAL_WARN_EVERY_MS);
  const timer = setInterval(() => void drain(), options.intervalMs);
  timer.unref?.();

  function settle(n: number): void {
    settled += n;
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (waiters[i]!.upTo > settled) continue;
      waiters[i]!.resolve();
      waiters.splice(i, 1);
    }
  }

  const journal = options.journal;
  const forget = (batch: readonly Pending[]) => {
    if (journal) for (const p of batch) if (p.segment !== undefined) journal.settled(p.segment);
  };

  async function write(batch: readonly Pending[]): Promise<void> {
    for (const p of batch) p.late();
    const records = batch.map((p) => p.record);
    let delay = RETRY_DELAY_MS;
    for (let attempt = 1; ; attempt++) {
      try {
        await store.insert(records);
        options.onWritten(records.length);
        forget(batch);
        return;
      } catch (error) {
        options.onWriteFailed();
        if (journal) {
          // Durable: kept (in memory and in the journal) and tried again until the store takes
          // it; at shutdown it stays in the journal for the next start.
          if (closed) return;
          if (attempt === ATTEMPTS)
            logger.warn("logging: the store refuses a batch; it is kept and tried again", {
              records: records.length,
              error,
            });
          await Bun.sleep(delay);
          delay = Math.min(MAX_RETRY_DELAY_MS, delay * 2);
          continue;
        }
        if (attempt >= ATTEMPTS) {
          options.onDropped(records.length, "write_failed");
          logger.warn("logging: a batch could not be written and was dropped", {
            records: records.length,
            error,
          });
          return;
        }
        await Bun.sleep(RETRY_DELAY_MS);
      }
    }
  }

  /** Writes batches until the queue is empty; one loop at a time. */
  async function run(): Promise<void> {
    try {
      while (queue.length > 0) {
        const batch = queue.splice(0, options.batchSize);
        inFlight = batch.length;
        await write(batch);
        inFlight = 0;
        settle(batch.length);
      }
    } finally {
      inFlight = 0;
      draining = undefined;
    }
  }

  function drain(): Promise<void> {
    clearTimeout(soon);
    soon = undefined;
    // `run()` always awaits before its `finally` when the queue is not empty.
    if (draining === undefined && queue.length > 0) draining = run();
    return draining ?? Promise.resolve();
  }

  function flush(): Promise<void> {
    if (settled >= accepted) return Promise.resolve();
    const done = new Promise<void>((resolve) => waiters.push({ upTo: accepted, resolve }));
    void drain();
    return done;
  }

  return {
    add(record, late) {
      if (closed) return options.onDropped(1, "shutdown");
      if (queue.length + inFlight >= options.bufferSize) {
        return options.onDropped(1, "buffer_full");
      }
      const pending: Pending = { record, late };
      if (journal) {
        try {
          pending.segment = journal.append(record);
        } catch (error) {
          // A journal that cannot be written (a full disk) never fails the request: the record
          // is kept in memory as in the default mode, and the failure is said.
          options.onJournalFailed?.();
          if (sayJournalFailed())
            logger.warn("logging: the journal cannot be written; records are kept in memory only", {
              error,
            });
        }
      }
      queue.push(pending);
      accepted++;
      if (queue.length >= options.batchSize && soon === undefined && draining === undefined) {
        soon = setTimeout(() => void drain(), 0);
      }
    },
    flush,
    async close(timeoutMs) {
      closed = true;
      clearInterval(timer);
      let timeout: ReturnType<typeof setTimeout> | undefined;
      const gaveUp = new Promise<boolean>((resolve) => {
        timeout = setTimeout(() => resolve(true), timeoutMs);
      });
      const late = await Promise.race([flush().then(() => false), gaveUp]);
      clearTimeout(timeout);
      if (!late || queue.length === 0) return;
      // The batch in flight settles by itself (written, or dropped when the store closes).
      const left = queue.splice(0).length;
      if (journal) {
        logger.warn(
          "logging: the store did not take the buffered records in time; they stay in the journal for the next start",
          { records: left },
        );
        return;
      }
      options.onDropped(left, "shutdown");
      logger.warn("logging: the store did not take the buffered records in time", {
        records: left,
      });
    },
  };
}
