/** The validated, resolved and frozen configuration every layer reads. */

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface ProviderKey {
  /** The resolved secret. Never logged, never sent anywhere but the provider's own upstream. */
  readonly value: string;
  readonly weight: number;
  readonly models: readonly string[];
}

export interface ProviderConfig {
  readonly name: string;
  readonly type: string;
  readonly base_url?: string;
  readonly keys: readonly ProviderKey[];
  readonly headers: Readonly<Record<string, string>>;
  readonly timeout_ms: number;
  readonly models: readonly string[];
  readonly pool: { readonly concurrency: number; readonly queue_size: number };
  readonly mock: { readonly latency_ms: number; readonly chunk_delay_ms: number };
}

export interface ServerConfig {
  readonly port: number;
  readonly host: string;
  readonly max_body_bytes: number;
  readonly drain_timeout_ms: number;
}

export interface Config {
  readonly server: ServerConfig;
  readonly providers: Readonly<Record<string, ProviderConfig>>;
  /** Alias name to `provider/model`. */
  readonly models: Readonly<Record<string, string>>;
  readonly logging: { readonly level: LogLevel };
}

/** A configuration problem, always naming the field at fault (`providers.openai.keys[0].value`). */
export class ConfigError extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(field ? `${field}: ${reason}` : reason);
    this.name = "ConfigError";
  }
}
