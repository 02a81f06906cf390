/**
 * `logging`: every request's metadata (never a secret; bodies only when `bodies` is on), written
 * off the request path in batches to SQLite (the default, `storage.sqlite_path`) or PostgreSQL
 * (`storage.postgres_url`), and `GET /v1/logs` to read it back by time, model, provider, status
 * and caller. See README.md for the config, the record's columns and the choices made.
 */
import { dirname, join, resolve } from "node:path";
import {
  definePlugin,
  Type,
  type Logger,
  type SetupContext,
  type Static,
  type StorageConfig,
} from "../../src/plugins/index.ts";
import { logAccess } from "./access.ts";
import { openJournal, STALE_MS, type Journal } from "./journal.ts";
import { createPostgresLogStore } from "./postgres-store.ts";
import { recordOf } from "./record.ts";
import { startRetention, type Retention } from "./retention.ts";
import { logsRoute } from "./route.ts";
import { createSqliteLogStore } from "./sqlite-store.ts";
import { recordKey, type LogStore } from "./store.ts";
import { createWriter, type LogWriter } from "./writer.ts";

/** What the pre-hook keeps for the post-hook (which is not given the request). */
const REQUEST = "logging.request";
/** At shutdown the buffer is written within this, or counted as dropped. */
const SHUTDOWN_WRITE_MS = 10_000;

export const ConfigSchema = Type.Object({
  /** Also keep the request's messages and the answer's messages. */
  bodies: Type.Boolean({ default: false }),
  batch_size: Type.Integer({ minimum: 1, default: 100 }),
  flush_interval_ms: Type.Integer({ minimum: 10, default: 1000 }),
  /** Records waiting to be written, at most; beyond it new ones are dropped and counted. */
  buffer_size: Type.Integer({ minimum: 1, default: 10_000 }),
  /** Records older than this many days are deleted (hourly); unset keeps them all. */
  retention_days: Type.Optional(Type.Integer({ minimum: 1 })),
  /** A secret that reads `GET /v1/logs` (as `Authorization: Bearer`), besides the admin key. */
  query_key: Type.Optional(Type.String({ minLength: 16 })),
  /** Opens `GET /v1/logs` to anyone; only ever on purpose (logs hold every caller's requests). */
  public_logs: Type.Boolean({ default: false }),
  /**
   * Journal each record to a local file before the answer goes out, so that a gateway that
   * crashes loses none of its buffered records (replayed at the next start), and never drop a
   * batch the store refuses (it is tried again).
   */
  durable: Type.Boolean({ default: false }),
  /** The journal's path (segments are `<path>.<id>.<n>`); by default beside the SQLite file. */
  journal_path: Type.Optional(Type.String({ minLength: 1 })),
});

type Config = Static<typeof ConfigSchema>;

/** PostgreSQL when the gateway has one, else the SQLite file. */
export function openLogStore(storage: StorageConfig): LogStore {
  return storage.postgres_url
    ? createPostgresLogStore(storage.postgres_url, storage.timeout_ms)
    : createSqliteLogStore(storage.sqlite_path);
}

/** Where the journal goes: `journal_path`, else beside the SQLite file (or here, for `:memory:`). */
function journalPath(config: Config, storage: StorageConfig): string {
  if (config.journal_path !== undefined) return resolve(config.journal_path);
  const dir = storage.sqlite_path === ":memory:" ? process.cwd() : dirname(storage.sqlite_path);
  return join(dir, "switchyard-logs.journal");
}

/**
 * Writes what gateways that are gone left in their journals (not what the store already has),
 * at start and then every STALE_MS. Records claimed but not yet written (the store was away) are
 * kept and tried again at the next turn.
 */
