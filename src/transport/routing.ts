/**
 * A request's own routing options, read from the request: fallbacks (`fallbacks` in an OpenAI
 * body, or the `x-switchyard-fallbacks` header on any front-end, comma-separated) and a deadline
 * (`x-switchyard-timeout-ms`). Bad values are a 400 naming the field or header.
 */
import type { RoutingOptions } from "../engine/engine.ts";
import { VISIBLE_ASCII } from "../core/models.ts";
import { invalidField } from "../dialects/fields.ts";

export const FALLBACKS_HEADER = "x-switchyard-fallbacks";
export const TIMEOUT_HEADER = "x-switchyard-timeout-ms";
/** At most this many fallbacks per request, each at most MAX_NAME characters. */
export const MAX_FALLBACKS = 8;
const MAX_NAME = 256;
export const MAX_REQUEST_TIMEOUT_MS = 3_600_000;

function checkNames(names: unknown[], field: string): string[] {
  if (names.length > MAX_FALLBACKS) throw invalidField(field, `at most ${MAX_FALLBACKS} fallbacks`);
  return names.map((n, i) => {
    if (typeof n !== "string" || n.length === 0 || n.length > MAX_NAME || !VISIBLE_ASCII.test(n))
      throw invalidField(
        `${field}[${i}]`,
        "must be a model name (provider/model or an alias), in visible ASCII",
      );
    return n;
  });
}

export function routingOptions(request: Request, bodyFallbacks?: unknown): RoutingOptions {
  const fallbacks: string[] = [];
  if (bodyFallbacks !== undefined) {
    if (!Array.isArray(bodyFallbacks))
      throw invalidField("fallbacks", "must be an array of model names");
    fallbacks.push(...checkNames(bodyFallbacks, "fallbacks"));
  }
  const header = request.headers.get(FALLBACKS_HEADER);
  if (header !== null) {
    const names = header
      .split(",")
      .map((n) => n.trim())
      .filter(Boolean);
    fallbacks.push(...checkNames(names, FALLBACKS_HEADER));
  }
  // The cap holds for body and header together.
  if (fallbacks.length > MAX_FALLBACKS)
    throw invalidField("fallbacks", `at most ${MAX_FALLBACKS} fallbacks, body and header together`);
  const timeout = request.headers.get(TIMEOUT_HEADER);
  if (timeout === null) return { fallbacks };
  const ms = Number(timeout);
  if (!/^\d+$/.test(timeout.trim()) || ms < 1 || ms > MAX_REQUEST_TIMEOUT_MS)
    throw invalidField(
      TIMEOUT_HEADER,
      `must be a whole number of milliseconds from 1 to ${MAX_REQUEST_TIMEOUT_MS}`,
    );
  return { fallbacks, timeoutMs: ms };
}
