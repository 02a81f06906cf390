/**
 * The configuration file's schema. Defaults live here, next to the field they belong to, and
 * unknown fields are rejected so that a typo stops start-up instead of being ignored.
 */
import { Type as T, type Static } from "@sinclair/typebox";

/** Provider and alias names: what may stand before the `/` of `provider/model`. */
export const NAME_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._-]*$";

export const DEFAULT_PORT = 8080;
export const DEFAULT_HOST = "127.0.0.1";
export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
export const DEFAULT_DRAIN_TIMEOUT_MS = 30_000;
export const DEFAULT_TIMEOUT_MS = 600_000;
export const DEFAULT_POOL_CONCURRENCY = 256;
export const DEFAULT_POOL_QUEUE_SIZE = 4096;
export const DEFAULT_KEY_COOLDOWN_MS = 60_000;
export const DEFAULT_MAX_BODY_BYTES_IN_FLIGHT = 128 * 1024 * 1024;
export const DEFAULT_MAX_JSON_DEPTH = 64;
export const DEFAULT_MAX_JSON_VALUES = 500_000;
export const DEFAULT_HEADERS_TIMEOUT_MS = 60_000;
export const DEFAULT_STREAM_IDLE_TIMEOUT_MS = 300_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
export const DEFAULT_MAX_EVENT_BYTES = 8 * 1024 * 1024;

const strict = { additionalProperties: false } as const;

const KeySchema = T.Object(
  {
    /** The secret itself, or `env.NAME` to read it from the environment. */
    value: T.String({ minLength: 1 }),
    weight: T.Number({ exclusiveMinimum: 0, default: 1 }),
    /** Globs (`*`, `?`) of upstream model names this key may serve; empty means all. */
    models: T.Array(T.String({ minLength: 1 }), { default: [] }),
  },
  strict,
);

const PoolSchema = T.Object(
  {
    concurrency: T.Integer({ minimum: 1, default: DEFAULT_POOL_CONCURRENCY }),
    queue_size: T.Integer({ minimum: 0, default: DEFAULT_POOL_QUEUE_SIZE }),
    /** Bun worker threads running this provider's upstream calls; 0 runs them in process. */
    workers: T.Integer({ minimum: 0, maximum: 64, default: 0 }),
    /** A full queue refuses with 429 (`reject`) or lets the request wait, up to its deadline. */
    on_full: T.Union([T.Literal("reject"), T.Literal("wait")], { default: "reject" }),
  },
  { ...strict, default: {} },
);

const RetrySchema = T.Object(
  {
    /** Attempts on this provider, the first included (1 = no retries). */
    max_attempts: T.Integer({ minimum: 1, maximum: 10, default: 3 }),
    initial_backoff_ms: T.Integer({ minimum: 0, default: 100 }),
    max_backoff_ms: T.Integer({ minimum: 0, default: 5000 }),
  },
  { ...strict, default: {} },
);

const BreakerSchema = T.Object(
  {
    enabled: T.Boolean({ default: true }),
    /** Opens after this many failures in a row... */
    consecutive_failures: T.Integer({ minimum: 1, default: 5 }),
    /** ...or when this share of the calls in `window_ms` failed (once `min_requests` were made). */
    failure_rate: T.Number({ exclusiveMinimum: 0, maximum: 1, default: 0.5 }),
    window_ms: T.Integer({ minimum: 1, default: 30_000 }),
    min_requests: T.Integer({ minimum: 1, default: 20 }),
    /** How long it stays open before letting one probe through. */
    cooldown_ms: T.Integer({ minimum: 1, default: 30_000 }),
  },
  { ...strict, default: {} },
);

const MockSchema = T.Object(
  {
    latency_ms: T.Integer({ minimum: 0, default: 0 }),
    chunk_delay_ms: T.Integer({ minimum: 0, default: 0 }),
  },
  strict,
);

