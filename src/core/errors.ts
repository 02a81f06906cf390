/**
 * The one error type of the gateway. Every layer throws or returns a GatewayError; only the
 * transport turns it into a dialect's error body. It crosses thread boundaries as plain data
 * through `toJSON()` / `GatewayError.fromJSON()`.
 */

export type ErrorCode =
  | "INVALID_JSON"
  | "INVALID_REQUEST"
  | "BODY_TOO_LARGE"
  | "NOT_FOUND"
  | "MODEL_NOT_FOUND"
  | "MODEL_NOT_ALLOWED"
  | "NO_KEY_FOR_MODEL"
  | "UNSUPPORTED"
  | "POOL_FULL"
  | "QUEUE_TIMEOUT"
  | "KEYS_COOLING"
  | "CIRCUIT_OPEN"
  | "WORKER_FAILED"
  | "SHUTTING_DOWN"
  | "OVERLOADED"
  | "CLIENT_CLOSED"
  | "UPSTREAM_CLIENT_ERROR"
  | "UPSTREAM_RATE_LIMITED"
  | "UPSTREAM_ERROR"
  | "UPSTREAM_UNREACHABLE"
  | "UPSTREAM_TIMEOUT"
  | "UPSTREAM_INVALID_RESPONSE"
  | "UPSTREAM_TOO_LARGE"
  | "AGENT_CYCLE"
  | "AGENT_MAX_ITERATIONS"
  | "AGENT_TIMEOUT"
  | "PLUGIN_REJECTED"
  | "PLUGIN_FAILED"
  | "INTERNAL";

/** Fields a dialect reads from an upstream error body. */
export interface UpstreamErrorInfo {
  message: string;
  type?: string;
  code?: string;
  param?: string;
}

export type ErrorSource = "gateway" | "upstream";

export interface GatewayErrorData {
  code: ErrorCode;
  status: number;
  message: string;
  source: ErrorSource;
  retryable: boolean;
  provider?: string;
  /** The request field at fault, for 400s. */
  param?: string;
  /**
   * The error `type` and `code` the caller sees, when they are not the gateway's own: an
   * upstream's, passed through for upstream 4xx, or a plugin's (`budget_exceeded`).
   */
  upstreamType?: string;
  upstreamCode?: string;
  /** Seconds the caller should wait before retrying. */
  retryAfter?: number;
}

const DEFAULTS: Record<ErrorCode, { status: number; retryable: boolean; source: ErrorSource }> = {
  INVALID_JSON: { status: 400, retryable: false, source: "gateway" },
  INVALID_REQUEST: { status: 400, retryable: false, source: "gateway" },
  BODY_TOO_LARGE: { status: 413, retryable: false, source: "gateway" },
  NOT_FOUND: { status: 404, retryable: false, source: "gateway" },
  MODEL_NOT_FOUND: { status: 404, retryable: false, source: "gateway" },
  /** The caller's permissions (governance's `allowed_models`) do not reach this model. */
  MODEL_NOT_ALLOWED: { status: 403, retryable: false, source: "gateway" },
  NO_KEY_FOR_MODEL: { status: 404, retryable: false, source: "gateway" },
  UNSUPPORTED: { status: 400, retryable: false, source: "gateway" },
  POOL_FULL: { status: 429, retryable: true, source: "gateway" },
  QUEUE_TIMEOUT: { status: 504, retryable: true, source: "gateway" },
  KEYS_COOLING: { status: 429, retryable: true, source: "gateway" },
  CIRCUIT_OPEN: { status: 503, retryable: true, source: "gateway" },
  WORKER_FAILED: { status: 502, retryable: true, source: "gateway" },
  SHUTTING_DOWN: { status: 503, retryable: true, source: "gateway" },
  /** The gateway holds as many request bytes as it may (`server.max_body_bytes_in_flight`). */
  OVERLOADED: { status: 503, retryable: true, source: "gateway" },
  CLIENT_CLOSED: { status: 499, retryable: false, source: "gateway" },
  UPSTREAM_CLIENT_ERROR: { status: 400, retryable: false, source: "upstream" },
  UPSTREAM_RATE_LIMITED: { status: 429, retryable: true, source: "upstream" },
  UPSTREAM_ERROR: { status: 502, retryable: true, source: "upstream" },
  UPSTREAM_UNREACHABLE: { status: 502, retryable: true, source: "upstream" },
  UPSTREAM_TIMEOUT: { status: 504, retryable: true, source: "upstream" },
  UPSTREAM_INVALID_RESPONSE: { status: 502, retryable: true, source: "upstream" },
  /** An answer past `max_response_bytes`, or a stream event past `max_event_bytes`. */
  UPSTREAM_TOO_LARGE: { status: 502, retryable: false, source: "upstream" },
  /** Agent mode: the model repeated a tool call with the same arguments. */
  AGENT_CYCLE: { status: 422, retryable: false, source: "gateway" },
  /** Agent mode: the model was still calling tools after `max_iterations` turns. */
  AGENT_MAX_ITERATIONS: { status: 422, retryable: false, source: "gateway" },
  /** Agent mode: the loop ran past `timeout_ms`. */
  AGENT_TIMEOUT: { status: 504, retryable: false, source: "gateway" },
  /** A plugin answered with an error of its own; the plugin sets the status. */
  PLUGIN_REJECTED: { status: 400, retryable: false, source: "gateway" },
  /** A plugin threw or ran past its time budget. */
  PLUGIN_FAILED: { status: 500, retryable: false, source: "gateway" },
  INTERNAL: { status: 500, retryable: false, source: "gateway" },
};

export interface GatewayErrorOptions extends Partial<Omit<GatewayErrorData, "code" | "message">> {
  cause?: unknown;
}

export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly source: ErrorSource;
  readonly retryable: boolean;
  readonly provider?: string;
  readonly param?: string;
  readonly upstreamType?: string;
  readonly upstreamCode?: string;
  readonly retryAfter?: number;

  constructor(code: ErrorCode, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    const base = DEFAULTS[code];
    this.name = "GatewayError";
    this.code = code;
    this.status = options.status ?? base.status;
    this.source = options.source ?? base.source;
    this.retryable = options.retryable ?? base.retryable;
    if (options.provider !== undefined) this.provider = options.provider;
    if (options.param !== undefined) this.param = options.param;
    if (options.upstreamType !== undefined) this.upstreamType = options.upstreamType;
    if (options.upstreamCode !== undefined) this.upstreamCode = options.upstreamCode;
    if (options.retryAfter !== undefined) this.retryAfter = options.retryAfter;
  }

  toJSON(): GatewayErrorData {
    const data: GatewayErrorData = {
      code: this.code,
      status: this.status,
      message: this.message,
      source: this.source,
      retryable: this.retryable,
    };
    if (this.provider !== undefined) data.provider = this.provider;
    if (this.param !== undefined) data.param = this.param;
    if (this.upstreamType !== undefined) data.upstreamType = this.upstreamType;
    if (this.upstreamCode !== undefined) data.upstreamCode = this.upstreamCode;
    if (this.retryAfter !== undefined) data.retryAfter = this.retryAfter;
    return data;
  }

  static fromJSON(data: GatewayErrorData): GatewayError {
    const { code, message, ...rest } = data;
    return new GatewayError(code, message, rest);
  }

  /** Any thrown value as a GatewayError; unknown failures become INTERNAL. */
  static from(err: unknown): GatewayError {
    if (err instanceof GatewayError) return err;
    return new GatewayError("INTERNAL", "internal gateway error", { cause: err });
  }
}
