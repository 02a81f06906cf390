/**
 * The dialect contract. A dialect is one API's wire format (OpenAI Chat Completions, Anthropic
 * Messages, Gemini generateContent) described as pure functions to and from the canonical form
 * (`core/chat.ts`). Both sides use them: the transport reads clients with `requestIn` and answers
 * with `responseOut` / `streamOut` / `errorOut`; a provider of that dialect writes upstream
 * requests with `requestOut` and reads answers with `responseIn` / `streamIn` / `errorIn`.
 * Dialects import only `core`; they do no I/O.
 */
import type { ChatRequest, ChatResponse, WireDialect } from "../core/chat.ts";
import type { GatewayError, UpstreamErrorInfo } from "../core/errors.ts";
import type { StreamEncoder, StreamParser } from "../core/stream.ts";

/** What a URL may say about a request (Gemini puts the model and streaming in the path). */
export interface RequestTarget {
  model?: string;
  stream?: boolean;
}

export interface DialectCodec<S = unknown> {
  readonly dialect: WireDialect;
  /**
   * Front-end: a client's parsed JSON body -> canonical request. The result carries
   * `native: { dialect, body, unmapped }`, where `unmapped` lists the paths of fields the
   * canonical form cannot express. Throws GatewayError INVALID_REQUEST with `param` naming the
   * field when the body is malformed.
   */
  requestIn(body: unknown, target: RequestTarget): ChatRequest;
  /**
   * Provider: canonical request -> this dialect's body, for upstream model `model`. When
   * `req.native` is this dialect's, the original body is sent on (model and stream settled from
   * `req`). Throws INVALID_REQUEST with `param` naming any canonical field it cannot express
   * (unknown top-level fields included); it never drops one silently.
   */
  requestOut(req: ChatRequest, model: string): unknown;
  /** Provider: an upstream body -> canonical response with `native`; throws UPSTREAM_INVALID_RESPONSE. */
  responseIn(body: unknown): ChatResponse;
  /** Front-end: canonical response -> this dialect's body (the native body when it is ours). */
  responseOut(res: ChatResponse): unknown;
  /** Provider: upstream events -> canonical chunks (each carrying `native`). */
  readonly streamIn: StreamParser<S>;
  /** Front-end: a fresh encoder for one response stream to the client that sent `req`. */
  streamOut(req: ChatRequest): StreamEncoder;
  /** Front-end: an error body in this dialect (the HTTP status is `err.status`). */
  errorOut(err: GatewayError): unknown;
  /** Provider: an upstream error body -> its message, type and code. */
  errorIn(status: number, body: unknown): UpstreamErrorInfo;
}
