/**
 * The logging plugin through the plugin harness: the shared behaviours on SQLite in memory, then
 * what needs a store of the test's own (slow, failing, watched) or a file.
 */
import { afterAll, describe, expect, it } from "bun:test";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StorageConfig } from "../../src/plugins/index.ts";
import { pluginHarness } from "../../src/plugins/testing.ts";
import { createLogger } from "../../src/observability/logger.ts";
import logging, { createLoggingPlugin, openLogStore } from "./index.ts";
import type { LogRecord } from "./record.ts";
import type { LogStore } from "./store.ts";
import { sampleRecord } from "./sample.ts";
import { ask, asOperator, logs, OPERATOR, runLoggingSuite, tag } from "./suite.ts";

runLoggingSuite("SQLite in memory", () => ({ sqlite_path: ":memory:" }));

/** A real store whose inserts wait until `open()` is called. */
function gatedStore(storage: StorageConfig) {
  const inner = openLogStore(storage);
  const gate = Promise.withResolvers<void>();
  const entered = Promise.withResolvers<void>();
  const store: LogStore = {
    ...inner,
    async insert(records) {
      entered.resolve();
      await gate.promise;
      await inner.insert(records);
    },
  };
  return { store, entered: entered.promise, open: () => gate.resolve() };
}

/** A real store that fails its first `failures` inserts. */
function failingStore(storage: StorageConfig, failures: number): LogStore {
  const inner = openLogStore(storage);
  let left = failures;
  return {
    ...inner,
    async insert(records) {
      if (left-- > 0) throw new Error("disk full");
      await inner.insert(records);
    },
  };
}

const QUIET = { flush_interval_ms: 60_000, batch_size: 1000 };

