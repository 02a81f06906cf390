/**
 * The HTTP app: the dialect surfaces, `/health`, `/metrics` and the OpenAPI docs, with one error
 * handler that answers every failure, whatever its origin, in the caller's dialect.
 */
import { Elysia } from "elysia";
import { swagger } from "@elysiajs/swagger";
import { GatewayError } from "../core/errors.ts";
import { createContext } from "../observability/context.ts";
import { fieldName } from "../config/load.ts";
import { observe, type TransportDeps } from "./exchange.ts";
import { OPENAI_PREFIXES, openAiErrorResponse, openAiRoutes } from "./openai/routes.ts";

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

export function createApp(deps: TransportDeps) {
  const app = new Elysia()
    .onError(({ code, error, request }) => {
      const err = toGatewayError(code, error, request);
      const ctx = createContext("openai", request.signal, request.headers.get("x-request-id"));
      if (err.code === "INTERNAL")
        deps.logger.error("internal error", { request_id: ctx.id, error: err.cause });
      observe(deps, ctx, { status: err.status, stream: false, error: err });
      return openAiErrorResponse(err, ctx);
    })
    .use(
      swagger({
        path: "/docs",
        documentation: {
          info: {
            title: "Switchyard",
            version: "0.1.0",
            description:
              "An LLM API gateway. Point an OpenAI client's base URL at /v1 and address models as provider/model.",
          },
          tags: [{ name: "OpenAI", description: "OpenAI-compatible API" }, { name: "Operations" }],
        },
      }),
    )
    .get(
      "/health",
      ({ set }) => {
        const { lifecycle } = deps;
        const status = lifecycle.draining ? "draining" : lifecycle.ready ? "ok" : "starting";
        set.status = status === "ok" ? 200 : 503;
        return { status, in_flight: lifecycle.active, pools: deps.engine.poolStats() };
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
  for (const prefix of OPENAI_PREFIXES) app.use(openAiRoutes(deps, prefix));
  return app;
}

export type App = ReturnType<typeof createApp>;
