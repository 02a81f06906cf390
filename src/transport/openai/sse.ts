/**
 * Canonical chunks -> an OpenAI SSE body (`data: {json}\n\n` ... `data: [DONE]\n\n`), written as
 * the client reads. An error after the first byte cannot change the status any more, so it is
 * sent the way OpenAI sends one, as `data: {"error": {...}}`, and the stream ends.
 * The usage chunk the gateway always asks for is only passed on when the client asked for it.
 */
import type { ChatChunk, Usage } from "../../core/chat.ts";
import { GatewayError } from "../../core/errors.ts";
import { openAiErrorBody } from "./errors.ts";

export interface StreamSummary {
  usage?: Usage;
  /** performance.now() of the first byte written. */
  firstByteAt?: number;
  error?: GatewayError;
  /** True when the client went away before the end. */
  cancelled: boolean;
}

const encoder = new TextEncoder();
const DONE = encoder.encode("data: [DONE]\n\n");

export function openAiSseBody(
  chunks: ReadableStream<ChatChunk>,
  includeUsage: boolean,
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
  const write = (controller: ReadableStreamDefaultController<Uint8Array>, bytes: Uint8Array) => {
    summary.firstByteAt ??= performance.now();
    controller.enqueue(bytes);
  };

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          for (;;) {
            const { value: chunk, done } = await reader.read();
            if (done) {
              write(controller, DONE);
              controller.close();
              end();
              return;
            }
            if (chunk.usage) summary.usage = chunk.usage;
            if (!includeUsage) {
              if (chunk.choices.length === 0 && chunk.usage) continue;
              if (chunk.usage === null) delete chunk.usage;
            }
            write(controller, encoder.encode(`data: ${JSON.stringify(chunk)}\n\n`));
            return;
          }
        } catch (err) {
          const error = GatewayError.from(err);
          summary.error = error;
          write(controller, encoder.encode(`data: ${JSON.stringify(openAiErrorBody(error))}\n\n`));
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
