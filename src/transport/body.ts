/**
 * Request bodies, read within bounds before any object graph is built:
 *
 *   bytes     at most `max_body_bytes` per request (413, whether or not the client sent a
 *             Content-Length), and at most `max_body_bytes_in_flight` across the gateway while
 *             bodies are read, parsed and sent upstream (503 with Retry-After: the request is
 *             fine, the gateway is full). Bytes are reserved as they arrive.
 *   shape     the text is scanned (`json-scan.ts`) before it is parsed: nesting past
 *             `max_json_depth`, more than `max_json_values` values, or a `__proto__` key (which no
 *             API uses and which only serves prototype-pollution attempts) is a 400 at once.
 *
 * Used as Elysia's body parser. The reservation belongs to the request's context and is given
 * back by `releaseBody` once the upstream has the request (the transport calls it when the
 * answer, or a stream's first chunk, is in), or when the request fails.
 */
import { GatewayError } from "../core/errors.ts";
import type { RequestContext } from "../observability/context.ts";
import { scanJson, type JsonLimits, type JsonProblem } from "./json-scan.ts";

/** Why a body was refused before it was parsed, as `switchyard_requests_refused_total` says. */
export type RefusalReason =
  | "body_too_large"
  | "body_bytes_in_flight"
  | "json_too_deep"
  | "json_too_many_values"
  | "json_proto_key";

/** Request body bytes held across the gateway, against `max_body_bytes_in_flight`. */
export class BodyBudget {
  private held = 0;

  constructor(readonly limit: number) {}

  get inUse(): number {
    return this.held;
  }

  take(bytes: number): boolean {
    if (this.held + bytes > this.limit) return false;
    this.held += bytes;
    return true;
  }

  give(bytes: number): void {
    this.held -= bytes;
  }
}

export interface BodyLimits {
  maxBytes: number;
  json: JsonLimits;
  budget: BodyBudget;
  refused(reason: RefusalReason): void;
}

/** Bytes each request context holds of the budget. */
const held = new WeakMap<RequestContext, { budget: BodyBudget; bytes: number }>();

function hold(ctx: RequestContext, limits: BodyLimits, bytes: number): void {
  if (!limits.budget.take(bytes)) {
    // What the request holds already is given back by its reader's failure path.
    limits.refused("body_bytes_in_flight");
    throw new GatewayError(
      "OVERLOADED",
      "The gateway is holding as many request bytes as it may at once; retry shortly.",
      { retryAfter: 1 },
    );
  }
  const lease = held.get(ctx);
  if (lease) lease.bytes += bytes;
  else held.set(ctx, { budget: limits.budget, bytes });
}

/** Gives back what the request holds of the budget; safe to call more than once. */
export function releaseBody(ctx: RequestContext): void {
  const lease = held.get(ctx);
  if (!lease) return;
  held.delete(ctx);
  lease.budget.give(lease.bytes);
}

function tooLarge(limits: BodyLimits): GatewayError {
  limits.refused("body_too_large");
  return new GatewayError(
    "BODY_TOO_LARGE",
    `Request body exceeds the limit of ${limits.maxBytes} bytes.`,
  );
}

/**
 * The body's text, reserving its bytes as they arrive (never on a declared length alone: headers
 * that promise a body and send nothing reserve nothing). A declared length past the limit is a 413
 * at once; the bytes are counted either way, since a length header can lie or be repeated.
 */
async function readLimited(
  request: Request,
  ctx: RequestContext,
  limits: BodyLimits,
): Promise<string> {
  const declared = request.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > limits.maxBytes)
    throw tooLarge(limits);
  if (!request.body) return "";
  const reader = request.body.getReader();
  // Decoded as it arrives: the bytes are not kept beside the text they become.
  const decoder = new TextDecoder();
  let text = "";
  let size = 0;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limits.maxBytes) throw tooLarge(limits);
      hold(ctx, limits, value.byteLength);
      text += decoder.decode(value, { stream: true });
    }
  } catch (err) {
    reader.cancel().catch(() => {});
    throw err;
  }
  return text + decoder.decode();
}

const PROBLEMS: Record<JsonProblem, (l: JsonLimits) => [RefusalReason, GatewayError]> = {
  depth: (l) => [
    "json_too_deep",
    new GatewayError("INVALID_JSON", `The JSON body nests deeper than ${l.maxDepth} levels.`),
  ],
  values: (l) => [
    "json_too_many_values",
    new GatewayError("INVALID_JSON", `The JSON body holds more than ${l.maxValues} values.`),
  ],
  proto: () => [
    "json_proto_key",
    new GatewayError("INVALID_REQUEST", "The key '__proto__' is not allowed in a request.", {
      param: "__proto__",
    }),
  ],
};

/** Reads, checks and parses a JSON body; on any failure the request's reservation is given back. */
export async function readJsonBody(
  request: Request,
  ctx: RequestContext,
  limits: BodyLimits,
): Promise<unknown> {
  try {
    const text = await readLimited(request, ctx, limits);
    if (text.trim() === "") {
      throw new GatewayError("INVALID_JSON", "The request body is empty; send a JSON object.");
    }
    const problem = scanJson(text, limits.json);
    if (problem !== undefined) {
      const [reason, error] = PROBLEMS[problem](limits.json);
      limits.refused(reason);
      throw error;
    }
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new GatewayError(
        "INVALID_JSON",
        `We could not parse the JSON body of your request: ${(err as Error).message}`,
        { cause: err },
      );
    }
  } catch (err) {
    releaseBody(ctx);
    throw err;
  }
}
