/**
 * The provider contract. A provider is typed data: an object literal that `satisfies
 * ProviderAdapter`, made of pure transforms between the canonical form and the provider's wire
 * format. Adapters do no I/O; the pool's upstream client does the fetch.
 */
import type { ChatChunk, ChatRequest, ChatResponse } from "../core/chat.ts";
import type { EmbeddingsRequest, EmbeddingsResponse } from "../core/embeddings.ts";
import type { GatewayError } from "../core/errors.ts";
import type { ProviderConfig } from "../config/config.ts";

/** One parsed server-sent event. */
export interface SseEvent {
  event?: string | undefined;
  data: string;
}

/** What a stream parser makes of one event: canonical chunks, or the end of the stream. */
export type StreamStep = readonly ChatChunk[] | "done";

export interface StreamParser<S> {
  /** Fresh per-stream state (for dialects whose events refer to earlier ones). */
  init(): S;
  /** Translates one event; throws a GatewayError for an in-stream error event. */
  parse(event: SseEvent, state: S): StreamStep;
  /**
   * Called when the upstream closes without the dialect's end marker: returns any last chunks,
   * or throws UPSTREAM_INVALID_RESPONSE when the stream was cut short.
   */
  end(state: S): readonly ChatChunk[];
}

export interface ChatTransform<S = unknown> {
  /** Upstream URL of a chat call. */
  url(baseUrl: string, model: string, stream: boolean): string;
  /** Canonical request -> provider body. `model` is the upstream model name. */
  toRequest(req: ChatRequest, model: string): unknown;
  /** Provider body -> canonical response; throws UPSTREAM_INVALID_RESPONSE when malformed. */
  fromResponse(body: unknown): ChatResponse;
  stream: StreamParser<S>;
}

export interface EmbeddingsTransform {
  url(baseUrl: string, model: string): string;
  toRequest(req: EmbeddingsRequest, model: string): unknown;
  fromResponse(body: unknown): EmbeddingsResponse;
}

/** Fields an adapter extracts from an upstream error body. */
export interface UpstreamErrorInfo {
  message: string;
  type?: string;
  code?: string;
  param?: string;
}

export interface Capabilities {
  stream: boolean;
  tools: boolean;
  images: boolean;
  embeddings: boolean;
}

/** A fetch that never leaves the process (the `mock` provider's upstream). */
export type LocalFetch = (request: Request) => Promise<Response>;

export interface ProviderAdapter {
  /** The provider type this adapter implements (`openai`, `groq`, `mock`, ...). */
  readonly id: string;
  /** Used when the provider's config gives no `base_url`; without one, `base_url` is required. */
  readonly defaultBaseUrl?: string;
  /** Whether a provider of this type is unusable without a key. */
  readonly requiresKey: boolean;
  readonly capabilities: Capabilities;
  /** Request headers for one call, auth included. */
  headers(apiKey: string | undefined): Record<string, string>;
  readonly chat: ChatTransform;
  readonly embeddings?: EmbeddingsTransform;
  /** An upstream error response -> GatewayError (see `upstreamError` for the shared status table). */
  mapError(status: number, body: unknown, retryAfter?: number): GatewayError;
  /** An in-process upstream, built once per configured provider; absent for real network upstreams. */
  local?(provider: ProviderConfig): LocalFetch;
}
