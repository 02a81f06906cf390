/**
 * The OpenAI surface, mounted at `/v1` and `/openai/v1`: chat completions (plain and SSE),
 * embeddings and the model list.
 */
import { Elysia } from "elysia";
import type { ChatRequest } from "../../core/chat.ts";
import type { EmbeddingsRequest } from "../../core/embeddings.ts";
import { GatewayError } from "../../core/errors.ts";
import { createContext, requestId, type RequestContext } from "../../observability/context.ts";
import { readJsonBody } from "../body.ts";
import { admit, JSON_TYPE, metaHeaders, observe, type TransportDeps } from "../exchange.ts";
import { openAiErrorBody } from "./errors.ts";
import {
  ChatCompletionRequest,
  ChatCompletionResponse,
  EmbeddingsRequestSchema,
  EmbeddingsResponseSchema,
  ModelList,
  OpenAiErrorBody,
} from "./schemas.ts";
import { openAiSseBody } from "./sse.ts";

export const OPENAI_PREFIXES = ["/v1", "/openai/v1"] as const;

/** An error as OpenAI would send it, with the request's metadata headers. */
export function openAiErrorResponse(err: GatewayError, ctx: RequestContext): Response {
  const headers: Record<string, string> = { ...metaHeaders(ctx), "content-type": JSON_TYPE };
  if (err.retryAfter !== undefined) headers["retry-after"] = String(err.retryAfter);
  headers["x-switchyard-error-source"] = err.source;
  return new Response(JSON.stringify(openAiErrorBody(err)), { status: err.status, headers });
}

const errorResponses = {
  400: OpenAiErrorBody,
  404: OpenAiErrorBody,
  413: OpenAiErrorBody,
  429: OpenAiErrorBody,
  502: OpenAiErrorBody,
  504: OpenAiErrorBody,
};

export function openAiRoutes(deps: TransportDeps, prefix: string) {
  const fail = (err: unknown, ctx: RequestContext, stream: boolean): Response => {
    const error = GatewayError.from(err);
    if (error.code === "INTERNAL")
      deps.logger.error("internal error", { request_id: ctx.id, error: error.cause });
    observe(deps, ctx, { status: error.status, stream, error });
    return openAiErrorResponse(error, ctx);
  };

  async function chat(body: ChatRequest, request: Request): Promise<Response> {
    const ctx = createContext("openai", request.signal, request.headers.get("x-request-id"));
    const stream = body.stream === true;
    try {
      admit(deps);
    } catch (err) {
      return fail(err, ctx, stream);
    }
    let streaming = false;
    try {
      const outcome = await deps.engine.chat(body, ctx);
      if (outcome.kind === "response") {
        const usage = outcome.response.usage;
        observe(deps, ctx, { status: 200, stream: false, usage });
        return new Response(JSON.stringify(outcome.response), {
          headers: { ...metaHeaders(ctx, usage), "content-type": JSON_TYPE },
        });
      }
      const includeUsage = body.stream_options?.include_usage === true;
      const sse = openAiSseBody(outcome.chunks, includeUsage, (summary) => {
        observe(deps, ctx, {
          status: summary.error ? summary.error.status : summary.cancelled ? 499 : 200,
          stream: true,
          usage: summary.usage,
          ttfbMs:
            summary.firstByteAt === undefined ? undefined : summary.firstByteAt - ctx.startedAt,
          error: summary.error,
        });
        deps.lifecycle.leave();
      });
      streaming = true;
      return new Response(sse, {
        headers: {
          ...metaHeaders(ctx),
          "content-type": "text/event-stream",
          "cache-control": "no-cache",
          connection: "keep-alive",
        },
      });
    } catch (err) {
      return fail(err, ctx, stream);
    } finally {
      if (!streaming) deps.lifecycle.leave();
    }
  }

  async function embeddings(body: EmbeddingsRequest, request: Request): Promise<Response> {
    const ctx = createContext("openai", request.signal, request.headers.get("x-request-id"));
    try {
      admit(deps);
    } catch (err) {
      return fail(err, ctx, false);
    }
    try {
      const response = await deps.engine.embeddings(body, ctx);
      const usage = {
        prompt_tokens: response.usage.prompt_tokens,
        completion_tokens: 0,
        total_tokens: response.usage.total_tokens,
      };
      observe(deps, ctx, { status: 200, stream: false, usage });
      return new Response(JSON.stringify(response), {
        headers: { ...metaHeaders(ctx, usage), "content-type": JSON_TYPE },
      });
    } catch (err) {
      return fail(err, ctx, false);
    } finally {
      deps.lifecycle.leave();
    }
  }

  const modelList = JSON.stringify({ object: "list", data: deps.engine.models() });

  return new Elysia({ name: `openai:${prefix}`, prefix })
    .onParse(({ request }) => readJsonBody(request, deps.maxBodyBytes))
    .post("/chat/completions", ({ body, request }) => chat(body as ChatRequest, request), {
      body: ChatCompletionRequest,
      response: { 200: ChatCompletionResponse, ...errorResponses },
      detail: { tags: ["OpenAI"], summary: "Create a chat completion (plain or streamed)" },
    })
    .post("/embeddings", ({ body, request }) => embeddings(body as EmbeddingsRequest, request), {
      body: EmbeddingsRequestSchema,
      response: { 200: EmbeddingsResponseSchema, ...errorResponses },
      detail: { tags: ["OpenAI"], summary: "Create embeddings" },
    })
    .get(
      "/models",
      ({ request }) =>
        new Response(modelList, {
          headers: {
            "content-type": JSON_TYPE,
            "x-request-id": requestId(request.headers.get("x-request-id")),
          },
        }),
      {
        response: { 200: ModelList },
        detail: { tags: ["OpenAI"], summary: "List models and aliases" },
      },
    );
}
