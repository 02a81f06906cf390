/**
 * The failure-classification table shared by every provider: what an upstream status means for
 * the caller. Upstream 4xx pass through with their status and message; 429 stays 429 (retryable);
 * 5xx become 502.
 */
import { GatewayError } from "../core/errors.ts";
import type { UpstreamErrorInfo } from "./types.ts";

export function upstreamError(
  status: number,
  info: UpstreamErrorInfo,
  retryAfter?: number,
): GatewayError {
  const extra = {
    ...(info.type === undefined ? {} : { upstreamType: info.type }),
    ...(info.code === undefined ? {} : { upstreamCode: info.code }),
    ...(info.param === undefined ? {} : { param: info.param }),
    ...(retryAfter === undefined ? {} : { retryAfter }),
  };
  if (status === 429) return new GatewayError("UPSTREAM_RATE_LIMITED", info.message, extra);
  if (status >= 400 && status < 500) {
    return new GatewayError("UPSTREAM_CLIENT_ERROR", info.message, { ...extra, status });
  }
  return new GatewayError("UPSTREAM_ERROR", `upstream returned ${status}: ${info.message}`, extra);
}

/** Reads `{"error": {"message", "type", "code", "param"}}`, the OpenAI error body. */
export function openAiErrorInfo(status: number, body: unknown): UpstreamErrorInfo {
  const err = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  const text = typeof body === "string" && body.trim() ? body.trim().slice(0, 500) : undefined;
  const message =
    typeof err?.message === "string" ? err.message : (text ?? `upstream returned status ${status}`);
  const info: UpstreamErrorInfo = { message };
  if (typeof err?.type === "string") info.type = err.type;
  if (typeof err?.code === "string") info.code = err.code;
  else if (typeof err?.code === "number") info.code = String(err.code);
  if (typeof err?.param === "string") info.param = err.param;
  return info;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
