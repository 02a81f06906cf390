import { describe, expect, it } from "bun:test";
import type { ChatChunk, ChunkChoice } from "../../core/chat.ts";
import { GatewayError } from "../../core/errors.ts";
import type { SseEvent } from "../../core/stream.ts";
import { anthropic } from "./index.ts";
import { thrown, chunk } from "../../../test/helpers/canonical.ts";

const event = (type: string, data: Record<string, unknown> = {}): SseEvent => ({
  event: type,
  data: JSON.stringify({ type, ...data }),
});
const start = event("message_start", {
  message: {
    id: "msg_1",
    type: "message",
    role: "assistant",
    model: "claude-haiku-4-5",
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { input_tokens: 12, output_tokens: 1 },
  },
});
const textStart = event("content_block_start", {
  index: 0,
  content_block: { type: "text", text: "" },
});
const text = (t: string) =>
  event("content_block_delta", { index: 0, delta: { type: "text_delta", text: t } });
const stop = (reason: string | null, usage: Record<string, unknown> = { output_tokens: 3 }) =>
  event("message_delta", { delta: { stop_reason: reason, stop_sequence: null }, usage });
const errorEvent = (type: string) =>
  event("error", { error: { type, message: `${type} happened` } });

function parseAll(events: SseEvent[]) {
  const state = anthropic.streamIn.init();
  const steps = events.map((e) => anthropic.streamIn.parse(e, state));
  return { state, steps, chunks: steps.flatMap((s) => (s === "done" ? [] : [...s])) };
}

describe("anthropic streamIn", () => {
  it("yields one chunk per event, each carrying its event, and ends at message_stop", () => {
    const events = [start, event("ping"), textStart, text("Hi"), stop("end_turn")];
    const { steps, chunks } = parseAll([...events, event("message_stop")]);
    expect(steps.at(-1)).toBe("done");
    expect(chunks.map((c) => c.native?.event)).toEqual(events);
    expect(chunks.map((c) => c.id)).toEqual(events.map(() => "msg_1"));
    expect(chunks[0]!.choices[0]!.delta).toEqual({ role: "assistant", content: "" });
    expect(chunks[3]!.choices[0]!.delta).toEqual({ content: "Hi" });
  });

  it("puts the finish reason and the completed usage on the message_delta chunk", () => {
    const { chunks } = parseAll([start, stop("max_tokens", { output_tokens: 9 })]);
    expect(chunks[1]!.choices).toEqual([{ index: 0, delta: {}, finish_reason: "length" }]);
    expect(chunks[1]!.usage).toEqual({ prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 });
  });

  it("maps every stop reason of message_delta", () => {
    const table: [string, ChunkChoice["finish_reason"]][] = [
      ["end_turn", "stop"],
      ["stop_sequence", "stop"],
      ["pause_turn", "stop"],
      ["max_tokens", "length"],
      ["tool_use", "tool_calls"],
      ["refusal", "content_filter"],
    ];
    for (const [reason, finish] of table) {
      const { chunks } = parseAll([start, stop(reason)]);
      expect([reason, chunks[1]!.choices[0]!.finish_reason]).toEqual([reason, finish]);
    }
  });

  it("numbers tool calls in order and routes argument fragments by block index", () => {
    const toolStart = (index: number, id: string) =>
      event("content_block_start", {
        index,
        content_block: { type: "tool_use", id, name: "f", input: {} },
      });
    const json = (index: number, partial: string) =>
      event("content_block_delta", {
        index,
        delta: { type: "input_json_delta", partial_json: partial },
      });
    const { chunks } = parseAll([
      start,
      toolStart(1, "toolu_a"),
      json(1, '{"a":'),
      toolStart(2, "toolu_b"),
      json(2, "{}"),
      json(1, "1}"),
    ]);
    const calls = chunks.slice(1).map((c) => c.choices[0]!.delta.tool_calls![0]);
    expect(calls).toEqual([
      { index: 0, id: "toolu_a", type: "function", function: { name: "f", arguments: "" } },
      { index: 0, function: { arguments: '{"a":' } },
      { index: 1, id: "toolu_b", type: "function", function: { name: "f", arguments: "" } },
      { index: 1, function: { arguments: "{}" } },
      { index: 0, function: { arguments: "1}" } },
    ]);
  });

  it("passes unknown event types on as chunks without choices", () => {
    const odd = event("content_block_annotation", { index: 0 });
    const { chunks } = parseAll([start, odd]);
    expect(chunks[1]!.choices).toEqual([]);
    expect(chunks[1]!.native?.event).toEqual(odd);
  });

  it("treats a stream closed after a stop reason as complete", () => {
    const { state } = parseAll([start, textStart, text("Hi"), stop("end_turn")]);
    expect(anthropic.streamIn.end(state)).toEqual([]);
  });

  it("reports a stream cut short before its stop reason as an invalid upstream response", () => {
    const { state } = parseAll([start, textStart, text("Hi"), stop(null)]);
    const err = thrown(() => anthropic.streamIn.end(state));
    expect({ code: err.code, status: err.status }).toEqual({
      code: "UPSTREAM_INVALID_RESPONSE",
      status: 502,
    });
  });

  it("throws the gateway error each in-stream error type stands for", () => {
    const table: [string, string, number, boolean][] = [
      ["overloaded_error", "UPSTREAM_ERROR", 502, true],
      ["api_error", "UPSTREAM_ERROR", 502, true],
      ["rate_limit_error", "UPSTREAM_RATE_LIMITED", 429, true],
      ["invalid_request_error", "UPSTREAM_CLIENT_ERROR", 400, false],
      ["some_new_error", "UPSTREAM_ERROR", 502, true],
    ];
    for (const [type, code, status, retryable] of table) {
      const err = thrown(() => parseAll([start, errorEvent(type)]));
      expect([type, err.code, err.status, err.retryable, err.upstreamType]).toEqual([
        type,
        code,
        status,
        retryable,
        type,
      ]);
    }
  });

  it("refuses events that are not JSON objects and deltas outside a tool block", () => {
    const bad = [
      { event: "message_start", data: "{" },
      { event: "ping", data: "[]" },
      event("content_block_start", { index: 0 }),
      event("content_block_delta", {
        index: 4,
        delta: { type: "input_json_delta", partial_json: "{" },
      }),
    ];
    for (const e of bad) {
      expect(thrown(() => parseAll([start, e])).code).toBe("UPSTREAM_INVALID_RESPONSE");
    }
  });
});

