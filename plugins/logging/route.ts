/**
 * `GET /v1/logs`: the records matching the query, newest first, as
 * `{ "object": "list", "data": [...] }`. The buffer is written first, so a caller sees its own
 * finished requests. Who may read is decided at start (`access.ts`).
 */
import { jsonError, type RouteHandler } from "../../src/plugins/index.ts";
import type { LogAccess } from "./access.ts";
import { parseFilter } from "./query.ts";
import type { LogStore } from "./store.ts";
import type { LogWriter } from "./writer.ts";

export function logsRoute(store: LogStore, writer: LogWriter, access: LogAccess): RouteHandler {
  return async (request) => {
    if (!access.allows(request)) return jsonError(401, access.refusal, "authentication_error");
    const parsed = parseFilter(new URL(request.url).searchParams);
    if ("param" in parsed) {
      return jsonError(400, parsed.message, "invalid_request_error", parsed.param);
    }
    await writer.flush();
    return Response.json({ object: "list", data: await store.query(parsed.filter) });
  };
}
