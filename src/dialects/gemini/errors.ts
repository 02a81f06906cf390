/** Google API error bodies, both ways: `{"error":{"code","message","status"}}`. */
import type { GatewayError, UpstreamErrorInfo } from "../../core/errors.ts";
import { errorMessage, isRecord } from "../fields.ts";

const STATUS_NAMES: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  409: "ABORTED",
  413: "INVALID_ARGUMENT",
  429: "RESOURCE_EXHAUSTED",
  499: "CANCELLED",
  500: "INTERNAL",
  501: "UNIMPLEMENTED",
  502: "UNAVAILABLE",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

const GOOGLE_STATUSES = new Set(
  Object.values(STATUS_NAMES).concat([
    "FAILED_PRECONDITION",
    "OUT_OF_RANGE",
    "ALREADY_EXISTS",
    "DATA_LOSS",
    "UNKNOWN",
  ]),
);

export interface GeminiErrorBody {
  error: { code: number; message: string; status: string };
}

export function geminiErrorBody(err: GatewayError): GeminiErrorBody {
  const own = err.upstreamType !== undefined && GOOGLE_STATUSES.has(err.upstreamType);
  const status = own
    ? err.upstreamType!
    : (STATUS_NAMES[err.status] ?? (err.status >= 500 ? "INTERNAL" : "INVALID_ARGUMENT"));
  return { error: { code: err.status, message: err.message, status } };
}

/** The error object of a Google error body, which is sometimes wrapped in an array. */
function errorObject(body: unknown): Record<string, unknown> | undefined {
  const wrapped = Array.isArray(body) ? body[0] : body;
  return isRecord(wrapped) && isRecord(wrapped.error) ? wrapped.error : undefined;
}

/** `details[].reason` of a `google.rpc.ErrorInfo` (`API_KEY_INVALID`), if any. */
function reason(err: Record<string, unknown>): string | undefined {
  if (!Array.isArray(err.details)) return undefined;
  const info = err.details.find((d) => isRecord(d) && typeof d.reason === "string");
  return isRecord(info) ? (info.reason as string) : undefined;
}

export function geminiErrorInfo(status: number, body: unknown): UpstreamErrorInfo {
  const err = errorObject(body);
  const message = errorMessage(status, err?.message, body);
  const info: UpstreamErrorInfo = { message };
  if (typeof err?.status === "string" && err.status !== "") info.type = err.status;
  const code = err && reason(err);
  if (code !== undefined) info.code = code;
  return info;
}

/** HTTP statuses of Google's status names, for error events that carry no numeric code. */
const STATUS_CODES: Record<string, number> = {
  INVALID_ARGUMENT: 400,
  FAILED_PRECONDITION: 400,
  OUT_OF_RANGE: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  ABORTED: 409,
  ALREADY_EXISTS: 409,
  RESOURCE_EXHAUSTED: 429,
  CANCELLED: 499,
  UNIMPLEMENTED: 501,
  UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
};

/** The HTTP status an in-stream error body stands for (500 when it says nothing usable). */
export function geminiErrorStatus(body: unknown): number {
  const err = errorObject(body) ?? {};
  if (typeof err.code === "number" && err.code >= 400 && err.code < 600) return err.code;
  return (typeof err.status === "string" ? STATUS_CODES[err.status] : undefined) ?? 500;
}
