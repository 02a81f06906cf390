import { describe, expect, it } from "bun:test";
import { callerKey, requestContext } from "./credentials.ts";

const req = (headers: Record<string, string>, url = "http://gw/v1/x") =>
  new Request(url, { headers });

describe("the caller's key", () => {
  it("is read from each front-end's own header", () => {
    expect(callerKey(req({ authorization: "Bearer sk-open" }), "openai")).toBe("sk-open");
    expect(callerKey(req({ "x-api-key": "sk-ant" }), "anthropic")).toBe("sk-ant");
    expect(callerKey(req({ authorization: "Bearer sk-token" }), "anthropic")).toBe("sk-token");
    expect(callerKey(req({ "x-goog-api-key": "g-key" }), "gemini")).toBe("g-key");
    expect(
      callerKey(req({}, "http://gw/v1beta/models/m:generateContent?key=q-key"), "gemini"),
    ).toBe("q-key");
  });

  it("is not taken from another front-end's header", () => {
    expect(callerKey(req({ "x-api-key": "sk-ant" }), "openai")).toBeUndefined();
    expect(callerKey(req({ authorization: "Bearer sk-open" }), "gemini")).toBeUndefined();
    expect(callerKey(req({ authorization: "Basic abc" }), "openai")).toBeUndefined();
  });

  it("lands on the request context, with the dialect", () => {
    const ctx = requestContext("anthropic", req({ "x-api-key": "sk-ant", "x-request-id": "r-1" }));
    expect(ctx).toMatchObject({ dialect: "anthropic", credential: "sk-ant", id: "r-1" });
    expect(requestContext("openai", req({})).credential).toBeUndefined();
  });
});
