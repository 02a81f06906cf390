/** Google API error bodies, both ways: `{"error":{"code","message","status"}}`. */
import type { GatewayError, UpstreamErrorInfo } from "../../core/errors.ts";
import { isRecord } from "../fields.ts";

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
  Object.values(STATUS_NAMES).concat(["FAILED_PRECONDITION", "OUT_OF_RANGE", "UNKNOWN"]),
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

export function geminiErrorInfo(status: number, body: unknown): UpstreamErrorInfo {
  const wrapped = Array.isArray(body) ? body[0] : body;
  const err = isRecord(wrapped) && isRecord(wrapped.error) ? wrapped.error : undefined;
  const text = typeof body === "string" && body.trim() ? body.trim().slice(0, 500) : undefined;
  const message =
    typeof err?.message === "string" ? err.message : (text ?? `upstream returned status ${status}`);
  return typeof err?.status === "string" ? { message, type: err.status } : { message };
}

/** The HTTP status an in-stream error body stands for. */
export function geminiErrorStatus(body: Record<string, unknown>): number {
  const err = isRecord(body.error) ? body.error : {};
  if (typeof err.code === "number" && err.code >= 400 && err.code < 600) return err.code;
  if (err.status === "RESOURCE_EXHAUSTED") return 429;
  if (err.status === "INVALID_ARGUMENT") return 400;
  return 500;
}
