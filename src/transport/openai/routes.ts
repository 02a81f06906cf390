/**
 * The OpenAI surface, mounted at `/v1` and `/openai/v1`: chat completions (plain and SSE),
 * embeddings and the model list.
 */
import { Elysia } from "elysia";
import type { EmbeddingsRequest } from "../../core/embeddings.ts";
import { openai } from "../../dialects/openai/index.ts";
import { createContext, requestId } from "../../observability/context.ts";
import { readJsonBody } from "../body.ts";
import { admit, JSON_TYPE, metaHeaders, observe, type TransportDeps } from "../exchange.ts";
import { failure, serveChat } from "../respond.ts";
import { routingOptions } from "../routing.ts";
import {
  ChatCompletionRequest,
  ChatCompletionResponse,
  EmbeddingsRequestSchema,
  EmbeddingsResponseSchema,
  ModelList,
  OpenAiErrorBody,
} from "./schemas.ts";

export const OPENAI_PREFIXES = ["/v1", "/openai/v1"] as const;

const errorResponses = {
  400: OpenAiErrorBody,
  404: OpenAiErrorBody,
  413: OpenAiErrorBody,
  429: OpenAiErrorBody,
  502: OpenAiErrorBody,
  504: OpenAiErrorBody,
};

/** `Authorization: Bearer <key>` -> the key. */
export function bearer(request: Request): string | undefined {
  const auth = request.headers.get("authorization");
  return auth?.startsWith("Bearer ") ? auth.slice(7).trim() || undefined : undefined;
}

function openAiContext(request: Request) {
  const ctx = createContext("openai", request.signal, request.headers.get("x-request-id"));
  const credential = bearer(request);
  if (credential !== undefined) ctx.credential = credential;
  return ctx;
}

export function openAiRoutes(deps: TransportDeps, prefix: string) {
  const chat = (body: unknown, request: Request): Promise<Response> =>
    serveChat(deps, openai, openAiContext(request), () => {
      // `fallbacks` is the gateway's own field: read here, never sent upstream.
      const { fallbacks, ...rest } = body as Record<string, unknown>;
      return { req: openai.requestIn(rest), routing: routingOptions(request, fallbacks) };
    });

  async function embeddings(body: EmbeddingsRequest, request: Request): Promise<Response> {
    const ctx = openAiContext(request);
    try {
      admit(deps);
    } catch (err) {
      return failure(deps, openai, err, ctx, false);
    }
    try {
      const { fallbacks, ...rest } = body as unknown as Record<string, unknown>;
      const routing = routingOptions(request, fallbacks);
      const response = await deps.engine.embeddings(
        rest as unknown as EmbeddingsRequest,
        ctx,
        routing,
      );
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
      return failure(deps, openai, err, ctx, false);
    } finally {
      deps.lifecycle.leave();
    }
  }

  const modelList = JSON.stringify({ object: "list", data: deps.engine.models() });

  return new Elysia({ name: `openai:${prefix}`, prefix })
    .onParse(({ request }) => readJsonBody(request, deps.maxBodyBytes))
    .post("/chat/completions", ({ body, request }) => chat(body, request), {
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
