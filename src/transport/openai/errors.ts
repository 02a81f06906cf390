/** GatewayError -> the OpenAI error body: `{"error":{"message","type","code","param"}}`. */
import type { ErrorCode, GatewayError } from "../../core/errors.ts";

const TYPES: Partial<Record<ErrorCode, string>> = {
  POOL_FULL: "rate_limit_error",
  UPSTREAM_RATE_LIMITED: "rate_limit_error",
  UPSTREAM_TIMEOUT: "timeout_error",
  UPSTREAM_ERROR: "api_error",
  UPSTREAM_UNREACHABLE: "api_error",
  UPSTREAM_INVALID_RESPONSE: "api_error",
  SHUTTING_DOWN: "api_error",
  INTERNAL: "api_error",
};

export interface OpenAiErrorBody {
  error: { message: string; type: string; code: string | null; param: string | null };
}

export function openAiErrorBody(err: GatewayError): OpenAiErrorBody {
  return {
    error: {
      message: err.message,
      type: err.upstreamType ?? TYPES[err.code] ?? "invalid_request_error",
      code: err.upstreamCode ?? err.code.toLowerCase(),
      param: err.param ?? null,
    },
  };
}
