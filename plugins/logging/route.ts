/**
 * `GET /v1/logs`: the records matching the query, newest first, as
 * `{ "object": "list", "data": [...] }`. The buffer is written first, so a caller sees its own
 * finished requests. With a `query_key` the route needs `Authorization: Bearer <query_key>`.
 */
import { hasBearer, jsonError, type RouteHandler } from "../../src/plugins/index.ts";
import { parseFilter } from "./query.ts";
import type { LogStore } from "./store.ts";
import type { LogWriter } from "./writer.ts";

export function logsRoute(
  store: LogStore,
  writer: LogWriter,
  queryKey: string | undefined,
): RouteHandler {
  return async (request) => {
    if (queryKey !== undefined && !hasBearer(request, queryKey)) {
      return jsonError(
        401,
        "Send the logs query key as Authorization: Bearer <query_key>.",
        "authentication_error",
      );
    }
    const parsed = parseFilter(new URL(request.url).searchParams);
    if ("param" in parsed) {
      return jsonError(400, parsed.message, "invalid_request_error", parsed.param);
    }
    await writer.flush();
    return Response.json({ object: "list", data: await store.query(parsed.filter) });
  };
}
