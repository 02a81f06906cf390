/**
 * Small shared checks for translators: reading untyped JSON safely and failing with a 400 that
 * names the field.
 */
import type { ChatRequest, JsonObject } from "../core/chat.ts";
import { GatewayError } from "../core/errors.ts";

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A 400 naming the field at fault (`messages[2].content[0].source`). */
export function invalidField(param: string, message: string): GatewayError {
  return new GatewayError("INVALID_REQUEST", `Invalid value for '${param}': ${message}`, { param });
}

/** A 400 for a field that exists in the request but has no equivalent in the target dialect. */
export function untranslatable(param: string, target: string): GatewayError {
  return new GatewayError(
    "INVALID_REQUEST",
    `'${param}' cannot be translated to the ${target} API; remove it or choose a provider that speaks the caller's API.`,
    { param },
  );
}

/** A malformed upstream answer. */
export function invalidUpstream(what: string): GatewayError {
  return new GatewayError("UPSTREAM_INVALID_RESPONSE", `upstream sent a malformed ${what}`);
}

/**
 * The canonical request fields every translating dialect handles (by mapping them, or by refusing
 * values it cannot express), plus the ones a dialect adds.
 */
export function knownFields(...extra: string[]): ReadonlySet<string> {
  return new Set([
    "model",
    "messages",
    "stream",
    "stream_options",
    "temperature",
    "top_p",
    "max_tokens",
    "max_completion_tokens",
    "n",
    "stop",
    "tools",
    "tool_choice",
    "parallel_tool_calls",
    "response_format",
    ...extra,
  ]);
}

/** An upstream error body's message: its own, else its text, else the status. */
export function errorMessage(status: number, message: unknown, body: unknown): string {
  if (typeof message === "string" && message !== "") return message;
  const text = typeof body === "string" ? body.trim() : "";
  return text ? text.slice(0, 500) : `upstream returned status ${status}`;
}

/**
 * Refuses the first canonical field `known` does not list (a field the target dialect cannot
 * express). `native` is the gateway's own extension and is always allowed.
 */
export function rejectUnknownFields(
  req: ChatRequest,
  known: ReadonlySet<string>,
  target: string,
): void {
  for (const key of Object.keys(req)) {
    if (key === "native") continue;
    if (!known.has(key) && (req as unknown as Record<string, unknown>)[key] !== undefined) {
      throw untranslatable(key, target);
    }
  }
}

/** `data:image/png;base64,AAAA` -> its media type and base64 payload; undefined otherwise. */
export function parseDataUrl(url: string): { mediaType: string; data: string } | undefined {
  const match = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  return match ? { mediaType: match[1]!, data: match[2]! } : undefined;
}

/** A JSON object parsed from a tool call's arguments; `{}` for an empty string. */
export function parseArguments(args: string, param: string): JsonObject {
  if (args.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(args);
  } catch {
    throw invalidField(param, "tool call arguments are not valid JSON");
  }
  if (!isRecord(value)) throw invalidField(param, "tool call arguments must be a JSON object");
  return value as JsonObject;
}
