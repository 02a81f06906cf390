/** Anthropic error bodies, both ways: `{"type":"error","error":{"type","message"}}`. */
import type { GatewayError, UpstreamErrorInfo } from "../../core/errors.ts";
import { isRecord } from "../fields.ts";

export const ANTHROPIC_ERROR_TYPES = new Set([
  "invalid_request_error",
  "authentication_error",
  "permission_error",
  "not_found_error",
  "request_too_large",
  "rate_limit_error",
  "api_error",
  "overloaded_error",
  "timeout_error",
]);

function typeForStatus(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 413) return "request_too_large";
  if (status === 429) return "rate_limit_error";
  if (status === 503 || status === 529) return "overloaded_error";
  if (status === 504) return "timeout_error";
  if (status >= 500) return "api_error";
  return "invalid_request_error";
}

export interface AnthropicErrorBody {
  type: "error";
  error: { type: string; message: string };
}

export function anthropicErrorBody(err: GatewayError): AnthropicErrorBody {
  const own = err.upstreamType !== undefined && ANTHROPIC_ERROR_TYPES.has(err.upstreamType);
  return {
    type: "error",
    error: { type: own ? err.upstreamType! : typeForStatus(err.status), message: err.message },
  };
}

export function anthropicErrorInfo(status: number, body: unknown): UpstreamErrorInfo {
  const err = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  const text = typeof body === "string" && body.trim() ? body.trim().slice(0, 500) : undefined;
  const message =
    typeof err?.message === "string" ? err.message : (text ?? `upstream returned status ${status}`);
  return typeof err?.type === "string" ? { message, type: err.type } : { message };
}
