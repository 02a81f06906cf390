/**
 * Anthropic error bodies, both ways: `{"type":"error","error":{"type","message"}}`. Written with
 * the type Anthropic uses for the status (an upstream Anthropic type is kept as it was); read
 * with `error.details.error_code` as the code when present.
 */
import type { GatewayError, UpstreamErrorInfo } from "../../core/errors.ts";
import { errorMessage, isRecord } from "../fields.ts";
import { ERROR_STATUS, type ErrorBody } from "./wire.ts";

/** Types Anthropic sends besides those of ERROR_STATUS; kept when an upstream names them. */
const OTHER_TYPES = new Set(["billing_error", "conflict_error"]);

const TYPE_OF_STATUS: Readonly<Record<number, string>> = {
  400: "invalid_request_error",
  401: "authentication_error",
  402: "billing_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  502: "api_error",
  503: "overloaded_error",
  504: "timeout_error",
  529: "overloaded_error",
};

function typeForStatus(status: number): string {
  return TYPE_OF_STATUS[status] ?? (status >= 500 ? "api_error" : "invalid_request_error");
}

function isAnthropicType(type: string | undefined): type is string {
  return type !== undefined && (Object.hasOwn(ERROR_STATUS, type) || OTHER_TYPES.has(type));
}

export function anthropicErrorOut(err: GatewayError): ErrorBody {
  // A plugin's own type (`budget_exceeded`) is kept; an upstream's only when Anthropic's.
  const own = err.code === "PLUGIN_REJECTED" ? err.upstreamType : undefined;
  const type =
    own ?? (isAnthropicType(err.upstreamType) ? err.upstreamType : typeForStatus(err.status));
  return { type: "error", error: { type, message: err.message } };
}

export function anthropicErrorIn(status: number, body: unknown): UpstreamErrorInfo {
  const err = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  const message = errorMessage(status, err?.message, body);
  const info: UpstreamErrorInfo = { message };
  if (typeof err?.type === "string") info.type = err.type;
  const code = isRecord(err?.details) ? err.details.error_code : undefined;
  if (typeof code === "string") info.code = code;
  return info;
}
