/**
 * The plugin contract. A plugin is a module whose default export is a `Plugin` (write it with
 * `definePlugin()` for the types), or a function returning one (for plugins that keep state):
 *
 *   setup(setup)            once, at start, in config order; may be async (open a database)
 *   preHook(ctx, req)       per request, in config order, before any provider is called; may change
 *                           `req` in place, or answer instead of the provider by returning
 *                           `{ response }`, or refuse by returning `{ error }`
 *   onStreamChunk(ctx, c)   per canonical chunk of a streamed answer, in config order; returns
 *                           nothing (keep the chunk, changed in place or not), a chunk (send that
 *                           instead) or `null` (drop it)
 *   onStreamEnd(ctx)        when a streamed answer's source has ended, in config order: may return
 *                           last chunks to send (text it held back), which pass the onStreamChunk
 *                           of the plugins after it
 *   postHook(ctx, res, err) per request, in reverse config order, for every plugin whose preHook
 *                           ran (short-circuits included); may return `{ response }` or `{ error }`
 *                           to replace the outcome. For a stream it runs when the stream has ended,
 *                           with the response the stream added up to; the answer has been sent by
 *                           then, so what it returns is ignored (unless the stream failed before
 *                           its first chunk, which is an ordinary error). `res` and `err` may
 *                           both be set: a stream that failed or was cancelled after its first
 *                           chunk gives what it had sent, and an answer a later post-hook turned
 *                           into an error is still given (it was paid for)
 *   authorize(ctx)          in config order, for every request to the gateway's endpoints that take
 *                           a caller's key (chat, embeddings, token counts, the MCP tool API and
 *                           `/mcp`), before the request's body is read: may refuse with
 *                           `{ error }` (governance checks the caller's key here) and fill in
 *                           `ctx.caller`. A chat request refused here passes the post-hooks of
 *                           the plugins listed before the refusing one (their pre-hooks have not
 *                           run: the body was never read), so observers still log it
 *   shutdown()              once, when the gateway stops, after requests in flight have finished
 *
 * Requests and responses are the canonical OpenAI Chat Completions shape (`src/core/chat.ts`),
 * whatever API the caller and the provider speak. A hook that throws, or whose promise outlives
 * `timeout_ms`, fails the request with a 500 in the caller's format (or is skipped when the
 * plugin is `optional`); either way it is counted in `switchyard_plugin_failures_total`.
 */
import type { TSchema, Static } from "@sinclair/typebox";
import type { ChatChunk, ChatRequest, ChatResponse, Usage, WireDialect } from "../core/chat.ts";
import type { GatewayError } from "../core/errors.ts";
import type { StorageConfig } from "../config/config.ts";
import type { Logger } from "../observability/logger.ts";
import type { MetricsHandle } from "../observability/metrics-handle.ts";
import type { RouteInfo } from "../observability/context.ts";

/** An error a plugin answers with; sent in the caller's API format. */
export interface PluginErrorSpec {
  /** HTTP status, 400 to 599. */
  status: number;
  message: string;
  /** The error `type` callers see (OpenAI and Anthropic bodies); the status decides otherwise. */
  type?: string;
  /** The error `code` callers see in OpenAI bodies (`invalid_api_key`); `plugin_rejected` otherwise. */
  code?: string;
  /** The request field at fault. */
  param?: string;
  /** Seconds; sent as `Retry-After`. */
  retryAfter?: number;
}

export type PreHookResult = void | { response: ChatResponse } | { error: PluginErrorSpec };
export type PostHookResult = void | { response: ChatResponse } | { error: PluginErrorSpec };
export type ChunkResult = void | ChatChunk | null;
export type StreamEndResult = void | ChatChunk[];
export type AuthorizeResult = void | { error: PluginErrorSpec };

/** Who is calling. Governance fills in `id`, `team` and `customer`; `credential` is secret. */
export interface Caller {
  /** The key the caller sent in its API's auth header. Never log, store or echo it. */
  readonly credential: string | undefined;
  /** A name for the caller that is safe to log (a virtual key's name). */
  id?: string;
  team?: string;
  customer?: string;
  /** `server/tool` patterns of the MCP tools this caller may see and run; unset allows all. */
  mcpTools?: string[];
  /**
   * Globs over `provider/model` and alias names of the models this caller may use; unset allows
   * all. Every target of the request is checked against them before it is tried (request
   * fallbacks, an alias's targets and fallbacks, each turn of the MCP agent loop).
   */
  models?: string[];
}

