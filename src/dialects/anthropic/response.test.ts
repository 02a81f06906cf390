import { describe, expect, it } from "bun:test";
import type { ChatResponse, FinishReason } from "../../core/chat.ts";
import { anthropic } from "./index.ts";
import { thrown } from "../../../test/helpers/canonical.ts";

const message = (extra: Record<string, unknown>) => ({
  id: "msg_01",
  type: "message",
  role: "assistant",
  model: "claude-sonnet-4-5",
  content: [{ type: "text", text: "Hi" }],
  stop_reason: "end_turn",
  stop_sequence: null,
  usage: { input_tokens: 10, output_tokens: 5 },
  ...extra,
});

const canonical = (finish: FinishReason, extra: Partial<ChatResponse> = {}): ChatResponse => ({
  id: "chatcmpl-1",
  object: "chat.completion",
  created: 1,
  model: "gpt-4o",
  choices: [{ index: 0, message: { role: "assistant", content: "Hi" }, finish_reason: finish }],
  usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
  ...extra,
});

describe("anthropic responseIn", () => {
  it("maps every stop reason to a finish reason", () => {
    const table: [string | null, FinishReason][] = [
      ["end_turn", "stop"],
      ["stop_sequence", "stop"],
      ["pause_turn", "stop"],
      ["max_tokens", "length"],
      ["model_context_window_exceeded", "length"],
      ["tool_use", "tool_calls"],
      ["refusal", "content_filter"],
      ["a_reason_added_later", "stop"],
      [null, "stop"],
    ];
    for (const [stop, finish] of table) {
      const res = anthropic.responseIn(message({ stop_reason: stop }));
      expect([stop, res.choices[0]!.finish_reason]).toEqual([stop, finish]);
    }
  });

  it("joins text blocks, skips thinking, and turns tool_use blocks into tool calls", () => {
    const res = anthropic.responseIn(
      message({
        content: [
          { type: "thinking", thinking: "hmm", signature: "s" },
          { type: "text", text: "Let me " },
          { type: "text", text: "check." },
          { type: "tool_use", id: "toolu_1", name: "f", input: { a: 1 } },
        ],
        stop_reason: "tool_use",
      }),
    );
    expect(res.id).toBe("msg_01");
    expect(res.choices[0]!.message).toEqual({
      role: "assistant",
      content: "Let me check.",
      tool_calls: [
        { id: "toolu_1", type: "function", function: { name: "f", arguments: '{"a":1}' } },
      ],
    });
  });

  it("gives a message without text blocks a null content", () => {
    const res = anthropic.responseIn(message({ content: [], stop_reason: "refusal" }));
    expect(res.choices[0]!.message.content).toBeNull();
  });

  it("counts cache reads and writes as prompt tokens and reports the reads as cached", () => {
    const usage = {
      input_tokens: 4,
      cache_read_input_tokens: 100,
      cache_creation_input_tokens: 20,
      output_tokens: 6,
    };
    expect(anthropic.responseIn(message({ usage })).usage).toEqual({
      prompt_tokens: 124,
      completion_tokens: 6,
      total_tokens: 130,
      prompt_tokens_details: { cached_tokens: 100 },
    });
  });

  it("refuses a malformed upstream body as an invalid upstream response", () => {
    const bodies = [
      "text",
      message({ content: undefined }),
      message({ usage: undefined }),
      message({ content: ["x"] }),
      message({ content: [{ type: "tool_use", name: "f", input: {} }] }),
      message({ content: [{ type: "tool_use", id: "t", name: "f", input: "{}" }] }),
    ];
    for (const body of bodies) {
      const err = thrown(() => anthropic.responseIn(body));
      expect({ code: err.code, status: err.status }).toEqual({
        code: "UPSTREAM_INVALID_RESPONSE",
        status: 502,
      });
    }
  });
});

describe("anthropic responseOut", () => {
  it("maps every finish reason to a stop reason", () => {
    const table: [FinishReason, string][] = [
      ["stop", "end_turn"],
      ["length", "max_tokens"],
      ["tool_calls", "tool_use"],
      ["function_call", "tool_use"],
      ["content_filter", "refusal"],
    ];
    for (const [finish, stop] of table) {
      const body = anthropic.responseOut(canonical(finish)) as Record<string, unknown>;
      expect([finish, body.stop_reason]).toEqual([finish, stop]);
    }
  });

  it("prefixes ids with msg_ once and writes a text block only for non-empty text", () => {
    const tool = {
      id: "call_1",
      type: "function" as const,
      function: { name: "f", arguments: '{"a":1}' },
    };
    const res = canonical("tool_calls", {
      id: "msg_x",
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: "", tool_calls: [tool] },
          finish_reason: "tool_calls",
        },
      ],
    });
    expect(anthropic.responseOut(res)).toEqual({
      id: "msg_x",
      type: "message",
      role: "assistant",
      model: "gpt-4o",
      content: [{ type: "tool_use", id: "call_1", name: "f", input: { a: 1 } }],
      stop_reason: "tool_use",
      stop_sequence: null,
      usage: { input_tokens: 10, output_tokens: 5 },
    });
  });

  it("splits cached prompt tokens back out into cache_read_input_tokens", () => {
    const usage = {
      prompt_tokens: 124,
      completion_tokens: 6,
      total_tokens: 130,
      prompt_tokens_details: { cached_tokens: 100 },
    };
    const body = anthropic.responseOut(canonical("stop", { usage })) as Record<string, unknown>;
    expect(body.usage).toEqual({
      input_tokens: 24,
      output_tokens: 6,
      cache_read_input_tokens: 100,
    });
  });

  it("returns an Anthropic provider's body unchanged", () => {
    const native = message({ content: [{ type: "thinking", thinking: "t", signature: "s" }] });
    const res = { ...canonical("stop"), native: { dialect: "anthropic" as const, body: native } };
    expect(anthropic.responseOut(res)).toBe(native);
  });

  it("blames the upstream for tool arguments that are not a JSON object", () => {
    const tool = { id: "c", type: "function" as const, function: { name: "f", arguments: "{" } };
    const res = canonical("tool_calls", {
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: null, tool_calls: [tool] },
          finish_reason: "tool_calls",
        },
      ],
    });
    expect(thrown(() => anthropic.responseOut(res)).code).toBe("UPSTREAM_INVALID_RESPONSE");
  });

  it("reads every finish reason back as it was written", () => {
    for (const finish of ["stop", "length", "tool_calls", "content_filter"] as const) {
      const back = anthropic.responseIn(anthropic.responseOut(canonical(finish)));
      expect(back.choices[0]!.finish_reason).toBe(finish);
    }
  });
});
