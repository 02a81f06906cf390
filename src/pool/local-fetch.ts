/**
 * An in-process upstream (the `mock` provider) made to behave like the network under `fetch`:
 * an abort rejects a pending answer and errors a body being read, so timeouts and disconnects
 * act on it exactly as they act on a real upstream.
 */
import type { LocalFetch } from "../providers/types.ts";

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

function abortable(
  body: ReadableStream<Uint8Array>,
  signal: AbortSignal,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let onAbort: (() => void) | undefined;
  const detach = () => onAbort && signal.removeEventListener("abort", onAbort);
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        onAbort = () => {
          controller.error(signal.reason);
          reader.cancel(signal.reason).catch(() => {});
        };
        signal.addEventListener("abort", onAbort, { once: true });
      },
      async pull(controller) {
        try {
          const { value, done } = await reader.read();
          if (signal.aborted) return;
          if (done) {
            detach();
            controller.close();
          } else {
            controller.enqueue(value);
          }
        } catch (err) {
          detach();
          if (!signal.aborted) controller.error(err);
        }
      },
      cancel(reason) {
        detach();
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

export function localFetch(local: LocalFetch): FetchLike {
  return async (url, init) => {
    const signal = init.signal ?? undefined;
    const res = await local(new Request(url, init));
    if (!signal) return res;
    if (signal.aborted) {
      res.body?.cancel(signal.reason).catch(() => {});
      throw signal.reason;
    }
    if (!res.body) return res;
    return new Response(abortable(res.body, signal), { status: res.status, headers: res.headers });
  };
}
