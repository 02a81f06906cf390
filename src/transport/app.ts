/**
 * The HTTP app: the dialect surfaces, `/health`, `/metrics` and the OpenAPI docs, with one error
 * handler that answers every failure, whatever its origin, in the caller's dialect.
 */
import { Elysia } from "elysia";
import { swagger } from "@elysiajs/swagger";
import { GatewayError } from "../core/errors.ts";
import { fieldName } from "../config/load.ts";
import { anthropic } from "../dialects/anthropic/index.ts";
import { gemini } from "../dialects/gemini/index.ts";
import { openai } from "../dialects/openai/index.ts";
import type { DialectCodec } from "../dialects/types.ts";
import { ANTHROPIC_PREFIXES, anthropicRoutes } from "./anthropic/routes.ts";
import { observe, type TransportDeps } from "./exchange.ts";
import { GEMINI_PREFIXES, geminiRoutes } from "./gemini/routes.ts";
import { OPENAI_PREFIXES, openAiRoutes } from "./openai/routes.ts";
import { mcpRoutes } from "./mcp/routes.ts";
import { releaseBody } from "./body.ts";
import { requestContext } from "./credentials.ts";
import { errorResponse } from "./respond.ts";

interface ElysiaValidationLike {
  valueError?: { path: string; message: string };
}

/** Elysia's own failures (bad JSON, schema violations, unknown routes) as GatewayErrors. */
function toGatewayError(code: string | number, error: unknown, request: Request): GatewayError {
  if (error instanceof GatewayError) return error;
  if (code === "VALIDATION") {
    const detail = (error as ElysiaValidationLike).valueError;
    const param = detail ? fieldName(detail.path) : undefined;
    const message = param
      ? `Invalid value for '${param}': ${detail!.message}.`
      : "The request body does not match the expected schema.";
    return new GatewayError("INVALID_REQUEST", message, param ? { param } : {});
  }
  if (code === "PARSE") {
    // Elysia wraps whatever our body parser threw (413, bad JSON) as the cause of its ParseError.
    const cause = (error as { cause?: unknown }).cause;
    if (cause instanceof GatewayError) return cause;
    return new GatewayError("INVALID_JSON", "We could not parse the JSON body of your request.");
  }
  if (code === "NOT_FOUND") {
    const path = new URL(request.url).pathname;
    return new GatewayError("NOT_FOUND", `Invalid URL (${request.method} ${path})`);
  }
  return GatewayError.from(error);
}

/** Which API a path belongs to, so that even a failure before routing answers in its format. */
export function dialectOfPath(path: string): DialectCodec {
  if (path.startsWith("/anthropic/") || path === "/v1/messages" || path.startsWith("/v1/messages/"))
    return anthropic;
  if (path.startsWith("/gemini/") || path.startsWith("/v1beta/")) return gemini;
  if (path.startsWith("/v1/models/") && path.includes(":")) return gemini;
  return openai;
}

export function createApp(deps: TransportDeps) {
  // Bodies are validated against open schemas (unknown fields pass through to the provider), so
  // Elysia's normalisation (copying each body onto its schema) has nothing to remove: off.
  const app = new Elysia({ normalize: false })
    .onError(({ code, error, request }) => {
      const err = toGatewayError(code, error, request);
      const codec = dialectOfPath(new URL(request.url).pathname);
      const ctx = requestContext(codec.dialect, request);
      releaseBody(ctx);
      if (err.code === "INTERNAL")
        deps.logger.error("internal error", { request_id: ctx.id, error: err.cause });
      observe(deps, ctx, { status: err.status, stream: false, error: err });
      return errorResponse(codec, err, ctx);
    })
    .use(
      swagger({
        path: "/docs",
        documentation: {
          info: {
            title: "Switchyard",
            version: "0.1.0",
            description:
              "An LLM API gateway. Point an OpenAI, Anthropic or Gemini client's base URL at Switchyard and address models as provider/model.",
          },
          tags: [
            { name: "OpenAI", description: "OpenAI Chat Completions API" },
            { name: "Anthropic", description: "Anthropic Messages API" },
            { name: "Gemini", description: "Gemini generateContent API" },
            { name: "Operations" },
            { name: "Plugins", description: "Routes served by configured plugins" },
            { name: "MCP", description: "Tools of the connected MCP servers" },
          ],
        },
      }),
    )
    .get(
      "/health",
      ({ set }) => {
        const { lifecycle } = deps;
        const status = lifecycle.draining ? "draining" : lifecycle.ready ? "ok" : "starting";
        set.status = status === "ok" ? 200 : 503;
        return {
          status,
          in_flight: lifecycle.active,
          pools: deps.engine.poolStats(),
          breakers: deps.engine.breakers(),
          ...(deps.mcp ? { mcp: deps.mcp.status() } : {}),
        };
      },
      {
        detail: {
          tags: ["Operations"],
          summary: "Readiness, draining state and per-provider pools",
        },
      },
    )
    .get(
      "/metrics",
      async () =>
        new Response(await deps.metrics.render(), {
          headers: { "content-type": deps.metrics.contentType },
        }),
      { detail: { tags: ["Operations"], summary: "Prometheus metrics" } },
    );
  for (const route of deps.pluginRoutes) {
    app.route(route.method, route.path, ({ request }) => route.handler(request), {
      detail: { tags: ["Plugins"], summary: `Served by plugin "${route.plugin}"` },
    });
  }
  if (deps.mcp) app.use(mcpRoutes(deps, deps.mcp));
  for (const prefix of OPENAI_PREFIXES) app.use(openAiRoutes(deps, prefix));
  for (const prefix of ANTHROPIC_PREFIXES) app.use(anthropicRoutes(deps, prefix));
  for (const prefix of GEMINI_PREFIXES) app.use(geminiRoutes(deps, prefix));
  return app;
}

export type App = ReturnType<typeof createApp>;
