/**
 * The OpenAI surface, mounted at `/v1` and `/openai/v1`: chat completions (plain and SSE),
 * embeddings and the model list.
 */
import { Elysia } from "elysia";
import type { EmbeddingsRequest } from "../../core/embeddings.ts";
import { openai } from "../../dialects/openai/index.ts";
import { requestId } from "../../observability/context.ts";
import { bodyParser } from "../intake.ts";
import { requestContext } from "../credentials.ts";
import { JSON_TYPE, type TransportDeps } from "../exchange.ts";
import { serveChat, serveJson } from "../respond.ts";
import { routingOptions } from "../routing.ts";
import {
  ChatCompletionRequest,
  ChatCompletionResponse,
  EmbeddingsRequestSchema,
  EmbeddingsResponseSchema,
  ModelList,
  OpenAiErrorBody,
} from "./schemas.ts";

/**
 * `fallbacks` is the gateway's own field: read here, never sent upstream. The body is copied
 * without it only when it has one.
 */
function splitFallbacks(body: unknown): { rest: Record<string, unknown>; fallbacks: unknown } {
  const raw = body as Record<string, unknown>;
  if (raw.fallbacks === undefined) return { rest: raw, fallbacks: undefined };
  const { fallbacks, ...rest } = raw;
  return { rest, fallbacks };
}

export const OPENAI_PREFIXES = ["/v1", "/openai/v1"] as const;

const errorResponses = {
  400: OpenAiErrorBody,
  404: OpenAiErrorBody,
  413: OpenAiErrorBody,
  429: OpenAiErrorBody,
  502: OpenAiErrorBody,
  504: OpenAiErrorBody,
};

export function openAiRoutes(deps: TransportDeps, prefix: string) {
  const chat = (body: unknown, request: Request): Promise<Response> =>
    serveChat(deps, openai, requestContext("openai", request), () => {
      const { rest, fallbacks } = splitFallbacks(body);
      return { req: openai.requestIn(rest), routing: routingOptions(request, fallbacks) };
    });

  const embeddings = (body: EmbeddingsRequest, request: Request) => {
    const ctx = requestContext("openai", request);
    return serveJson(deps, openai, ctx, async () => {
      const { rest, fallbacks } = splitFallbacks(body);
      const req = rest as unknown as EmbeddingsRequest;
      const response = await deps.engine.embeddings(req, ctx, routingOptions(request, fallbacks));
      const usage = {
        prompt_tokens: response.usage.prompt_tokens,
        completion_tokens: 0,
        total_tokens: response.usage.total_tokens,
      };
      return { body: response, usage };
    });
  };

  const modelList = JSON.stringify({ object: "list", data: deps.engine.models() });

  return new Elysia({ name: `openai:${prefix}`, prefix, normalize: false })
    .onParse(bodyParser(deps, "openai"))
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
