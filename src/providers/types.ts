/**
 * The provider contract. A provider is typed data: an object literal that `satisfies
 * ProviderAdapter`, made of pure transforms between the canonical form and the provider's wire
 * format. Adapters do no I/O; the pool's upstream client does the fetch.
 */
import type { ChatRequest, ChatResponse, WireDialect } from "../core/chat.ts";
import type { EmbeddingsRequest, EmbeddingsResponse } from "../core/embeddings.ts";
import type { GatewayError } from "../core/errors.ts";
import type { StreamParser } from "../core/stream.ts";
import type { ProviderConfig } from "../config/config.ts";

export type { SseEvent, StreamStep, StreamParser } from "../core/stream.ts";
export type { UpstreamErrorInfo } from "../core/errors.ts";

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
  /** The wire format it speaks; requests from clients of the same dialect pass through natively. */
  readonly dialect: WireDialect;
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
