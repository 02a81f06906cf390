/**
 * Anthropic stream events -> canonical chunks. Every event but `message_stop` yields one chunk
 * that carries the event itself (`native`), so an Anthropic client can be sent the stream
 * unchanged; events with nothing canonical in them (ping, block stops, thinking and signature
 * deltas, unknown event types) yield a chunk with no choices. `message_start` gives the role
 * chunk; tool calls are numbered in order of their `tool_use` blocks; `message_delta` with a
 * stop reason gives the finish chunk, carrying the usage of `message_start` updated by the
 * delta's (its counts are cumulative). An `error` event throws the GatewayError its type stands
 * for (overloaded / api -> UPSTREAM_ERROR, rate_limit -> UPSTREAM_RATE_LIMITED, invalid_request
 * -> UPSTREAM_CLIENT_ERROR 400). A stream that closes without `message_stop` is complete only if
 * a stop reason arrived.
 */
import type { ChatChunk, ChunkChoice, Usage } from "../../core/chat.ts";
import type { SseEvent, StreamParser, StreamStep } from "../../core/stream.ts";
import { upstreamError } from "../../core/upstream-error.ts";
import { invalidUpstream, isRecord } from "../fields.ts";
import { anthropicErrorIn } from "./errors.ts";
import { finishReason, usageIn } from "./mapping.ts";
import { ERROR_STATUS } from "./wire.ts";

export interface AnthropicStreamState {
  id: string;
  model: string;
  created: number;
  /** The usage of `message_start`, completed by `message_delta`. */
  usage: Record<string, unknown>;
  /** Anthropic block index -> canonical tool-call index, for tool_use blocks. */
  tools: Map<number, number>;
  finished: boolean;
}

function chunk(
  state: AnthropicStreamState,
  event: SseEvent,
  delta?: ChunkChoice["delta"],
  extra: { finish?: ChunkChoice["finish_reason"]; usage?: Usage } = {},
): ChatChunk[] {
  const out: ChatChunk = {
    id: state.id,
    object: "chat.completion.chunk",
    created: state.created,
    model: state.model,
    choices: delta ? [{ index: 0, delta, finish_reason: extra.finish ?? null }] : [],
    native: { dialect: "anthropic", event },
  };
  if (extra.usage) out.usage = extra.usage;
  return [out];
}

function blockStart(data: Record<string, unknown>, state: AnthropicStreamState, event: SseEvent) {
  const block = data.content_block;
  if (!isRecord(block) || typeof data.index !== "number")
    throw invalidUpstream("content_block_start");
  if (block.type === "tool_use") {
    const index = state.tools.size;
    state.tools.set(data.index, index);
    const id = typeof block.id === "string" ? block.id : "";
    const name = typeof block.name === "string" ? block.name : "";
    // Anthropic starts with `input: {}` and streams the input; a whole input here is kept.
    const input = isRecord(block.input) ? block.input : {};
    const args = Object.keys(input).length > 0 ? JSON.stringify(input) : "";
    return chunk(state, event, {
      tool_calls: [{ index, id, type: "function", function: { name, arguments: args } }],
    });
  }
  if (block.type === "text" && typeof block.text === "string" && block.text !== "")
    return chunk(state, event, { content: block.text });
  return chunk(state, event);
}

function blockDelta(data: Record<string, unknown>, state: AnthropicStreamState, event: SseEvent) {
  const delta = data.delta;
  if (!isRecord(delta)) throw invalidUpstream("content_block_delta");
  if (delta.type === "text_delta" && typeof delta.text === "string")
    return chunk(state, event, { content: delta.text });
  if (delta.type === "input_json_delta" && typeof delta.partial_json === "string") {
    const index = state.tools.get(data.index as number);
    if (index === undefined) throw invalidUpstream("input_json_delta outside a tool_use block");
    return chunk(state, event, {
      tool_calls: [{ index, function: { arguments: delta.partial_json } }],
    });
  }
  return chunk(state, event); // thinking, signature, citations
}

function messageStart(data: Record<string, unknown>, state: AnthropicStreamState, event: SseEvent) {
  const message = data.message;
  if (!isRecord(message)) throw invalidUpstream("message_start");
  if (typeof message.id === "string") state.id = message.id;
  if (typeof message.model === "string") state.model = message.model;
  if (isRecord(message.usage)) state.usage = { ...message.usage };
  return chunk(state, event, { role: "assistant", content: "" });
}

function messageDelta(data: Record<string, unknown>, state: AnthropicStreamState, event: SseEvent) {
  const delta = isRecord(data.delta) ? data.delta : {};
  if (isRecord(data.usage)) {
    for (const [key, value] of Object.entries(data.usage))
      if (value != null) state.usage[key] = value;
  }
  const finish = finishReason(delta.stop_reason);
  if (!finish) return chunk(state, event);
  state.finished = true;
  return chunk(state, event, {}, { finish, usage: usageIn(state.usage) });
}

function parse(event: SseEvent, state: AnthropicStreamState): StreamStep {
  let data: unknown;
  try {
    data = JSON.parse(event.data);
  } catch {
    throw invalidUpstream("stream event");
  }
  if (!isRecord(data)) throw invalidUpstream("stream event");
  // An event named `error` is an error whatever its body says its type is.
  const type =
    event.event === "error" ? "error" : typeof data.type === "string" ? data.type : event.event;
  switch (type) {
    case "message_start":
      return messageStart(data, state, event);
    case "content_block_start":
      return blockStart(data, state, event);
    case "content_block_delta":
      return blockDelta(data, state, event);
    case "message_delta":
      return messageDelta(data, state, event);
    case "message_stop":
      return "done";
    case "error": {
      const info = anthropicErrorIn(500, data);
      const own = info.type !== undefined && Object.hasOwn(ERROR_STATUS, info.type);
      throw upstreamError(own ? ERROR_STATUS[info.type!]! : 500, info);
    }
    default:
      return chunk(state, event); // ping, content_block_stop, and events added later
  }
}

export const anthropicStreamIn: StreamParser<AnthropicStreamState> = {
  init: () => ({
    id: "",
    model: "",
    created: Math.floor(Date.now() / 1000),
    usage: {},
    tools: new Map(),
    finished: false,
  }),
  parse,
  end(state) {
    if (!state.finished)
      throw invalidUpstream("stream: it ended before message_delta's stop_reason");
    return [];
  },
};
