/**
 * Provider types by name. The registry is an explicit list, not something modules add themselves
 * to on import.
 */
import { ConfigError, type ProviderConfig } from "../config/config.ts";
import { anthropicProvider } from "./anthropic/adapter.ts";
import { geminiProvider } from "./gemini/adapter.ts";
import { mock } from "./mock/adapter.ts";
import { openAiPresets } from "./openai/presets.ts";
import type { ProviderAdapter } from "./types.ts";

const ADAPTERS: ReadonlyMap<string, ProviderAdapter> = new Map(
  [...openAiPresets, anthropicProvider, geminiProvider, mock].map((a) => [a.id, a]),
);

export function knownProviderTypes(): string[] {
  return [...ADAPTERS.keys()];
}

/** A configured provider bound to its adapter, with its base URL settled. */
export interface BoundProvider {
  config: ProviderConfig;
  adapter: ProviderAdapter;
  baseUrl: string;
}

/** Binds every configured provider to its adapter; throws ConfigError naming the field at fault. */
export function bindProviders(
  providers: Readonly<Record<string, ProviderConfig>>,
): Map<string, BoundProvider> {
  const bound = new Map<string, BoundProvider>();
  for (const config of Object.values(providers)) {
    const field = `providers.${config.name}`;
    const adapter = ADAPTERS.get(config.type);
    if (!adapter) {
      throw new ConfigError(
        `${field}.type`,
        `unknown provider type "${config.type}" (known: ${knownProviderTypes().join(", ")}; any OpenAI-compatible service is type "openai" with its own base_url)`,
      );
    }
    const baseUrl = config.base_url ?? adapter.defaultBaseUrl;
    if (baseUrl === undefined)
      throw new ConfigError(`${field}.base_url`, "is required for this provider type");
    // A hosted service needs a key; the same type pointed at a base_url of your own may not.
    if (adapter.requiresKey && config.base_url === undefined && config.keys.length === 0) {
      throw new ConfigError(
        `${field}.keys`,
        `provider type "${config.type}" needs at least one key`,
      );
    }
    bound.set(config.name, { config, adapter, baseUrl });
  }
  return bound;
}
