/**
 * Canonical chunks -> an SSE body in the client's dialect, written as the client reads (a slow
 * client slows the upstream read; nothing is buffered whole). The dialect's encoder decides the
 * events; this file only frames them and keeps the books. An error after the first byte cannot
 * change the status any more, so it goes out as the dialect's in-stream error and the stream ends.
 */
import type { ChatChunk, Usage } from "../core/chat.ts";
import { GatewayError } from "../core/errors.ts";
import type { SseEvent, StreamEncoder } from "../core/stream.ts";
import { unreadable } from "../core/upstream-error.ts";

export interface StreamSummary {
  usage?: Usage;
  /** performance.now() of the first byte written. */
  firstByteAt?: number;
  error?: GatewayError;
  /** True when the client went away before the end. */
  cancelled: boolean;
}

const encoder = new TextEncoder();

function frame(events: readonly SseEvent[]): Uint8Array {
  let text = "";
  for (const e of events) {
    text +=
      e.event === undefined ? `data: ${e.data}\n\n` : `event: ${e.event}\ndata: ${e.data}\n\n`;
  }
  return encoder.encode(text);
}

export function sseBody(
  chunks: ReadableStream<ChatChunk>,
  dialect: StreamEncoder,
  onEnd: (summary: StreamSummary) => void,
): ReadableStream<Uint8Array> {
  const reader = chunks.getReader();
  const summary: StreamSummary = { cancelled: false };
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    onEnd(summary);
  };
  const write = (controller: ReadableStreamDefaultController<Uint8Array>, events: SseEvent[]) => {
    summary.firstByteAt ??= performance.now();
    controller.enqueue(frame(events));
  };

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          for (;;) {
            const { value: chunk, done } = await reader.read();
            if (done) {
              write(
                controller,
                encoded(() => dialect.end()),
              );
              controller.close();
              end();
              return;
            }
            if (chunk.usage) summary.usage = chunk.usage;
            const events = encoded(() => dialect.push(chunk));
            if (events.length === 0) continue;
            write(controller, events);
            return;
          }
        } catch (err) {
          const error = GatewayError.from(err);
          summary.error = error;
          reader.cancel(error).catch(() => {});
          write(controller, dialect.fail(error));
          controller.close();
          end();
        }
      },
      cancel(reason) {
        summary.cancelled = true;
        end();
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

/** The caller's encoder's events; a chunk it cannot write came from the provider's stream. */
function encoded(encode: () => SseEvent[]): SseEvent[] {
  try {
    return encode();
  } catch (err) {
    throw unreadable(err, "the provider's stream could not be written in the caller's format");
  }
}
