/**
 * `GET /v1/logs`: the records matching the query, newest first, as
 * `{ "object": "list", "data": [...] }`. The buffer is written first, so a caller sees its own
 * finished requests. Who may read is decided at start (`access.ts`).
 */
import {
  DependencyUnavailable,
  jsonError,
  unavailable,
  type RouteHandler,
} from "../../src/plugins/index.ts";
import type { LogAccess } from "./access.ts";
import { parseFilter } from "./query.ts";
import type { LogStore } from "./store.ts";
import type { LogWriter } from "./writer.ts";

/** How long a read waits for the buffer to be written before it queries anyway. */
const FLUSH_WAIT_MS = 2000;

export function logsRoute(store: LogStore, writer: LogWriter, access: LogAccess): RouteHandler {
  return async (request) => {
    if (!access.allows(request)) return jsonError(401, access.refusal, "authentication_error");
    const parsed = parseFilter(new URL(request.url).searchParams);
    if ("param" in parsed) {
      return jsonError(400, parsed.message, "invalid_request_error", parsed.param);
    }
    // The caller's own finished requests are written first, waiting a bounded time: a store that
    // does not answer is said to be down (503), never waited on.
    await Promise.race([writer.flush(), Bun.sleep(FLUSH_WAIT_MS)]);
    try {
      return Response.json({ object: "list", data: await store.query(parsed.filter) });
    } catch (err) {
      if (!(err instanceof DependencyUnavailable)) throw err;
      return unavailable(`The log store is not answering (${err.message}); retry shortly.`);
    }
  };
}