function encode(chunks: ChatChunk[]) {
  const encoder = anthropic.streamOut({ model: "openai/gpt-4o-mini", messages: [] });
  const events = [...chunks.flatMap((c) => encoder.push(c)), ...encoder.end()];
  return events.map((e) => ({
    event: e.event,
    data: JSON.parse(e.data) as Record<string, unknown>,
  }));
}

describe("anthropic streamOut", () => {
  it("names every event after the type its data carries", () => {
    const events = encode([chunk({ role: "assistant", content: "Hi" }), chunk({}, "stop")]);
    expect(events.map((e) => e.event)).toEqual([
      "message_start",
      "ping",
      "content_block_start",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    expect(events.every((e) => e.data.type === e.event)).toBe(true);
  });

  it("holds the stop reason until the end and sends it with the usage that came after it", () => {
    const usage = { prompt_tokens: 8, completion_tokens: 2, total_tokens: 10 };
    const events = encode([
      chunk({ content: "Hi" }),
      chunk({}, "length"),
      { ...chunk({}), choices: [], usage },
    ]);
    expect(events.at(-2)!.data).toEqual({
      type: "message_delta",
      delta: { stop_reason: "max_tokens", stop_sequence: null },
      usage: { input_tokens: 8, output_tokens: 2 },
    });
  });

  it("carries a tool call's argument fragments across chunks into one block", () => {
    const events = encode([
      chunk({
        tool_calls: [
          { index: 0, id: "call_1", type: "function", function: { name: "f", arguments: "" } },
        ],
      }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"a"' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: ":1}" } }] }),
      chunk({}, "tool_calls"),
    ]);
    const deltas = events.filter((e) => e.event === "content_block_delta").map((e) => e.data.delta);
    expect(deltas).toEqual([
      { type: "input_json_delta", partial_json: '{"a"' },
      { type: "input_json_delta", partial_json: ":1}" },
    ]);
    expect(events[2]!.data.content_block).toEqual({
      type: "tool_use",
      id: "call_1",
      name: "f",
      input: {},
    });
  });

  it("opens a new text block for text after a tool call and sends refusal text as text", () => {
    const events = encode([
      chunk({
        tool_calls: [
          { index: 0, id: "c", type: "function", function: { name: "f", arguments: "{}" } },
        ],
      }),
      chunk({ refusal: "No." }),
    ]);
    const starts = events.filter((e) => e.event === "content_block_start").map((e) => e.data);
    expect(starts.map((s) => s.index)).toEqual([0, 1]);
    expect(events.filter((e) => e.event === "content_block_stop").map((e) => e.data.index)).toEqual(
      [0, 1],
    );
    expect(
      events.find((e) => e.data.index === 1 && e.event === "content_block_delta")!.data.delta,
    ).toEqual({
      type: "text_delta",
      text: "No.",
    });
  });

  it("produces a complete event sequence for a stream with no chunks at all", () => {
    const events = encode([]);
    expect(events.map((e) => e.event)).toEqual([
      "message_start",
      "ping",
      "message_delta",
      "message_stop",
    ]);
    const message = events[0]!.data.message as Record<string, unknown>;
    expect(String(message.id).startsWith("msg_")).toBe(true);
    expect(message.model).toBe("openai/gpt-4o-mini");
  });

  it("sends an Anthropic provider's events unchanged and closes with message_stop only", () => {
    const encoder = anthropic.streamOut({ model: "a/claude", messages: [] });
    const { chunks } = parseAll([start, textStart, text("Hi"), stop("end_turn")]);
    const events = chunks.flatMap((c) => encoder.push(c));
    expect(events).toEqual([start, textStart, text("Hi"), stop("end_turn")]);
    expect(encoder.end()).toEqual([{ event: "message_stop", data: '{"type":"message_stop"}' }]);
  });

  it("reports a failure as an Anthropic error event", () => {
    const encoder = anthropic.streamOut({ model: "m", messages: [] });
    const err = new GatewayError("UPSTREAM_RATE_LIMITED", "slow down");
    expect(encoder.fail(err)).toEqual([
      {
        event: "error",
        data: JSON.stringify({
          type: "error",
          error: { type: "rate_limit_error", message: "slow down" },
        }),
      },
    ]);
  });
});
