/**
 * Recordings in Anthropic's Messages wire format (shapes as in Anthropic's API reference), for the
 * provider conformance suite.
 */
import type { ProviderFixtures } from "../../../test/helpers/provider-conformance.ts";

const ev = (type: string, data: object) =>
  `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;

const start = (input: number) =>
  ev("message_start", {
    message: {
      id: "msg_01XFDUDYJgAACzvnptvVoYEL",
      type: "message",
      role: "assistant",
      content: [],
      model: "claude-sonnet-4-5",
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: input, output_tokens: 1 },
    },
  });

const textStream =
  start(25) +
  ev("content_block_start", { index: 0, content_block: { type: "text", text: "" } }) +
  ev("ping", {}) +
  ev("content_block_delta", { index: 0, delta: { type: "text_delta", text: "Hello" } }) +
  ev("content_block_delta", { index: 0, delta: { type: "text_delta", text: ", how can" } }) +
  ev("content_block_delta", { index: 0, delta: { type: "text_delta", text: " I help?" } }) +
  ev("content_block_stop", { index: 0 }) +
  ev("message_delta", {
    delta: { stop_reason: "end_turn", stop_sequence: null },
    usage: { output_tokens: 15 },
  }) +
  ev("message_stop", {});

const toolStream =
  start(472) +
  ev("content_block_start", { index: 0, content_block: { type: "text", text: "" } }) +
  ev("content_block_delta", { index: 0, delta: { type: "text_delta", text: "Let me check." } }) +
  ev("content_block_stop", { index: 0 }) +
  ev("content_block_start", {
    index: 1,
    content_block: {
      type: "tool_use",
      id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6",
      name: "get_weather",
      input: {},
    },
  }) +
  ev("content_block_delta", { index: 1, delta: { type: "input_json_delta", partial_json: "" } }) +
  ev("content_block_delta", {
    index: 1,
    delta: { type: "input_json_delta", partial_json: '{"location": "San Fra' },
  }) +
  ev("content_block_delta", {
    index: 1,
    delta: { type: "input_json_delta", partial_json: 'ncisco, CA", "unit": "celsius"}' },
  }) +
  ev("content_block_stop", { index: 1 }) +
  ev("message_delta", {
    delta: { stop_reason: "tool_use", stop_sequence: null },
    usage: { output_tokens: 89 },
  }) +
  ev("message_stop", {});

const errorStream =
  start(10) +
  ev("content_block_start", { index: 0, content_block: { type: "text", text: "" } }) +
  ev("content_block_delta", { index: 0, delta: { type: "text_delta", text: "Hel" } }) +
  ev("error", { error: { type: "overloaded_error", message: "Overloaded" } });

export const anthropicFixtures: ProviderFixtures = {
  model: "claude-sonnet-4-5",
  chat: {
    response: {
      id: "msg_01XFDUDYJgAACzvnptvVoYEL",
      type: "message",
      role: "assistant",
      model: "claude-sonnet-4-5",
      content: [{ type: "text", text: "Hello! How can I help you today?" }],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: { input_tokens: 12, output_tokens: 10 },
    },
    text: "Hello! How can I help you today?",
    usage: { prompt_tokens: 12, completion_tokens: 10, total_tokens: 22 },
  },
  stream: {
    sse: textStream,
    text: "Hello, how can I help?",
    finishReason: "stop",
    usage: { prompt_tokens: 25, completion_tokens: 15, total_tokens: 40 },
  },
  toolStream: {
    sse: toolStream,
    name: "get_weather",
    arguments: { location: "San Francisco, CA", unit: "celsius" },
    usage: { prompt_tokens: 472, completion_tokens: 89, total_tokens: 561 },
  },
  errorStream: { sse: errorStream, code: "UPSTREAM_ERROR" },
  errorBody: (message, type) => ({ type: "error", error: { type, message } }),
  auth: { header: "x-api-key", value: (key) => key },
  passesUnknownFields: false,
  modelIn: "body",
  errorCodes: false,
};
