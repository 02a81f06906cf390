/** OpenAI error bodies, both ways: `{"error":{"message","type","code","param"}}`. */
import type { ErrorCode, GatewayError, UpstreamErrorInfo } from "../../core/errors.ts";
import { errorMessage, isRecord } from "../fields.ts";

const TYPES: Partial<Record<ErrorCode, string>> = {
  POOL_FULL: "rate_limit_error",
  QUEUE_TIMEOUT: "timeout_error",
  UPSTREAM_RATE_LIMITED: "rate_limit_error",
  UPSTREAM_TIMEOUT: "timeout_error",
  UPSTREAM_ERROR: "api_error",
  UPSTREAM_UNREACHABLE: "api_error",
  UPSTREAM_INVALID_RESPONSE: "api_error",
  UPSTREAM_TOO_LARGE: "api_error",
  OVERLOADED: "api_error",
  MODEL_NOT_ALLOWED: "permission_error",
  SHUTTING_DOWN: "api_error",
  PLUGIN_FAILED: "api_error",
  AGENT_TIMEOUT: "timeout_error",
  INTERNAL: "api_error",
};

export interface OpenAiErrorBody {
  error: { message: string; type: string; code: string | null; param: string | null };
}

/** GatewayError -> OpenAI error body. An upstream's own type and code win when present. */
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

/** Reads an OpenAI error body; text and garbage bodies give a message, never a throw. */
export function openAiErrorInfo(status: number, body: unknown): UpstreamErrorInfo {
  const err = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  const message = errorMessage(status, err?.message, body);
  const info: UpstreamErrorInfo = { message };
  if (typeof err?.type === "string") info.type = err.type;
  if (typeof err?.code === "string") info.code = err.code;
  else if (typeof err?.code === "number") info.code = String(err.code);
  if (typeof err?.param === "string") info.param = err.param;
  return info;
}
