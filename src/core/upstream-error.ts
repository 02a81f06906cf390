/**
 * The failure-classification table shared by every provider and dialect: what an upstream status
 * means for the caller. Upstream 4xx pass through with their status and message; 429 stays 429
 * (retryable); 5xx become 502.
 */
import { GatewayError, type UpstreamErrorInfo } from "./errors.ts";

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

/**
 * A transform that threw on an upstream's answer (reading it, or writing it in the caller's
 * format): the answer was malformed, not the gateway.
 */
export function unreadable(
  err: unknown,
  message = "upstream sent an answer of an unexpected shape",
): GatewayError {
  if (err instanceof GatewayError) return err;
  return new GatewayError("UPSTREAM_INVALID_RESPONSE", message, { cause: err });
}
