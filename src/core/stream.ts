/**
 * Server-sent events as the translation layer sees them: parsed events (never raw strings), the
 * parser contract that turns a provider's events into canonical chunks, and the encoder contract
 * that turns canonical chunks into a client dialect's events.
 */
import type { ChatChunk } from "./chat.ts";
import type { GatewayError } from "./errors.ts";

/** One parsed server-sent event. */
export interface SseEvent {
  event?: string | undefined;
  data: string;
}

/** What a stream parser makes of one event: canonical chunks, or the end of the stream. */
export type StreamStep = readonly ChatChunk[] | "done";

/** Provider side: a dialect's upstream events -> canonical chunks, one event at a time. */
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

/** Client side: canonical chunks -> a dialect's events, one chunk at a time (stateful). */
export interface StreamEncoder {
  /** Events for one canonical chunk (possibly none). */
  push(chunk: ChatChunk): SseEvent[];
  /** Events that close a stream that ended normally. */
  end(): SseEvent[];
  /** Events that report an error after the first byte; the stream closes after them. */
  fail(err: GatewayError): SseEvent[];
}
