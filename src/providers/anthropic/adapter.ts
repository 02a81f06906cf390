/**
 * The Anthropic provider: the Messages API at `{base_url}/v1/messages` (`base_url` as in
 * Anthropic's SDK, e.g. `https://api.anthropic.com`), the key in `x-api-key`, and a pinned
 * `anthropic-version`. Every transform is the Anthropic dialect's.
 */
import { upstreamError } from "../../core/upstream-error.ts";
import { anthropic } from "../../dialects/anthropic/index.ts";
import type { ProviderAdapter } from "../types.ts";

/** The API version the gateway's translations are written against. */
export const ANTHROPIC_VERSION = "2023-06-01";

export const anthropicProvider = {
  id: "anthropic",
  dialect: "anthropic",
  defaultBaseUrl: "https://api.anthropic.com",
  requiresKey: true,
  capabilities: { stream: true, tools: true, images: true, embeddings: false },
  headers(apiKey: string | undefined): Record<string, string> {
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "anthropic-version": ANTHROPIC_VERSION,
    };
    if (apiKey !== undefined) headers["x-api-key"] = apiKey;
    return headers;
  },
  chat: {
    url: (baseUrl: string) => `${baseUrl}/v1/messages`,
    toRequest: anthropic.requestOut,
    fromResponse: anthropic.responseIn,
    stream: anthropic.streamIn,
  },
  mapError: (status: number, body: unknown, retryAfter?: number) =>
    upstreamError(status, anthropic.errorIn(status, body), retryAfter),
} satisfies ProviderAdapter;
