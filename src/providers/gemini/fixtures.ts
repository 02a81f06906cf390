/**
 * Recordings in the Gemini API's wire format (`alt=sse` streams; shapes as in Google's API
 * reference), for the provider conformance suite.
 */
import type { ProviderFixtures } from "../../../test/helpers/provider-conformance.ts";

const MODEL = "gemini-2.0-flash";
const ev = (data: object) =>
  `data: ${JSON.stringify({ ...data, modelVersion: MODEL, responseId: "gem-resp-1" })}\n\n`;
const text = (t: string, extra: object = {}) => ({
  candidates: [{ content: { parts: [{ text: t }], role: "model" }, index: 0, ...extra }],
});
const usage = (prompt: number, out?: number) => ({
  usageMetadata: {
    promptTokenCount: prompt,
    ...(out === undefined ? {} : { candidatesTokenCount: out }),
    totalTokenCount: prompt + (out ?? 0),
  },
});

const textStream =
  ev({ ...text("Hello"), ...usage(8) }) +
  ev({ ...text(", how"), ...usage(8) }) +
  ev({ ...text(" can I"), ...usage(8) }) +
  ev({ ...text(" help?", { finishReason: "STOP" }), ...usage(8, 9) });

const toolStream = ev({
  candidates: [
    {
      content: {
        parts: [
          {
            functionCall: {
              name: "get_weather",
              args: { location: "Boston, MA", unit: "celsius" },
            },
          },
        ],
        role: "model",
      },
      finishReason: "STOP",
      index: 0,
    },
  ],
  ...usage(52, 11),
});

const errorStream =
  ev({ ...text("Hel"), ...usage(4) }) +
  `data: ${JSON.stringify({ error: { code: 429, message: "Resource has been exhausted (e.g. check quota).", status: "RESOURCE_EXHAUSTED" } })}\n\n`;

export const geminiFixtures: ProviderFixtures = {
  model: MODEL,
  chat: {
    response: {
      candidates: [
        {
          content: { parts: [{ text: "Hello! How can I help you today?" }], role: "model" },
          finishReason: "STOP",
          index: 0,
        },
      ],
      usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 9, totalTokenCount: 14 },
      modelVersion: MODEL,
      responseId: "gem-resp-0",
    },
    text: "Hello! How can I help you today?",
    usage: { prompt_tokens: 5, completion_tokens: 9, total_tokens: 14 },
  },
  stream: {
    sse: textStream,
    text: "Hello, how can I help?",
    finishReason: "stop",
    usage: { prompt_tokens: 8, completion_tokens: 9, total_tokens: 17 },
  },
  toolStream: {
    sse: toolStream,
    name: "get_weather",
    arguments: { location: "Boston, MA", unit: "celsius" },
    usage: { prompt_tokens: 52, completion_tokens: 11, total_tokens: 63 },
  },
  errorStream: { sse: errorStream, code: "UPSTREAM_RATE_LIMITED" },
  errorBody: (message, type) => ({ error: { code: 400, message, status: type } }),
  auth: { header: "x-goog-api-key", value: (key) => key },
  passesUnknownFields: false,
  modelIn: "url",
  errorCodes: false,
};
