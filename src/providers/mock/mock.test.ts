/**
 * The mock provider runs the conformance suite against recordings of its own in-process upstream,
 * made here through the adapter's own request transform: a check that the mock speaks the same
 * wire format as the OpenAI recordings the other adapters are tested with.
 */
import { describe, expect, it } from "bun:test";
import type { ChatRequest, ChatResponse, FunctionTool } from "../../core/chat.ts";
import {
  runProviderSuite,
  type ProviderFixtures,
} from "../../../test/helpers/provider-conformance.ts";
import { openAiFixtures } from "../openai/fixtures.ts";
import { mock } from "./adapter.ts";
import { createMockOpenAi } from "./openai-upstream.ts";

const MODEL = "echo";
const upstream = createMockOpenAi();

function post(path: string, body: unknown): Promise<Response> {
  const init = { method: "POST", headers: mock.headers(undefined), body: JSON.stringify(body) };
  return upstream(new Request(`http://mock.switchyard.internal/v1${path}`, init));
}

/** Sends a canonical request the way the gateway would and returns the raw response. */
function record(req: ChatRequest): Promise<Response> {
  return post("/chat/completions", mock.chat.toRequest(req, MODEL));
}

const weather: FunctionTool = {
  type: "function",
  function: {
    name: "get_weather",
    parameters: {
      type: "object",
      properties: { location: { type: "string" }, days: { type: "integer" } },
    },
  },
};
const greeting: ChatRequest = {
  model: "mock/echo",
  messages: [{ role: "user", content: "Grüße aus Köln 👋" }],
};
const toolTurn: ChatRequest = {
  model: "mock/echo",
  messages: [{ role: "user", content: "Weather in Köln?" }],
  tools: [weather],
};

const chatResponse = (await (await record(greeting)).json()) as ChatResponse;
const toolResponse = (await (await record(toolTurn)).json()) as ChatResponse;
const textSse = await (await record({ ...greeting, stream: true })).text();
const toolSse = await (await record({ ...toolTurn, stream: true })).text();
const embeddingsBody: unknown = await (
  await post("/embeddings", { model: MODEL, input: "hello", dimensions: 16 })
).json();

// The mock never fails midway, so the in-stream error case reuses the OpenAI recording.
const mockFixtures: ProviderFixtures = {
  ...openAiFixtures,
  model: MODEL,
  chat: {
    response: chatResponse,
    text: "This is the Switchyard mock. You said: Grüße aus Köln 👋",
    usage: chatResponse.usage!,
  },
  stream: {
    sse: textSse,
    text: "This is the Switchyard mock. You said: Grüße aus Köln 👋",
    finishReason: "stop",
    usage: chatResponse.usage!,
  },
  toolStream: {
    sse: toolSse,
    name: "get_weather",
    arguments: { location: "mock", days: 1 },
    usage: toolResponse.usage!,
  },
  embeddings: { response: embeddingsBody, dimensions: 16 },
};

// The stream fixtures expect the text and usage of the non-streaming answer: both must agree.
runProviderSuite(mock, mockFixtures);

describe("mock upstream", () => {
  it("answers a chat request with a finished chat.completion for the model asked", () => {
    expect(chatResponse.object).toBe("chat.completion");
    expect(chatResponse.model).toBe(MODEL);
    expect(chatResponse.choices[0]!.finish_reason).toBe("stop");
  });

  it("answers a tool turn with a tool call and no text", () => {
    const message = toolResponse.choices[0]!.message;
    expect(toolResponse.choices[0]!.finish_reason).toBe("tool_calls");
    expect(message.content).toBeNull();
    expect(message.tool_calls![0]!.function.name).toBe("get_weather");
  });

  it("frames its stream as OpenAI does, ending with [DONE]", () => {
    expect(textSse.startsWith("data: {")).toBe(true);
    expect(textSse.endsWith("data: [DONE]\n\n")).toBe(true);
  });

  it("sends an error body that the adapter maps by status", async () => {
    const failing = (model: string) => post("/chat/completions", { ...greeting, model });
    const limited = await failing("fail-429");
    expect(limited.status).toBe(429);
    const rateLimited = mock.mapError(429, await limited.json(), 1);
    expect(rateLimited.code).toBe("UPSTREAM_RATE_LIMITED");
    expect(rateLimited.upstreamCode).toBe("rate_limit_exceeded");
    const unauthorized = await failing("fail-401");
    const mapped = mock.mapError(unauthorized.status, await unauthorized.json());
    expect(mapped.status).toBe(401);
    expect(mapped.upstreamCode).toBe("invalid_api_key");
  });

  it("serves requests in process through the adapter's local fetch", async () => {
    const local = mock.local({
      name: "mock",
      type: "mock",
      keys: [],
      headers: {},
      timeout_ms: 1000,
      headers_timeout_ms: 1000,
      stream_idle_timeout_ms: 1000,
      max_response_bytes: 1 << 20,
      max_event_bytes: 1 << 20,
      retry: { max_attempts: 1, initial_backoff_ms: 0, max_backoff_ms: 0 },
      breaker: {
        enabled: false,
        consecutive_failures: 1,
        failure_rate: 1,
        window_ms: 1,
        min_requests: 1,
        cooldown_ms: 1,
      },
      key_cooldown_ms: 0,
      http2: "never",
      models: ["echo", "echo-large"],
      pool: { concurrency: 1, queue_size: 0, workers: 0, on_full: "reject" },
      mock: { latency_ms: 0, chunk_delay_ms: 0 },
    });
    const res = await local(new Request(`${mock.defaultBaseUrl}/models`));
    const list = (await res.json()) as { data: { id: string }[] };
    expect(list.data.map((m) => m.id)).toEqual(["echo", "echo-large"]);
  });
});
