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
  readonly pool: {
    readonly concurrency: number;
    readonly queue_size: number;
    readonly workers: number;
    readonly on_full: "reject" | "wait";
  };
  readonly first_byte_timeout_ms?: number;
  readonly headers_timeout_ms: number;
  readonly stream_idle_timeout_ms: number;
  readonly max_response_bytes: number;
  readonly max_event_bytes: number;
  readonly retry: RetryConfig;
  readonly breaker: BreakerConfig;
  readonly key_cooldown_ms: number;
  readonly http2: "auto" | "always" | "never";
  readonly ca_file?: string;
  readonly mock: { readonly latency_ms: number; readonly chunk_delay_ms: number };
}

export interface RetryConfig {
  readonly max_attempts: number;
  readonly initial_backoff_ms: number;
  readonly max_backoff_ms: number;
}

export interface BreakerConfig {
  readonly enabled: boolean;
  readonly consecutive_failures: number;
  readonly failure_rate: number;
  readonly window_ms: number;
  readonly min_requests: number;
  readonly cooldown_ms: number;
}

export type RouteStrategy = "weighted" | "least-latency" | "least-busy";

/** An alias: where its requests go (one target chosen by `strategy`), and where next. */
export interface RouteConfig {
  readonly targets: readonly { readonly model: string; readonly weight: number }[];
  readonly fallbacks: readonly string[];
  readonly strategy: RouteStrategy;
}

export interface ServerConfig {
  readonly port: number;
  readonly host: string;
  readonly max_body_bytes: number;
  readonly max_body_bytes_in_flight: number;
  readonly max_json_depth: number;
  readonly max_json_values: number;
  readonly drain_timeout_ms: number;
  readonly http2: boolean;
  readonly tls?: { readonly cert_file: string; readonly key_file: string };
}

export interface Config {
  readonly server: ServerConfig;
  readonly providers: Readonly<Record<string, ProviderConfig>>;
  /** Alias name to its route (a plain `"provider/model"` alias is a route of one target). */
  readonly models: Readonly<Record<string, RouteConfig>>;
  readonly logging: { readonly level: LogLevel };
  readonly storage: StorageConfig;
  /** Plugins in the order their pre-hooks run. */
  readonly plugins: readonly PluginEntry[];
  readonly mcp: McpConfig;
  /** The governance section as written (env refs resolved); its plugin validates it. */
  readonly governance?: Readonly<Record<string, unknown>>;
}

export interface StorageConfig {
  readonly redis_url?: string;
  readonly postgres_url?: string;
  /** Absolute, or `:memory:`. */
  readonly sqlite_path: string;
  /** Deadline of a Redis command or PostgreSQL query on the request path, ms. */
  readonly timeout_ms: number;
}

/** One configured plugin; exactly one of `name` (built-in) and `path` (absolute) is set. */
export interface PluginEntry {
  readonly name?: string;
  readonly path?: string;
  readonly config: unknown;
  readonly optional: boolean;
  readonly timeout_ms: number;
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

export interface McpServerConfig {
  readonly name: string;
  readonly transport: "stdio" | "http" | "sse";
  readonly command?: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string;
  readonly url?: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface McpConfig {
  readonly servers: readonly McpServerConfig[];
  /** Patterns of the tools offered to models; empty offers all. */
  readonly tools: readonly string[];
  readonly agent: {
    readonly auto_execute: readonly string[];
    readonly max_iterations: number;
    readonly timeout_ms: number;
  };
}
