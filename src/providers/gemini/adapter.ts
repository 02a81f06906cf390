/**
 * The Gemini provider: `{base_url}/v1beta/models/{model}:generateContent` and
 * `:streamGenerateContent?alt=sse` (`base_url` as in Google's SDK,
 * `https://generativelanguage.googleapis.com`), the key in `x-goog-api-key`. Every transform is
 * the Gemini dialect's.
 */
import { upstreamError } from "../../core/upstream-error.ts";
import { gemini } from "../../dialects/gemini/index.ts";
import type { ProviderAdapter } from "../types.ts";

export const geminiProvider = {
  id: "gemini",
  dialect: "gemini",
  defaultBaseUrl: "https://generativelanguage.googleapis.com",
  requiresKey: true,
  capabilities: { stream: true, tools: true, images: true, embeddings: false },
  headers(apiKey: string | undefined): Record<string, string> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (apiKey !== undefined) headers["x-goog-api-key"] = apiKey;
    return headers;
  },
  chat: {
    url: (baseUrl: string, model: string, stream: boolean) =>
      `${baseUrl}/v1beta/models/${model}:${stream ? "streamGenerateContent?alt=sse" : "generateContent"}`,
    toRequest: gemini.requestOut,
    fromResponse: gemini.responseIn,
    stream: gemini.streamIn,
  },
  mapError: (status: number, body: unknown, retryAfter?: number) =>
    upstreamError(status, gemini.errorIn(status, body), retryAfter),
} satisfies ProviderAdapter;