function startReplay(store: LogStore, journal: Journal, batchSize: number, logger: Logger) {
  let left: ReturnType<Journal["leftovers"]> | undefined;
  let running: Promise<void> | undefined;
  async function replay(): Promise<void> {
    left ??= journal.leftovers();
    const { records } = left;
    let replayed = 0;
    for (let i = 0; i < records.length; i += batchSize) {
      const batch = records.slice(i, i + batchSize);
      const known = await store.known(batch);
      const fresh = batch.filter((r) => !known.has(recordKey(r)));
      await store.insert(fresh);
      replayed += fresh.length;
    }
    left.done();
    left = undefined;
    if (records.length > 0)
      logger.info("logging: replayed the records a gateway that stopped had journaled", {
        records: replayed,
      });
  }
  const turn = () => {
    running ??= replay()
      .catch((error: unknown) =>
        logger.warn("logging: replaying a journal failed; it is tried again", { error }),
      )
      .finally(() => (running = undefined));
    return running;
  };
  const timer = setInterval(() => void turn(), STALE_MS);
  timer.unref?.();
  return {
    first: turn(),
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

function writerFor(
  store: LogStore,
  { config, metrics, logger }: SetupContext<Config>,
  journal: Journal | undefined,
) {
  const written = metrics.counter({
    name: "switchyard_logging_written_total",
    help: "Request log records written to the store.",
  });
  const failures = metrics.counter({
    name: "switchyard_logging_write_failures_total",
    help: "Failed attempts to write a batch of request log records (each batch is tried twice).",
  });
  const dropped = metrics.counter({
    name: "switchyard_logging_dropped_total",
    help: "Request log records dropped, by reason (buffer_full, write_failed, shutdown).",
    labelNames: ["reason"],
  });
  const journalFailures = metrics.counter({
    name: "switchyard_logging_journal_failures_total",
    help: "Records the durable journal could not take (kept in memory only).",
  });
  const options = {
    onJournalFailed: () => journalFailures.inc(),
    batchSize: config.batch_size,
    intervalMs: config.flush_interval_ms,
    bufferSize: config.buffer_size,
    onWritten: (n: number) => written.inc(n),
    onWriteFailed: () => failures.inc(),
    onDropped: (n: number, reason: string) => dropped.inc({ reason }, n),
    ...(journal ? { journal } : {}),
  };
  return createWriter(store, options, logger);
}

/** The plugin, with its store opened by `open` (tests pass a store they control). */
export function createLoggingPlugin(open: (storage: StorageConfig) => LogStore = openLogStore) {
  let store: LogStore | undefined;
  let writer: LogWriter | undefined;
  let retention: Retention | undefined;
  let journal: Journal | undefined;
  let replaying: { stop(): Promise<void> } | undefined;

  return definePlugin({
    name: "logging",
    configSchema: ConfigSchema,
    async setup(setup) {
      const { config, storage, logger, route, admin } = setup;
      const access = logAccess(config, admin, logger);
      store = open(storage);
      try {
        await store.migrate();
      } catch (error) {
        await store.close(); // an optional plugin left out must not hold a connection open
        throw error;
      }
      if (config.durable) {
        const path = journalPath(config, storage);
        journal = openJournal(path);
        const replay = startReplay(store, journal, config.batch_size, logger);
        replaying = replay;
        await replay.first;
        logger.info("logging: durable; records are journaled until written", { journal: path });
      }
      writer = writerFor(store, setup, journal);
      if (config.retention_days !== undefined) {
        retention = startRetention(store, config.retention_days, logger);
      }
      route("GET", "/v1/logs", logsRoute(store, writer, access));
    },
    preHook(ctx, req) {
      const body = ctx.config.bodies ? JSON.stringify(req.messages) : null;
      ctx.scratch.set(REQUEST, { model: req.model, body });
    },
    postHook(ctx, res, err) {
      const seen = ctx.scratch.get(REQUEST) as { model: string; body: string | null } | undefined;
      const request = seen ?? { model: ctx.route?.requested ?? "", body: null };
      const { record, late } = recordOf(ctx, res, err, request, ctx.config.bodies);
      writer!.add(record, late); // buffers only: the request never waits for the store
    },
    async shutdown() {
      await retention?.stop();
      await replaying?.stop();
      await writer?.close(SHUTDOWN_WRITE_MS);
      journal?.close();
      await store?.close();
    },
  });
}

export default definePlugin(() => createLoggingPlugin());