/** What a plugin's hooks are told about the request they are called for. */
export interface PluginContext<C = unknown> {
  readonly requestId: string;
  /** The API the caller speaks (its error bodies and stream framing). */
  readonly dialect: WireDialect;
  /** Whether the caller asked for a stream. */
  readonly stream: boolean;
  /**
   * Where the request goes: before the provider is called, the first target the router picks
   * for `req.model`; after, the one that answered. Undefined when the model is unknown.
   */
  readonly route: RouteInfo | undefined;
  readonly caller: Caller;
  /** The client's request headers. */
  readonly headers: Headers;
  /** Adds a header to the answer (before a stream's first chunk, for streams). */
  setHeader(name: string, value: string): void;
  /** Headers set for the answer so far (by this and other plugins). */
  readonly responseHeaders: Readonly<Record<string, string>>;
  /** Shared by all plugins for this request only (what `authorize` put there, the hooks see). */
  readonly scratch: Map<string, unknown>;
  /** `performance.now()` when the request arrived. */
  readonly startedAt: number;
  /** Upstream attempts made (retries and fallbacks included); 0 when no provider was called. */
  readonly attempts: number;
  /** Requests that reached an upstream (an attempt that gave up while queued never did). */
  readonly sent: number;
  /**
   * The usage of the plain answers upstreams have given this request so far, summed (several for
   * an agent loop): what a request that then failed had already been paid for.
   */
  readonly answeredUsage: Usage | undefined;
  readonly fallbackUsed: boolean;
  /** The price of the request in USD, when a plugin (governance) has priced it. */
  costUsd: number | undefined;
  /** Time spent in each hook so far, in call order. */
  readonly timings: readonly HookTiming[];
  /** This plugin's validated config. */
  readonly config: C;
  /** The gateway's logger, with `plugin` and `request_id` bound. */
  readonly logger: Logger;
  /** Define and update metrics of your own (they appear in `/metrics`). */
  readonly metrics: MetricsHandle;
}

export type HookName = "preHook" | "postHook" | "onStreamChunk" | "onStreamEnd" | "authorize";

export interface HookTiming {
  plugin: string;
  hook: HookName;
  ms: number;
}

/** A plain HTTP route a plugin serves (`GET /v1/logs`). */
export type RouteHandler = (request: Request) => Response | Promise<Response>;

/**
 * The operator's credential, for plugin routes that serve other callers' data (`GET /v1/logs`):
 * governance's `admin_key`, when governance is on and has one.
 */
export interface OperatorAccess {
  /** Whether governance (virtual keys) is on. */
  readonly governance: boolean;
  /** Whether an operator credential exists at all. */
  readonly configured: boolean;
  /** Whether `request` carries it as `Authorization: Bearer` (compared in constant time). */
  allows(request: Request): boolean;
}

/** What `setup` is given. */
export interface SetupContext<C = unknown> {
  readonly config: C;
  readonly logger: Logger;
  readonly metrics: MetricsHandle;
  /** Shared storage settings (`storage` in the config): Redis, PostgreSQL, the SQLite file. */
  readonly storage: StorageConfig;
  /** The operator's credential, for routes that serve data (see `OperatorAccess`). */
  readonly admin: OperatorAccess;
  /** Every `provider/model` the config names (listed models, aliases' targets and fallbacks). */
  readonly models: readonly string[];
  /** Serves `method path` with `handler`; paths are exact (`/v1/logs`). */
  route(
    method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
    path: string,
    handler: RouteHandler,
  ): void;
}

export interface Plugin<S extends TSchema = TSchema> {
  /** Lower-case letters, digits and '-'; names the plugin in logs, metrics and errors. */
  readonly name: string;
  /** A TypeBox schema for the plugin's config; defaults in it are filled in. */
  readonly configSchema?: S;
  setup?(ctx: SetupContext<Static<S>>): void | Promise<void>;
  preHook?(ctx: PluginContext<Static<S>>, req: ChatRequest): PreHookResult | Promise<PreHookResult>;
  postHook?(
    ctx: PluginContext<Static<S>>,
    res: ChatResponse | undefined,
    err: GatewayError | undefined,
  ): PostHookResult | Promise<PostHookResult>;
  onStreamChunk?(
    ctx: PluginContext<Static<S>>,
    chunk: ChatChunk,
  ): ChunkResult | Promise<ChunkResult>;
  onStreamEnd?(ctx: PluginContext<Static<S>>): StreamEndResult | Promise<StreamEndResult>;
  authorize?(ctx: PluginContext<Static<S>>): AuthorizeResult | Promise<AuthorizeResult>;
  shutdown?(): void | Promise<void>;
}

/**
 * What a plugin module exports: the plugin, or a function that makes one. Use the function form
 * when the plugin keeps state (a store, a connection): it is called once per gateway, so two
 * gateways in one process (tests do this) never share or close each other's state.
 */
export type PluginDefinition<S extends TSchema = TSchema> = Plugin<S> | (() => Plugin<S>);

/** Types a plugin (or a function making one); returns it unchanged. */
export function definePlugin<S extends TSchema>(plugin: Plugin<S>): Plugin<S>;
export function definePlugin<S extends TSchema>(make: () => Plugin<S>): () => Plugin<S>;
export function definePlugin<S extends TSchema>(def: PluginDefinition<S>): PluginDefinition<S> {
  return def;
}

/** The plugin a definition stands for: a fresh one from a factory, else the object itself. */
export function instantiate(def: PluginDefinition): Plugin {
  return typeof def === "function" ? def() : def;
}
