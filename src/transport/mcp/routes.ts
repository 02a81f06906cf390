/**
 * The MCP surface: `GET /v1/mcp/tools` (every tool the caller may use), `POST /v1/mcp/tools/call`
 * (`{ "name": "server/tool", "arguments": {...} }`: arguments checked against the tool's schema,
 * 400 naming the field), and `/mcp`, Switchyard as a Streamable HTTP MCP server. All three are
 * behind the plugins' `authorize` (governance's virtual keys, as `Authorization: Bearer`).
 */
import { Elysia } from "elysia";
import { GatewayError } from "../../core/errors.ts";
import { isRecord } from "../../dialects/fields.ts";
import { openai } from "../../dialects/openai/index.ts";
import { serveMcp } from "../../mcp/server.ts";
import { qualify, type McpManager } from "../../mcp/types.ts";
import { permitted } from "../../mcp/offer.ts";
import { readJsonBody, releaseBody } from "../body.ts";
import { requestContext } from "../credentials.ts";
import type { TransportDeps } from "../exchange.ts";
import { errorResponse } from "../respond.ts";

export function mcpRoutes(deps: TransportDeps, manager: McpManager) {
  const guarded = async (
    request: Request,
    work: (ctx: ReturnType<typeof requestContext>) => Promise<Response>,
  ) => {
    const ctx = requestContext("openai", request);
    try {
      await deps.authorize(ctx);
      return await work(ctx);
    } catch (err) {
      const error = GatewayError.from(err);
      if (error.code === "INTERNAL")
        deps.logger.error("internal error", { request_id: ctx.id, error: error.cause });
      return errorResponse(openai, error, ctx);
    } finally {
      releaseBody(ctx);
    }
  };
  const visible = (ctx: ReturnType<typeof requestContext>) => permitted(manager.tools(), ctx);

  return new Elysia({ name: "mcp", normalize: false })
    .get(
      "/v1/mcp/tools",
      ({ request }) =>
        guarded(request, async (ctx) =>
          Response.json({
            object: "list",
            data: visible(ctx).map((t) => ({
              server: t.server,
              name: t.name,
              description: t.description ?? null,
              input_schema: t.inputSchema,
            })),
          }),
        ),
      { detail: { tags: ["MCP"], summary: "List the tools of the connected MCP servers" } },
    )
    .post(
      "/v1/mcp/tools/call",
      ({ request }) =>
        guarded(request, async (ctx) => {
          const body = await readJsonBody(request, ctx, deps.body);
          releaseBody(ctx); // read and parsed: the tool call may take long
          if (!isRecord(body) || typeof body.name !== "string") {
            throw new GatewayError(
              "INVALID_REQUEST",
              'Send { "name": "server/tool", "arguments": {...} }.',
              { param: "name" },
            );
          }
          const args = body.arguments ?? {};
          if (!isRecord(args))
            throw new GatewayError("INVALID_REQUEST", "'arguments' must be an object.", {
              param: "arguments",
            });
          if (!visible(ctx).some((t) => qualify(t) === body.name)) {
            const known = manager.tools().some((t) => qualify(t) === body.name);
            throw known
              ? new GatewayError(
                  "PLUGIN_REJECTED",
                  `This key may not use the MCP tool "${body.name}".`,
                  { status: 403, upstreamType: "permission_error" },
                )
              : new GatewayError("NOT_FOUND", `No MCP tool "${body.name}" is available.`, {
                  param: "name",
                });
          }
          return Response.json(
            await manager.call(body.name, args, ctx.signal, { requestId: ctx.id }),
          );
        }),
      { parse: "none", detail: { tags: ["MCP"], summary: "Run an MCP tool" } },
    )
    .all(
      "/mcp",
      ({ request }) =>
        guarded(request, async (ctx) => {
          // The body is read within the gateway's bounds (size, bytes in flight, depth, values,
          // `__proto__`), not by the SDK's own reader.
          const body =
            request.method === "POST" ? await readJsonBody(request, ctx, deps.body) : undefined;
          releaseBody(ctx);
          return serveMcp(manager, request, ctx, body);
        }),
      {
        parse: "none",
        detail: { tags: ["MCP"], summary: "Switchyard as a Streamable HTTP MCP server" },
      },
    );
}