export const ProviderSchema = T.Object(
  {
    /** Adapter type; defaults to the provider's own name. */
    type: T.Optional(T.String({ minLength: 1 })),
    base_url: T.Optional(T.String({ minLength: 1 })),
    keys: T.Array(KeySchema, { default: [] }),
    /** Extra headers sent upstream on every request (values may be `env.NAME`). */
    headers: T.Record(T.String(), T.String(), { default: {} }),
    timeout_ms: T.Integer({ minimum: 1, default: DEFAULT_TIMEOUT_MS }),
    /** Deadline for the first byte (the first stream event; the whole answer when not streaming). */
    first_byte_timeout_ms: T.Optional(T.Integer({ minimum: 1 })),
    /**
     * A streamed answer's response headers come within this (a plain answer's come with its last
     * byte, so plain requests wait up to `timeout_ms`).
     */
    headers_timeout_ms: T.Integer({ minimum: 1, default: DEFAULT_HEADERS_TIMEOUT_MS }),
    /** The longest a streamed answer may stay silent: before its first event and between events. */
    stream_idle_timeout_ms: T.Integer({ minimum: 1, default: DEFAULT_STREAM_IDLE_TIMEOUT_MS }),
    /** The largest plain answer (or error body) read from the upstream; beyond it, a 502. */
    max_response_bytes: T.Integer({ minimum: 1024, default: DEFAULT_MAX_RESPONSE_BYTES }),
    /** The largest single event (or line) of a streamed answer; beyond it, the stream fails. */
    max_event_bytes: T.Integer({ minimum: 1024, default: DEFAULT_MAX_EVENT_BYTES }),
    retry: RetrySchema,
    breaker: BreakerSchema,
    /**
     * HTTP/2 to an https upstream: `auto` offers it and falls back to HTTP/1.1 for good when the
     * upstream does not select it; `always` requires it; `never` pins HTTP/1.1.
     */
    http2: T.Union([T.Literal("auto"), T.Literal("always"), T.Literal("never")], {
      default: "auto",
    }),
    /** A PEM file of extra certificate authorities to trust for this upstream (private CAs). */
    ca_file: T.Optional(T.String({ minLength: 1 })),
    /** How long a key that answered 401/403 is set aside. */
    key_cooldown_ms: T.Integer({ minimum: 0, default: DEFAULT_KEY_COOLDOWN_MS }),
    /** Model names listed by `GET /v1/models` for this provider. */
    models: T.Array(T.String({ minLength: 1 }), { default: [] }),
    pool: PoolSchema,
    /** Options of the built-in `mock` provider type. */
    mock: T.Optional(MockSchema),
  },
  strict,
);

export const RouteSchema = T.Object(
  {
    targets: T.Array(
      T.Object(
        {
          model: T.String({ minLength: 1 }),
          weight: T.Number({ exclusiveMinimum: 0, default: 1 }),
        },
        strict,
      ),
      { minItems: 1 },
    ),
    fallbacks: T.Array(T.String({ minLength: 1 }), { default: [] }),
    strategy: T.Union(
      [T.Literal("weighted"), T.Literal("least-latency"), T.Literal("least-busy")],
      { default: "weighted" },
    ),
  },
  strict,
);

const ServerSchema = T.Object(
  {
    port: T.Integer({ minimum: 0, maximum: 65535, default: DEFAULT_PORT }),
    host: T.String({ minLength: 1, default: DEFAULT_HOST }),
    max_body_bytes: T.Integer({ minimum: 1, default: DEFAULT_MAX_BODY_BYTES }),
    /**
     * Request body bytes the gateway holds at once, across every request being read, parsed and
     * sent upstream; a request that would pass it is refused with 503 and Retry-After.
     */
    max_body_bytes_in_flight: T.Integer({
      minimum: 1,
      default: DEFAULT_MAX_BODY_BYTES_IN_FLIGHT,
    }),
    /** Deepest nesting of objects and arrays a JSON body may have. */
    max_json_depth: T.Integer({ minimum: 1, maximum: 1000, default: DEFAULT_MAX_JSON_DEPTH }),
    /** Most values (containers, elements and members) a JSON body may hold. */
    max_json_values: T.Integer({ minimum: 1, default: DEFAULT_MAX_JSON_VALUES }),
    drain_timeout_ms: T.Integer({ minimum: 0, default: DEFAULT_DRAIN_TIMEOUT_MS }),
    /** Accept HTTP/2 as well as HTTP/1.1 (ALPN with TLS, prior knowledge without). */
    http2: T.Boolean({ default: true }),
    /** Serve HTTPS: PEM files of the certificate (chain) and its key. */
    tls: T.Optional(
      T.Object(
        { cert_file: T.String({ minLength: 1 }), key_file: T.String({ minLength: 1 }) },
        strict,
      ),
    ),
  },
  { ...strict, default: {} },
);

const LoggingSchema = T.Object(
  {
    level: T.Union([T.Literal("debug"), T.Literal("info"), T.Literal("warn"), T.Literal("error")], {
      default: "info",
    }),
  },
  { ...strict, default: {} },
);

export const DEFAULT_PLUGIN_TIMEOUT_MS = 2000;
export const DEFAULT_SQLITE_PATH = "switchyard.sqlite";
export const DEFAULT_STORAGE_TIMEOUT_MS = 250;

