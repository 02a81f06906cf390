import { describe, expect, it } from "bun:test";
import { type ErrorCode, GatewayError } from "../../core/errors.ts";
import { anthropic } from "./index.ts";

describe("anthropic errorOut", () => {
  it("uses the Anthropic error type of each status", () => {
    const table: [ErrorCode, number, string][] = [
      ["INVALID_REQUEST", 400, "invalid_request_error"],
      ["UPSTREAM_CLIENT_ERROR", 401, "authentication_error"],
      ["UPSTREAM_CLIENT_ERROR", 403, "permission_error"],
      ["MODEL_NOT_FOUND", 404, "not_found_error"],
      ["BODY_TOO_LARGE", 413, "request_too_large"],
      ["KEYS_COOLING", 429, "rate_limit_error"],
      ["INTERNAL", 500, "api_error"],
      ["UPSTREAM_ERROR", 502, "api_error"],
      ["SHUTTING_DOWN", 503, "overloaded_error"],
      ["UPSTREAM_ERROR", 529, "overloaded_error"],
      ["UPSTREAM_TIMEOUT", 504, "timeout_error"],
      ["CLIENT_CLOSED", 499, "invalid_request_error"],
    ];
    for (const [code, status, type] of table) {
      const body = anthropic.errorOut(new GatewayError(code, "m", { status }));
      expect([status, body]).toEqual([status, { type: "error", error: { type, message: "m" } }]);
    }
  });

  it("keeps an upstream's Anthropic error type and ignores another dialect's", () => {
    const own = new GatewayError("UPSTREAM_ERROR", "busy", { upstreamType: "overloaded_error" });
    expect(anthropic.errorOut(own)).toEqual({
      type: "error",
      error: { type: "overloaded_error", message: "busy" },
    });
    const foreign = new GatewayError("UPSTREAM_CLIENT_ERROR", "bad", {
      status: 400,
      upstreamType: "INVALID_ARGUMENT",
    });
    expect(anthropic.errorOut(foreign)).toEqual({
      type: "error",
      error: { type: "invalid_request_error", message: "bad" },
    });
  });
});

describe("anthropic errorIn", () => {
  it("reads the message, type and detail code of an Anthropic error body", () => {
    const body = {
      type: "error",
      error: {
        type: "invalid_request_error",
        message: "max_tokens: Field required",
        details: { error_code: "request_body_encoding_invalid" },
      },
      request_id: "req_011",
    };
    expect(anthropic.errorIn(400, body)).toEqual({
      message: "max_tokens: Field required",
      type: "invalid_request_error",
      code: "request_body_encoding_invalid",
    });
  });

  it("reads back what errorOut writes", () => {
    const err = new GatewayError("UPSTREAM_RATE_LIMITED", "slow down");
    expect(anthropic.errorIn(429, anthropic.errorOut(err))).toEqual({
      message: "slow down",
      type: "rate_limit_error",
    });
  });

  it("falls back to the text or the status for bodies of another shape", () => {
    expect(anthropic.errorIn(502, "  <html>Bad Gateway</html> ")).toEqual({
      message: "<html>Bad Gateway</html>",
    });
    for (const body of [null, 42, [], "", { error: "flat" }, { error: { message: "" } }]) {
      expect(anthropic.errorIn(503, body)).toEqual({ message: "upstream returned status 503" });
    }
  });
});
