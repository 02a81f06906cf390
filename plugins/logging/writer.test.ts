/** The batching writer on its own, with a store the test controls. */
import { describe, expect, it } from "bun:test";
import { silentLogger } from "../../src/observability/logger.ts";
import type { LogRecord } from "./record.ts";
import type { LogStore } from "./store.ts";
import { sampleRecord } from "./sample.ts";
import { openJournal } from "./journal.ts";
import { createWriter, type DropReason } from "./writer.ts";

/** A store that keeps what it is given; each insert waits for the test to let it through. */
function heldStore() {
  const written: LogRecord[] = [];
  const held: (() => void)[] = [];
  const store: LogStore = {
    migrate: async () => {},
    async insert(records) {
      await new Promise<void>((resolve) => held.push(resolve));
      written.push(...records);
    },
    query: async () => [],
    known: async () => new Set(),
    prune: async () => 0,
    close: async () => {},
  };
  const release = async () => {
    while (held.length === 0) await Bun.sleep(1);
    held.shift()!();
  };
  return { store, written, release };
}

function counting() {
  const dropped: Partial<Record<DropReason, number>> = {};
  return {
    dropped,
    onWritten: () => {},
    onWriteFailed: () => {},
    onDropped: (n: number, reason: DropReason) =>
      void (dropped[reason] = (dropped[reason] ?? 0) + n),
  };
}

const noop = () => {};

describe("the log writer", () => {
  it("counts records in flight against the buffer", async () => {
    const { store, release } = heldStore();
    const c = counting();
    const w = createWriter(
      store,
      { batchSize: 2, intervalMs: 60_000, bufferSize: 3, ...c },
      silentLogger,
    );
    for (let i = 0; i < 2; i++) w.add(sampleRecord(), noop);
    const flushed = w.flush(); // the batch of two goes out and is held
    for (let i = 0; i < 3; i++) w.add(sampleRecord(), noop);
    expect(c.dropped).toEqual({ buffer_full: 2 });
    await release();
    await flushed;
    await release();
    await w.close(1000);
  });

  it("resolves a flush once the records added before it are written, not those added after", async () => {
    const { store, written, release } = heldStore();
    const w = createWriter(
      store,
      { batchSize: 1, intervalMs: 60_000, bufferSize: 100, ...counting() },
      silentLogger,
    );
    const first = sampleRecord();
    w.add(first, noop);
    let done = false;
    const flushed = w.flush().then(() => (done = true));
    w.add(sampleRecord(), noop);
    await release();
    await flushed;
    expect(done).toBe(true);
    expect(written.map((r) => r.id)).toEqual([first.id]);
    await release();
    await w.close(1000);
    expect(written.length).toBe(2);
  });

  it("runs each record's late step just before writing it", async () => {
    const { store, written, release } = heldStore();
    const w = createWriter(
      store,
      { batchSize: 10, intervalMs: 60_000, bufferSize: 10, ...counting() },
      silentLogger,
    );
    const record = sampleRecord();
    w.add(record, () => void (record.cost_usd = 1.5));
    expect(record.cost_usd).toBeNull();
    const flushed = w.flush();
    await release();
    await flushed;
    expect(written[0]!.cost_usd).toBe(1.5);
    await w.close(1000);
  });

  it("gives up at shutdown after its time limit, counting what was left", async () => {
    const { store } = heldStore(); // never lets an insert through
    const c = counting();
    const w = createWriter(
      store,
      { batchSize: 1, intervalMs: 60_000, bufferSize: 10, ...c },
      silentLogger,
    );
    for (let i = 0; i < 3; i++) w.add(sampleRecord(), noop);
    await w.close(20);
    expect(c.dropped).toEqual({ shutdown: 2 }); // the third is in flight, still the store's
    w.add(sampleRecord(), noop);
    expect(c.dropped).toEqual({ shutdown: 3 });
  });

  it("durable: keeps a batch the store refuses and writes it once the store takes it", async () => {
    const { mkdtempSync, readdirSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = mkdtempSync(join(tmpdir(), "switchyard-writer-"));
    const journal = openJournal(join(dir, "j"));
    const written: LogRecord[] = [];
    let refusals = 3;
    const store: LogStore = {
      migrate: async () => {},
      async insert(records) {
        if (refusals-- > 0) throw new Error("database is down");
        written.push(...records);
      },
      query: async () => [],
      known: async () => new Set(),
      prune: async () => 0,
      close: async () => {},
    };
    const c = counting();
    const w = createWriter(
      store,
      { batchSize: 10, intervalMs: 60_000, bufferSize: 10, ...c, journal },
      silentLogger,
    );
    for (let i = 0; i < 3; i++) w.add(sampleRecord(), noop);
    const segments = () => readdirSync(dir).filter((f) => !f.endsWith(".alive"));
    expect(segments().length).toBe(1); // journaled before add() returned
    await w.flush();
    expect(written.length).toBe(3);
    expect(c.dropped).toEqual({});
    await w.close(1000);
    journal.close();
    expect(readdirSync(dir)).toEqual([]); // written, so forgotten
  });
});