/** Where stateful plugins (cache, logging, governance) keep their data. */
const StorageSchema = T.Object(
  {
    /** Shared state across instances (cache, rate limits); without it, state is per instance. */
    redis_url: T.Optional(T.String({ minLength: 1 })),
    /** Logs, keys and usage for several instances; without it, SQLite at `sqlite_path`. */
    postgres_url: T.Optional(T.String({ minLength: 1 })),
    /** The embedded SQLite file (`:memory:` keeps it in memory), relative to the config file. */
    sqlite_path: T.String({ minLength: 1, default: DEFAULT_SQLITE_PATH }),
    /**
     * The deadline of a Redis command or a PostgreSQL query on the request path; one that misses
     * it marks the server down (calls then fail at once) until a probe answers again. Writes and
     * reads off the request path get ten times as long.
     */
    timeout_ms: T.Integer({ minimum: 10, maximum: 60_000, default: DEFAULT_STORAGE_TIMEOUT_MS }),
  },
  { ...strict, default: {} },
);

/** A plugin: a built-in by `name`, or a module by `path` (relative to the config file). */
const PluginEntrySchema = T.Object(
  {
    name: T.Optional(T.String({ pattern: "^[a-z0-9][a-z0-9-]*$" })),
    path: T.Optional(T.String({ minLength: 1 })),
    /** The plugin's own settings, checked against the schema it declares. */
    config: T.Optional(T.Unknown()),
    /** A failure or timeout of an optional plugin skips it instead of failing the request. */
    optional: T.Boolean({ default: false }),
    /** Time budget of each asynchronous hook call. */
    timeout_ms: T.Integer({ minimum: 1, default: DEFAULT_PLUGIN_TIMEOUT_MS }),
  },
  strict,
);

const McpServerSchema = T.Object(
  {
    name: T.String({ pattern: NAME_PATTERN }),
    /** `stdio` (a child process), `http` (Streamable HTTP) or `sse` (older servers). */
    transport: T.Union([T.Literal("stdio"), T.Literal("http"), T.Literal("sse")]),
    command: T.Optional(T.String({ minLength: 1 })),
    args: T.Array(T.String(), { default: [] }),
    env: T.Record(T.String(), T.String(), { default: {} }),
    /** Working directory of a stdio server, relative to the config file. */
    cwd: T.Optional(T.String({ minLength: 1 })),
    url: T.Optional(T.String({ minLength: 1 })),
    headers: T.Record(T.String(), T.String(), { default: {} }),
  },
  strict,
);

export const DEFAULT_AGENT_MAX_ITERATIONS = 10;
export const DEFAULT_AGENT_TIMEOUT_MS = 60_000;

const McpSchema = T.Object(
  {
    servers: T.Array(McpServerSchema, { default: [] }),
    /** `server/tool` and `server/*` patterns of the tools offered to models; empty offers all. */
    tools: T.Array(T.String({ minLength: 1 }), { default: [] }),
    agent: T.Object(
      {
        /** Tools the gateway runs itself when a model calls them (`server/tool`, `server/*`). */
        auto_execute: T.Array(T.String({ minLength: 1 }), { default: [] }),
        max_iterations: T.Integer({
          minimum: 1,
          maximum: 100,
          default: DEFAULT_AGENT_MAX_ITERATIONS,
        }),
        timeout_ms: T.Integer({ minimum: 1, default: DEFAULT_AGENT_TIMEOUT_MS }),
      },
      { ...strict, default: {} },
    ),
  },
  { ...strict, default: {} },
);

export const ConfigSchema = T.Object(
  {
    $schema: T.Optional(T.String()),
    server: ServerSchema,
    providers: T.Record(T.String(), ProviderSchema, { default: {} }),
    /** Aliases: `"fast": "groq/llama-3.1-8b-instant"`, or a route with targets and fallbacks. */
    models: T.Record(T.String(), T.Union([T.String({ minLength: 1 }), RouteSchema]), {
      default: {},
    }),
    logging: LoggingSchema,
    storage: StorageSchema,
    plugins: T.Array(PluginEntrySchema, { default: [] }),
    mcp: McpSchema,
    /** Virtual keys, limits, budgets: validated by the governance plugin's own schema. */
    governance: T.Optional(T.Record(T.String(), T.Unknown())),
  },
  strict,
);

export { PluginEntrySchema };

export type ConfigInput = Static<typeof ConfigSchema>;
export type ProviderInput = Static<typeof ProviderSchema>;
