/**
 * Reading an upstream's answer within bounds, so that one answer cannot take the gateway's memory
 * or a pool slot without limit:
 *
 *   a plain answer      at most `max_response_bytes` (refused at once when its Content-Length
 *                       says more, else counted as it arrives): UPSTREAM_TOO_LARGE (502)
 *   an error body       at most ERROR_BODY_BYTES within ERROR_BODY_MS; the rest is not read (an
 *                       error says what it has to say in far less)
 *   either, compressed  counted as inflated (fetch inflates it; the header gives the wire size)
 *   a stream's headers  within `headers_timeout_ms` of sending the request: UPSTREAM_TIMEOUT, which
 *                       failover treats like any timeout (the next target)
 *
 * Stream events and silences are bounded in `sse-stream.ts`.
 */
import { deadlineSignal } from "../core/deadline.ts";
import { GatewayError } from "../core/errors.ts";

/** The most of an error body that is read, and the longest it is waited for. */
export const ERROR_BODY_BYTES = 64 * 1024;
export const ERROR_BODY_MS = 5_000;

function tooLarge(provider: string, limit: number): GatewayError {
  return new GatewayError(
    "UPSTREAM_TOO_LARGE",
    `provider "${provider}" sent an answer larger than ${limit} bytes`,
    { provider },
  );
}

/**
 * The length the body will have once read, when the answer says so: its Content-Length, unless it
 * is compressed (fetch inflates it, and the header gives the compressed size).
 */
function declaredLength(res: Response): number | undefined {
  const declared = res.headers.get("content-length");
  const encoding = res.headers.get("content-encoding");
  if (declared === null || (encoding !== null && encoding !== "identity")) return undefined;
  return /^\d+$/.test(declared) ? Number(declared) : undefined;
}

/** A reader's bytes as text, or undefined (the reader cancelled) past `limit` bytes. */
async function readAll(
  reader: { read(): Promise<{ done: boolean; value?: Uint8Array }>; cancel(): Promise<void> },
  limit: number,
): Promise<string | undefined> {
  // Decoded as it arrives: the bytes are not kept beside the text they become.
  const decoder = new TextDecoder();
  let text = "";
  let size = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done || !value) break;
    size += value.byteLength;
    if (size > limit) {
      reader.cancel().catch(() => {});
      return undefined;
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}

/** A plain answer's JSON; UPSTREAM_TOO_LARGE past `limit`, UPSTREAM_INVALID_RESPONSE if not JSON. */
export async function readJsonAnswer(
  res: Response,
  limit: number,
  provider: string,
): Promise<unknown> {
  const notJson = (err: unknown) =>
    new GatewayError("UPSTREAM_INVALID_RESPONSE", "upstream sent a body that is not JSON", {
      cause: err,
    });
  // The common case, a declared length within the limit, keeps fetch's own JSON reader.
  const declared = declaredLength(res);
  if (declared !== undefined && declared <= limit) {
    return res.json().catch((err: unknown) => {
      throw notJson(err);
    });
  }
  if (declared !== undefined) {
    res.body?.cancel().catch(() => {});
    throw tooLarge(provider, limit);
  }
  const text = res.body ? await readAll(res.body.getReader(), limit) : "";
  if (text === undefined) throw tooLarge(provider, limit);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw notJson(err);
  }
}

/** An error answer's body: its JSON, its text, or "" when it could not be read in time. */
export async function readErrorBody(res: Response): Promise<unknown> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  // Cancelling the reader ends a read that waits on a stalled upstream (it resolves as done) and
  // closes the connection; what came before the stall is kept.
  const timer = setTimeout(() => reader.cancel().catch(() => {}), ERROR_BODY_MS);
  const text = (await readAll(reader, ERROR_BODY_BYTES).catch(() => "")) ?? "";
  clearTimeout(timer);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * A signal for the fetch of a streamed answer: the caller's, and aborted with UPSTREAM_TIMEOUT
 * when no response headers came within `ms`. `headersIn()` stops the timer.
 */
export function headersDeadline(
  signal: AbortSignal,
  ms: number,
  provider: string,
): { signal: AbortSignal; headersIn(): void } {
  const deadline = deadlineSignal(
    signal,
    ms,
    () =>
      new GatewayError(
        "UPSTREAM_TIMEOUT",
        `provider "${provider}" sent no response headers within ${ms} ms`,
        { provider },
      ),
  );
  return { signal: deadline.signal, headersIn: deadline.clear };
}
