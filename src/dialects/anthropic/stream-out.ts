/**
 * Canonical chunks -> Anthropic's event sequence, each event named (`event:`) and its data
 * carrying the same `type`:
 *
 *   message_start (empty message, usage 0/0 unless the first chunk has usage), ping,
 *   per block: content_block_start, content_block_delta (text_delta | input_json_delta),
 *   content_block_stop; then message_delta {stop_reason, usage}, message_stop.
 *
 * Text goes to a text block, refusal text too; each tool call opens a `tool_use` block with
 * `input: {}` and streams its argument fragments as `partial_json`; a new block closes the open
 * one. OpenAI-format upstreams send usage after the finish reason, so the stop reason is held
 * until end(), where `message_delta` carries it with the last usage seen, input tokens included:
 * @anthropic-ai/sdk's MessageStream (1.13) overwrites `usage.input_tokens` from message_delta
 * when present and always copies `output_tokens` from it, so finalMessage() reports both.
 * A fragment for an earlier tool call (not seen from real upstreams) is sent against its block.
 *
 * Events a chunk carries from an Anthropic provider (`native`) are sent as they are; end() then
 * adds only `message_stop`, which the parser consumed as the end marker.
 */
import type {
  ChatChunk,
  ChatRequest,
  FinishReason,
  ToolCallDelta,
  Usage,
} from "../../core/chat.ts";
import type { GatewayError } from "../../core/errors.ts";
import type { SseEvent, StreamEncoder } from "../../core/stream.ts";
import { anthropicErrorOut } from "./errors.ts";
import { messageId, stopReason, usageOut } from "./mapping.ts";

function sse(type: string, data: object = {}): SseEvent {
  return { event: type, data: JSON.stringify({ type, ...data }) };
}

interface EncoderState {
  started: boolean;
  /** The open block's index and kind. */
  open?: { index: number; kind: "text" | "tool" };
  blocks: number;
  /** Canonical tool-call index -> block index. */
  tools: Map<number, number>;
  finish: FinishReason | null;
  usage?: Usage;
  /** The id and model of the latest chunk, for a message started at end(). */
  id?: string;
  model?: string;
}

function start(req: ChatRequest, state: EncoderState): SseEvent[] {
  if (state.started) return [];
  state.started = true;
  const message = {
    id: messageId(state.id || crypto.randomUUID()),
    type: "message",
    role: "assistant",
    model: state.model || req.model,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { input_tokens: usageOut(state.usage).input_tokens, output_tokens: 0 },
  };
  return [sse("message_start", { message }), sse("ping")];
}

function close(state: EncoderState): SseEvent[] {
  if (!state.open) return [];
  const index = state.open.index;
  state.open = undefined;
  return [sse("content_block_stop", { index })];
}

function text(state: EncoderState, content: string): SseEvent[] {
  const out: SseEvent[] = [];
  if (state.open?.kind !== "text") {
    out.push(...close(state));
    state.open = { index: state.blocks++, kind: "text" };
    const block = { type: "text", text: "" };
    out.push(sse("content_block_start", { index: state.open.index, content_block: block }));
  }
  const delta = { type: "text_delta", text: content };
  out.push(sse("content_block_delta", { index: state.open!.index, delta }));
  return out;
}

function tool(state: EncoderState, d: ToolCallDelta): SseEvent[] {
  const out: SseEvent[] = [];
  let index = state.tools.get(d.index);
  if (index === undefined) {
    out.push(...close(state));
    index = state.blocks++;
    state.tools.set(d.index, index);
    state.open = { index, kind: "tool" };
    const block = {
      type: "tool_use",
      id: d.id ?? `toolu_${crypto.randomUUID().replaceAll("-", "")}`,
      name: d.function?.name ?? "",
      input: {},
    };
    out.push(sse("content_block_start", { index, content_block: block }));
  }
  const partial = d.function?.arguments;
  if (partial) {
    const delta = { type: "input_json_delta", partial_json: partial };
    out.push(sse("content_block_delta", { index, delta }));
  }
  return out;
}

function translate(req: ChatRequest, state: EncoderState, chunk: ChatChunk): SseEvent[] {
  if (chunk.usage) state.usage = chunk.usage;
  state.id ||= chunk.id;
  state.model ||= chunk.model;
  const choice = chunk.choices.find((c) => c.index === 0);
  if (!choice) return [];
  const out = start(req, state);
  const { content, refusal, tool_calls } = choice.delta;
  if (content) out.push(...text(state, content));
  if (refusal) out.push(...text(state, refusal));
  for (const d of tool_calls ?? []) out.push(...tool(state, d));
  if (choice.finish_reason) state.finish = choice.finish_reason;
  return out;
}

function finish(req: ChatRequest, state: EncoderState): SseEvent[] {
  const delta = { stop_reason: stopReason(state.finish), stop_sequence: null };
  return [
    ...start(req, state),
    ...close(state),
    sse("message_delta", { delta, usage: usageOut(state.usage) }),
    sse("message_stop"),
  ];
}

export function anthropicStreamOut(req: ChatRequest): StreamEncoder {
  const state: EncoderState = { started: false, blocks: 0, tools: new Map(), finish: null };
  let passthrough = false;
  return {
    push(chunk) {
      if (chunk.native?.dialect === "anthropic") {
        passthrough = true;
        return [chunk.native.event];
      }
      return translate(req, state, chunk);
    },
    end: () => (passthrough ? [sse("message_stop")] : finish(req, state)),
    fail: (err: GatewayError) => [sse("error", anthropicErrorOut(err))],
  };
}
