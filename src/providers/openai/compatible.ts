/**
 * The OpenAI-compatible factory. Every transform comes from the OpenAI dialect
 * (`dialects/openai`); a preset only names the service, its default base URL and whether it
 * needs a key.
 */
import type { EmbeddingsRequest, EmbeddingsResponse } from "../../core/embeddings.ts";
import { upstreamError } from "../../core/upstream-error.ts";
import { tokenCount } from "../../core/usage.ts";
import { openai } from "../../dialects/openai/index.ts";
import { invalidUpstream, isRecord } from "../../dialects/fields.ts";
import type { Capabilities, ProviderAdapter } from "../types.ts";

export interface OpenAiCompatibleOptions {
  id: string;
  defaultBaseUrl?: string;
  /** Keyless local servers (Ollama, LM Studio, vLLM) set this to false. */
  requiresKey?: boolean;
  capabilities?: Partial<Capabilities>;
}

function fromEmbeddingsBody(body: unknown): EmbeddingsResponse {
  if (!isRecord(body) || !Array.isArray(body.data)) throw invalidUpstream("embeddings response");
  const usage = isRecord(body.usage) ? body.usage : {};
  const prompt = tokenCount(usage.prompt_tokens);
  body.usage = {
    ...usage,
    prompt_tokens: prompt,
    total_tokens: Math.max(prompt, tokenCount(usage.total_tokens)),
  };
  return body as unknown as EmbeddingsResponse;
}

export function openAiCompatible(options: OpenAiCompatibleOptions): ProviderAdapter {
  const adapter = {
    id: options.id,
    dialect: "openai",
    requiresKey: options.requiresKey ?? true,
    capabilities: {
      stream: true,
      tools: true,
      images: true,
      embeddings: true,
      ...options.capabilities,
    },
    headers(apiKey: string | undefined): Record<string, string> {
      return apiKey === undefined
        ? { "content-type": "application/json" }
        : { "content-type": "application/json", authorization: `Bearer ${apiKey}` };
    },
    chat: {
      url: (baseUrl: string) => `${baseUrl}/chat/completions`,
      toRequest: openai.requestOut,
      fromResponse: openai.responseIn,
      stream: openai.streamIn,
    },
    embeddings: {
      url: (baseUrl: string) => `${baseUrl}/embeddings`,
      toRequest: (req: EmbeddingsRequest, model: string) => ({ ...req, model }),
      fromResponse: fromEmbeddingsBody,
    },
    mapError: (status: number, body: unknown, retryAfter?: number) =>
      upstreamError(status, openai.errorIn(status, body), retryAfter),
  } satisfies ProviderAdapter;
  return options.defaultBaseUrl === undefined
    ? adapter
    : { ...adapter, defaultBaseUrl: options.defaultBaseUrl };
}
