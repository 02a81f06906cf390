/**
 * Upstream SSE bytes -> canonical chunks, incrementally: bytes are decoded and split into events
 * by eventsource-parser, each event goes through the adapter's stream parser, and chunks are
 * handed on as the consumer pulls (so a slow client slows the upstream read, never buffers it).
 */
import { createParser } from "eventsource-parser";
import type { ChatChunk } from "../core/chat.ts";
import { GatewayError } from "../core/errors.ts";
import type { StreamParser } from "../providers/types.ts";
import { unreadable } from "../core/upstream-error.ts";

export interface StreamLimits {
  /** The largest single event (or unfinished line) the parser holds, in characters. */
  maxEventBytes: number;
  /** The longest the upstream may stay silent while the stream waits on it, ms. */
  idleMs: number;
  /** The provider, for error messages. */
  provider: string;
}

export function sseChunkStream<S>(
  body: ReadableStream<Uint8Array>,
  parser: StreamParser<S>,
  signal: AbortSignal,
  done: () => void,
  toError: (err: unknown) => GatewayError,
  limits: StreamLimits,
): ReadableStream<ChatChunk> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const state = parser.init();
  const pending: ChatChunk[] = [];
  let ended = false;
  let released = false;
  let failure: unknown;

  // The idle watchdog: one timer per stream, re-armed when it fires early. It counts the time spent
  // waiting on the upstream since its last event (a client reading slowly is not upstream
  // silence; bytes that make no event, such as keep-alive comments, are not an event).
  let waitingSince: number | undefined;
  let quietBefore = 0;
  let watchdog: ReturnType<typeof setTimeout> | undefined;
  const watch = (ms: number) => {
    watchdog = setTimeout(() => {
      const quiet =
        quietBefore + (waitingSince === undefined ? 0 : performance.now() - waitingSince);
      if (quiet + 1 < limits.idleMs) return watch(limits.idleMs - quiet);
      failure ??= new GatewayError(
        "UPSTREAM_TIMEOUT",
        `provider "${limits.provider}" sent nothing on its stream for ${limits.idleMs} ms`,
        { provider: limits.provider },
      );
      reader.cancel().catch(() => {});
    }, ms);
  };
  watch(limits.idleMs);

  const release = () => {
    if (released) return;
    released = true;
    clearTimeout(watchdog);
    done();
  };
  // A deadline or a client abort frees the slot even if nobody is reading the stream any more.
  signal.addEventListener(
    "abort",
    () => {
      release();
      reader.cancel().catch(() => {});
    },
    { once: true },
  );

  const events = createParser({
    maxBufferSize: limits.maxEventBytes,
    onError(err) {
      if (err.type !== "max-buffer-size-exceeded") return;
      failure ??= new GatewayError(
        "UPSTREAM_TOO_LARGE",
        `provider "${limits.provider}" sent a stream event larger than ${limits.maxEventBytes} bytes`,
        { provider: limits.provider },
      );
    },
    onEvent(event) {
      quietBefore = 0;
      if (ended || failure !== undefined) return;
      try {
        const step = parser.parse({ event: event.event, data: event.data }, state);
        if (step === "done") ended = true;
        else for (const chunk of step) pending.push(chunk);
      } catch (err) {
        failure = unreadable(err);
      }
    },
  });

  return new ReadableStream<ChatChunk>(
    {
      async pull(controller) {
        try {
          while (pending.length === 0 && !ended && failure === undefined) {
            waitingSince = performance.now();
            const { value, done: eof } = await reader.read();
            quietBefore += performance.now() - waitingSince;
            waitingSince = undefined;
            if (eof) {
              events.reset({ consume: true });
              if (!ended && failure === undefined) {
                for (const chunk of parser.end(state)) pending.push(chunk);
                ended = true;
              }
              break;
            }
            if (failure === undefined) events.feed(decoder.decode(value, { stream: true }));
          }
          const delivered = pending.length > 0;
          for (const chunk of pending) controller.enqueue(chunk);
          pending.length = 0;
          // Chunks that arrived before an error event are delivered first; the error on the next pull.
          if (failure !== undefined && !delivered) throw failure;
          if (failure !== undefined) return;
          if (ended) {
            controller.close();
            release();
            reader.cancel().catch(() => {});
          }
        } catch (err) {
          release();
          reader.cancel().catch(() => {});
          const cause =
            err instanceof GatewayError || signal.aborted
              ? err
              : new GatewayError("UPSTREAM_ERROR", "the upstream stream failed midway", {
                  cause: err,
                });
          controller.error(toError(cause));
        }
      },
      cancel(reason) {
        release();
        return reader.cancel(reason).catch(() => {});
      },
    },
    { highWaterMark: 0 },
  );
}
