/**
 * `logging`: every request's metadata, written asynchronously in batches to SQLite (the default,
 * `storage.sqlite_path`) or PostgreSQL (`storage.postgres_url`), and `GET /v1/logs` to read it
 * back by time, model, provider, status and caller. See README.md for the record's fields.
 */
import { definePlugin, hasBearer, jsonError, Type } from "../../src/plugins/index.ts";
import { createPostgresLogStore } from "./postgres-store.ts";
import { parseFilter } from "./query.ts";
import { recordOf } from "./record.ts";
import { createSqliteLogStore } from "./sqlite-store.ts";
import type { LogStore } from "./store.ts";
import { createWriter, type LogWriter } from "./writer.ts";

const REQUEST = "logging.request";

const ConfigSchema = Type.Object({
  /** Also keep the request's messages and the answer's text. */
  bodies: Type.Boolean({ default: false }),
  batch_size: Type.Integer({ minimum: 1, default: 100 }),
  flush_interval_ms: Type.Integer({ minimum: 10, default: 1000 }),
  /** Records waiting to be written, at most; beyond it new ones are dropped and counted. */
  buffer_size: Type.Integer({ minimum: 1, default: 10_000 }),
  /** When set, `GET /v1/logs` needs `Authorization: Bearer <query_key>`. */
  query_key: Type.Optional(Type.String({ minLength: 8 })),
});

export default function loggingPlugin() {
  let store: LogStore | undefined;
  let writer: LogWriter | undefined;

  return definePlugin({
    name: "logging",
    configSchema: ConfigSchema,
    async setup({ config, storage, metrics, logger, route }) {
      store = storage.postgres_url
        ? createPostgresLogStore(storage.postgres_url)
        : createSqliteLogStore(storage.sqlite_path);
      await store.migrate();
      const written = metrics.counter({
        name: "switchyard_logging_written_total",
        help: "Request log records written to the store.",
      });
      const dropped = metrics.counter({
        name: "switchyard_logging_dropped_total",
        help: "Request log records dropped, by reason (buffer_full, write_failed).",
        labelNames: ["reason"],
      });
      writer = createWriter(
        store,
        {
          batchSize: config.batch_size,
          intervalMs: config.flush_interval_ms,
          bufferSize: config.buffer_size,
          onWritten: (n) => written.inc(n),
          onDropped: (n, reason) => dropped.inc({ reason }, n),
        },
        logger,
      );
      route("GET", "/v1/logs", async (request) => {
        if (config.query_key !== undefined) {
          if (!hasBearer(request, config.query_key)) {
            return jsonError(
              401,
              "Send the logs query key as Authorization: Bearer <query_key>.",
              "authentication_error",
            );
          }
        }
        const parsed = parseFilter(new URL(request.url).searchParams);
        if ("param" in parsed)
          return jsonError(400, parsed.message, "invalid_request_error", parsed.param);
        await writer!.flush(); // a caller sees its own finished requests
        return Response.json({ object: "list", data: await store!.query(parsed.filter) });
      });
    },
    preHook(ctx, req) {
      const body = ctx.config.bodies ? JSON.stringify(req.messages) : null;
      ctx.scratch.set(REQUEST, { model: req.model, body });
    },
    postHook(ctx, res, err) {
      const seen = ctx.scratch.get(REQUEST) as { model: string; body: string | null } | undefined;
      const { record, late } = recordOf(
        ctx,
        res,
        err,
        seen?.model ?? ctx.route?.requested ?? "",
        seen?.body ?? null,
      );
      writer!.add(record, late);
    },
    async shutdown() {
      await writer?.close();
      await store?.close();
    },
  });
}
