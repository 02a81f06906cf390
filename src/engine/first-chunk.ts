/**
 * Waits for a stream's first chunk before the stream is handed to the client. Until then nothing
 * has been sent, so a failure (or a first-byte timeout) can still be retried or fall back; after
 * it, the stream belongs to the client and is never retried.
 */
import type { ChatChunk } from "../core/chat.ts";
import { GatewayError } from "../core/errors.ts";

export async function afterFirstChunk(
  chunks: ReadableStream<ChatChunk>,
  firstByte: () => void,
): Promise<ReadableStream<ChatChunk>> {
  const reader = chunks.getReader();
  let first: Awaited<ReturnType<typeof reader.read>>;
  try {
    first = await reader.read();
  } catch (err) {
    reader.cancel().catch(() => {});
    throw GatewayError.from(err);
  }
  firstByte();
  let pending: ChatChunk | undefined = first.done ? undefined : first.value;
  return new ReadableStream<ChatChunk>(
    {
      async pull(controller) {
        if (pending) {
          controller.enqueue(pending);
          pending = undefined;
          return;
        }
        try {
          const next = await reader.read();
          if (next.done) controller.close();
          else controller.enqueue(next.value);
        } catch (err) {
          controller.error(err);
        }
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
}
