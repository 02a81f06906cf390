/**
 * OpenAI-compatible services known by name. Any other one is a provider of type `openai` with its
 * own `base_url`; these only save typing the URL.
 */
import { openAiCompatible } from "./compatible.ts";

export const openai = openAiCompatible({
  id: "openai",
  defaultBaseUrl: "https://api.openai.com/v1",
});

export const openAiPresets = [
  openai,
  openAiCompatible({ id: "groq", defaultBaseUrl: "https://api.groq.com/openai/v1" }),
  openAiCompatible({ id: "together", defaultBaseUrl: "https://api.together.xyz/v1" }),
  openAiCompatible({ id: "mistral", defaultBaseUrl: "https://api.mistral.ai/v1" }),
  openAiCompatible({ id: "openrouter", defaultBaseUrl: "https://openrouter.ai/api/v1" }),
  openAiCompatible({ id: "deepseek", defaultBaseUrl: "https://api.deepseek.com/v1" }),
  openAiCompatible({ id: "fireworks", defaultBaseUrl: "https://api.fireworks.ai/inference/v1" }),
  openAiCompatible({ id: "xai", defaultBaseUrl: "https://api.x.ai/v1" }),
  openAiCompatible({
    id: "ollama",
    defaultBaseUrl: "http://127.0.0.1:11434/v1",
    requiresKey: false,
  }),
  openAiCompatible({
    id: "lmstudio",
    defaultBaseUrl: "http://127.0.0.1:1234/v1",
    requiresKey: false,
  }),
  openAiCompatible({ id: "vllm", defaultBaseUrl: "http://127.0.0.1:8000/v1", requiresKey: false }),
] as const;
