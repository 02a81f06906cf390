import { describe, expect, it } from "bun:test";
import type { ChatResponse, FinishReason } from "../../core/chat.ts";
import { GatewayError } from "../../core/errors.ts";
import { gemini } from "./index.ts";
import { finishReason, geminiFinish } from "./response.ts";

const body = (candidate: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  candidates: [{ content: { role: "model", parts: [{ text: "ok" }] }, index: 0, ...candidate }],
  modelVersion: "gemini-2.5-flash",
  responseId: "r1",
  ...extra,
});

function canonical(
  message: ChatResponse["choices"][0]["message"],
  finish: FinishReason,
): ChatResponse {
  return {
    id: "c1",
    object: "chat.completion",
    created: 1,
    model: "gpt",
    choices: [{ index: 0, message, finish_reason: finish }],
  };
}

function upstreamFault(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof GatewayError) return err.code;
    throw err;
  }
  throw new Error("expected an error");
}

describe("gemini finish reasons", () => {
  it("reads each Gemini finish reason", () => {
    const table: [string, boolean, FinishReason][] = [
      ["STOP", false, "stop"],
      ["STOP", true, "tool_calls"],
      ["MAX_TOKENS", false, "length"],
      ["MAX_TOKENS", true, "length"],
      ["SAFETY", false, "content_filter"],
      ["RECITATION", false, "content_filter"],
      ["BLOCKLIST", false, "content_filter"],
      ["PROHIBITED_CONTENT", false, "content_filter"],
      ["SPII", false, "content_filter"],
      ["IMAGE_SAFETY", false, "content_filter"],
      ["MALFORMED_FUNCTION_CALL", false, "stop"],
      ["LANGUAGE", false, "stop"],
      ["OTHER", false, "stop"],
    ];
    for (const [reason, calls, expected] of table) {
      expect([reason, calls, finishReason(reason, calls)]).toEqual([reason, calls, expected]);
    }
    expect(finishReason(undefined, false)).toBeNull();
  });

  it("writes each canonical finish reason", () => {
    expect(geminiFinish("stop")).toBe("STOP");
    expect(geminiFinish("tool_calls")).toBe("STOP");
    expect(geminiFinish("length")).toBe("MAX_TOKENS");
    expect(geminiFinish("content_filter")).toBe("SAFETY");
    expect(geminiFinish(null)).toBe("STOP");
  });
});

describe("gemini responseIn", () => {
  it("refuses bodies that are not generateContent responses", () => {
    expect(upstreamFault(() => gemini.responseIn("nope"))).toBe("UPSTREAM_INVALID_RESPONSE");
    expect(upstreamFault(() => gemini.responseIn({ usageMetadata: {} }))).toBe(
      "UPSTREAM_INVALID_RESPONSE",
    );
    expect(
      upstreamFault(() => gemini.responseIn(body({ content: { parts: [{ functionCall: {} }] } }))),
    ).toBe("UPSTREAM_INVALID_RESPONSE");
    expect(upstreamFault(() => gemini.responseIn(body({ content: { parts: [7] } })))).toBe(
      "UPSTREAM_INVALID_RESPONSE",
    );
  });

  it("takes Gemini's total and counts thought tokens as completion tokens", () => {
    const usageMetadata = {
      promptTokenCount: 10,
      candidatesTokenCount: 4,
      thoughtsTokenCount: 6,
      toolUsePromptTokenCount: 3,
      totalTokenCount: 23,
    };
    expect(gemini.responseIn(body({}, { usageMetadata })).usage).toEqual({
      prompt_tokens: 10,
      completion_tokens: 10,
      total_tokens: 23,
    });
  });

  it("makes up an id when Gemini sends no responseId", () => {
    const { responseId: _, ...anonymous } = body({});
    expect(gemini.responseIn(anonymous).id.length).toBeGreaterThan(0);
  });
});

describe("gemini responseOut", () => {
  it("sends a Gemini provider's body on unchanged", () => {
    const native = body({ finishReason: "STOP" });
    const res = { ...gemini.responseIn(native) };
    expect(gemini.responseOut(res)).toBe(native);
  });

  it("still sends one empty text part when there is nothing to say", () => {
    const out = gemini.responseOut(canonical({ role: "assistant", content: null }, "stop"));
    expect(out).toMatchObject({
      candidates: [{ content: { role: "model", parts: [{ text: "" }] } }],
    });
  });

  it("sends a refusal as text", () => {
    const out = gemini.responseOut(
      canonical({ role: "assistant", content: null, refusal: "I can't help with that." }, "stop"),
    );
    expect(out).toMatchObject({
      candidates: [
        { content: { parts: [{ text: "I can't help with that." }] }, finishReason: "STOP" },
      ],
    });
  });

  it("treats a provider's malformed tool arguments as an upstream fault", () => {
    const res = canonical(
      {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: "{oops" } }],
      },
      "tool_calls",
    );
    expect(upstreamFault(() => gemini.responseOut(res))).toBe("UPSTREAM_INVALID_RESPONSE");
  });
});
