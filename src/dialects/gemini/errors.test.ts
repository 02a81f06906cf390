import { describe, expect, it } from "bun:test";
import { type ErrorCode, GatewayError } from "../../core/errors.ts";
import { gemini } from "./index.ts";

describe("gemini errorOut", () => {
  it("names Google's status for each HTTP status", () => {
    const table: [ErrorCode, number, string][] = [
      ["INVALID_REQUEST", 400, "INVALID_ARGUMENT"],
      ["UPSTREAM_CLIENT_ERROR", 401, "UNAUTHENTICATED"],
      ["UPSTREAM_CLIENT_ERROR", 403, "PERMISSION_DENIED"],
      ["MODEL_NOT_FOUND", 404, "NOT_FOUND"],
      ["BODY_TOO_LARGE", 413, "INVALID_ARGUMENT"],
      ["POOL_FULL", 429, "RESOURCE_EXHAUSTED"],
      ["CLIENT_CLOSED", 499, "CANCELLED"],
      ["INTERNAL", 500, "INTERNAL"],
      ["UPSTREAM_ERROR", 502, "UNAVAILABLE"],
      ["SHUTTING_DOWN", 503, "UNAVAILABLE"],
      ["UPSTREAM_TIMEOUT", 504, "DEADLINE_EXCEEDED"],
    ];
    for (const [code, status, name] of table) {
      const body = gemini.errorOut(new GatewayError(code, "m", { status }));
      expect(body).toEqual({ error: { code: status, message: "m", status: name } });
    }
  });

  it("keeps the upstream's status name when it is Google's, and ignores other dialects' types", () => {
    const own = new GatewayError("UPSTREAM_CLIENT_ERROR", "m", {
      status: 400,
      upstreamType: "FAILED_PRECONDITION",
    });
    expect(gemini.errorOut(own)).toMatchObject({ error: { status: "FAILED_PRECONDITION" } });
    const foreign = new GatewayError("UPSTREAM_RATE_LIMITED", "m", {
      upstreamType: "rate_limit_error",
    });
    expect(gemini.errorOut(foreign)).toMatchObject({
      error: { code: 429, status: "RESOURCE_EXHAUSTED" },
    });
  });

  it("falls back by class for statuses without a name of their own", () => {
    expect(
      gemini.errorOut(new GatewayError("INVALID_REQUEST", "m", { status: 422 })),
    ).toMatchObject({ error: { status: "INVALID_ARGUMENT" } });
    expect(gemini.errorOut(new GatewayError("INTERNAL", "m", { status: 507 }))).toMatchObject({
      error: { status: "INTERNAL" },
    });
  });
});

describe("gemini errorIn", () => {
  const google = {
    error: {
      code: 400,
      message: "API key not valid. Please pass a valid API key.",
      status: "INVALID_ARGUMENT",
      details: [
        {
          "@type": "type.googleapis.com/google.rpc.ErrorInfo",
          reason: "API_KEY_INVALID",
          domain: "googleapis.com",
        },
      ],
    },
  };

  it("reads the message, the status name as type and the ErrorInfo reason as code", () => {
    expect(gemini.errorIn(400, google)).toEqual({
      message: "API key not valid. Please pass a valid API key.",
      type: "INVALID_ARGUMENT",
      code: "API_KEY_INVALID",
    });
  });

  it("reads an error body wrapped in an array", () => {
    expect(gemini.errorIn(400, [google]).type).toBe("INVALID_ARGUMENT");
  });

  it("falls back to the text or the status for bodies of another shape", () => {
    expect(gemini.errorIn(502, "<html>Bad Gateway</html>")).toEqual({
      message: "<html>Bad Gateway</html>",
    });
    for (const body of [null, 42, "", [], { error: "flat" }, { error: { message: "" } }]) {
      expect(gemini.errorIn(503, body)).toEqual({ message: "upstream returned status 503" });
    }
  });
});
