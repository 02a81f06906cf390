/**
 * The built-in `mock` provider: an OpenAI-compatible adapter whose upstream is the in-process
 * mock, so it needs no key and no network. Replies are deterministic (see `reply.ts`).
 */
import type { ProviderConfig } from "../../config/config.ts";
import { openAiCompatible } from "../openai/compatible.ts";
import type { LocalFetch, ProviderAdapter } from "../types.ts";
import { createMockOpenAi } from "./openai-upstream.ts";

const base = openAiCompatible({
  id: "mock",
  defaultBaseUrl: "http://mock.switchyard.internal/v1",
  requiresKey: false,
});

export const mock = {
  ...base,
  local(provider: ProviderConfig): LocalFetch {
    return createMockOpenAi({
      latencyMs: provider.mock.latency_ms,
      chunkDelayMs: provider.mock.chunk_delay_ms,
      models: provider.models.length > 0 ? provider.models : ["echo"],
    });
  },
} satisfies ProviderAdapter;