describe("logging, beyond the store", () => {
  it("reads with the admin key or the query key, and nothing else", async () => {
    const h = await pluginHarness(logging, {
      admin: OPERATOR,
      config: { query_key: "logs-reader-key-0123" },
    });
    const get = (auth?: string) =>
      h.fetch("GET", "/v1/logs", auth ? { headers: { authorization: auth } } : {});
    expect((await get()).status).toBe(401);
    expect((await get("Bearer logs-reader-key-0124")).status).toBe(401);
    expect((await get("Bearer logs-reader-key-0123")).status).toBe(200);
    expect((await h.fetch("GET", "/v1/logs", asOperator)).status).toBe(200);
    await h.close();
  });

  it("is closed when no credential is set, and says how to open it", async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: "info", write: (l) => lines.push(l) });
    const h = await pluginHarness(logging, { logger });
    const r = await h.fetch("GET", "/v1/logs");
    expect(r.status).toBe(401);
    expect(((await r.json()) as { error: { message: string } }).error.message).toContain(
      "query_key",
    );
    expect(lines.join("\n")).toContain("GET /v1/logs is closed");
    await h.close();
  });

  it("refuses to start keeping bodies that nothing guards, unless opened on purpose", async () => {
    await expect(pluginHarness(logging, { config: { bodies: true } })).rejects.toThrow(
      "public_logs",
    );
    const open = await pluginHarness(logging, { config: { bodies: true, public_logs: true } });
    expect((await open.fetch("GET", "/v1/logs")).status).toBe(200);
    await open.close();
  });

  it("drops and counts a record that finds the buffer full; requests never wait for the store", async () => {
    let gated: ReturnType<typeof gatedStore> | undefined;
    const plugin = createLoggingPlugin((s) => (gated = gatedStore(s)).store);
    const config = { buffer_size: 2, batch_size: 1, flush_interval_ms: 60_000 };
    const h = await pluginHarness(plugin, { admin: OPERATOR, config });
    const model = tag("slow");
    expect((await h.chat(ask(model, "r0"))).status).toBe(200);
    await gated!.entered; // r0 is in flight, and the store holds on to it
    // Each request completes while the store is stuck: the post-hook does not wait for it.
    for (let i = 1; i < 5; i++) expect((await h.chat(ask(model, `r${i}`))).status).toBe(200);
    expect(await h.metrics()).toContain('switchyard_logging_dropped_total{reason="buffer_full"} 3');
    gated!.open();
    expect((await logs(h, `?model=${model}`)).length).toBe(2);
    expect(await h.metrics()).toContain("switchyard_logging_written_total 2");
    await h.close();
  });

  it("tries a failed batch once more, then counts it as dropped and warns", async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: "warn", write: (l) => lines.push(l) });
    const plugin = createLoggingPlugin((s) => failingStore(s, 2));
    const h = await pluginHarness(plugin, { admin: OPERATOR, config: QUIET, logger });
    await h.chat(ask(tag("lost")));
    expect(await logs(h)).toEqual([]);
    const metrics = await h.metrics();
    expect(metrics).toContain("switchyard_logging_write_failures_total 2");
    expect(metrics).toContain('switchyard_logging_dropped_total{reason="write_failed"} 1');
    expect(lines.some((l) => l.includes("could not be written"))).toBe(true);
    await h.close();
  });

  it("writes a batch whose first try failed", async () => {
    const plugin = createLoggingPlugin((s) => failingStore(s, 1));
    const h = await pluginHarness(plugin, { admin: OPERATOR, config: QUIET });
    const model = tag("retried");
    await h.chat(ask(model));
    expect((await logs(h, `?model=${model}`)).length).toBe(1);
    const metrics = await h.metrics();
    expect(metrics).toContain("switchyard_logging_write_failures_total 1");
    expect(metrics).toContain("switchyard_logging_written_total 1");
    expect(metrics).not.toContain('reason="write_failed"');
    await h.close();
  });

  it("writes every buffered record at shutdown, then closes the store", async () => {
    const events: string[] = [];
    const plugin = createLoggingPlugin((s) => {
      const inner = openLogStore(s);
      return {
        ...inner,
        async insert(records: readonly LogRecord[]) {
          events.push(`insert ${records.length}`);
          await inner.insert(records);
        },
        async close() {
          events.push("close");
          await inner.close();
        },
      };
    });
    const h = await pluginHarness(plugin, { admin: OPERATOR, config: QUIET });
    for (let i = 0; i < 3; i++) await h.chat(ask(tag("pending")));
    expect(events).toEqual([]);
    await h.close();
    expect(events).toEqual(["insert 3", "close"]);
  });

  describe("in a SQLite file", () => {
    const file = join(tmpdir(), `switchyard-logs-${crypto.randomUUID()}.sqlite`);
    afterAll(() => {
      for (const suffix of ["", "-wal", "-shm"]) rmSync(file + suffix, { force: true });
    });

    it("keeps records across closing and reopening", async () => {
      const model = tag("remember");
      const first = await pluginHarness(logging, {
        admin: OPERATOR,
        storage: { sqlite_path: file },
        config: QUIET,
      });
      await first.chat(ask(model));
      await first.close(); // shutdown writes what is buffered
      const second = await pluginHarness(logging, {
        admin: OPERATOR,
        storage: { sqlite_path: file },
      });
      const rows = await logs(second, `?model=${model}`);
      await second.close();
      expect(rows.map((r) => r.requested_model)).toEqual([model]);
    });
  });

  it("replays a dead gateway's journal once, skipping records the store already has", async () => {
    const { mkdtempSync, writeFileSync, readdirSync } = await import("node:fs");
    const dir = mkdtempSync(join(tmpdir(), "switchyard-journal-"));
    const file = join(dir, "logs.sqlite");
    const journal = join(dir, "logs.journal");
    const model = tag("replay");
    const records = [0, 1, 2].map((i) =>
      sampleRecord({ id: `r-${i}`, ts: 1_000 + i, requested_model: model }),
    );
    // Two records reached the store before the crash; the journal still holds all three.
    const store = openLogStore({ sqlite_path: file, timeout_ms: 250 });
    await store.migrate();
    await store.insert(records.slice(0, 2));
    await store.close();
    const deadPid = 2 ** 22 + 17; // above Linux's pid_max: never a running process
    writeFileSync(
      `${journal}.${deadPid}.0`,
      records.map((r) => JSON.stringify(r)).join("\n") + '\n{"torn',
    );
    const h = await pluginHarness(logging, {
      admin: OPERATOR,
      storage: { sqlite_path: file },
      config: { durable: true, journal_path: journal },
    });
    const rows = await logs(h, `?model=${encodeURIComponent(model)}`);
    expect(rows.map((r) => r.id).sort()).toEqual(["r-0", "r-1", "r-2"]);
    // The dead gateway's segment is gone; only this gateway's own heartbeat is left, until it stops.
    const journalFiles = () => readdirSync(dir).filter((f) => f.startsWith("logs.journal"));
    expect(journalFiles().filter((f) => !f.endsWith(".alive"))).toEqual([]);
    await h.close();
    expect(journalFiles()).toEqual([]);
  });
});
