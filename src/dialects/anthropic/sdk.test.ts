/**
 * What the official `@anthropic-ai/sdk` makes of this dialect's output, in process: its fetch is
 * replaced by one that answers with what the codec wrote, framed as the transport frames it
 * (`event: ...\ndata: ...\n\n`). No sockets; the end-to-end matrix covers the real server.
 */
import { describe, expect, it } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import type { ChatChunk, ChatResponse } from "../../core/chat.ts";
import { GatewayError } from "../../core/errors.ts";
import type { SseEvent } from "../../core/stream.ts";
import { anthropic } from "./index.ts";
import { chunk, weatherCallStream } from "../../../test/helpers/canonical.ts";

function client(answer: () => Response): Anthropic {
  const fetch = async (): Promise<Response> => answer();
  return new Anthropic({ apiKey: "k", baseURL: "http://gateway.test", fetch, maxRetries: 0 });
}

const sse = (events: SseEvent[]) =>
  new Response(events.map((e) => `event: ${e.event}\ndata: ${e.data}\n\n`).join(""), {
    headers: { "content-type": "text/event-stream" },
  });

function encode(chunks: ChatChunk[], failure?: GatewayError): SseEvent[] {
  const enc = anthropic.streamOut({ model: "openai/gpt-4o-mini", messages: [] });
  const events = chunks.flatMap((c) => enc.push(c));
  return [...events, ...(failure ? enc.fail(failure) : enc.end())];
}

const params = {
  model: "openai/gpt-4o-mini",
  max_tokens: 64,
  messages: [{ role: "user" as const, content: "Weather in Paris?" }],
};

describe("the @anthropic-ai/sdk", () => {
  it("reads input and output tokens, text, tool input and stop reason from an encoded stream", async () => {
    const events = encode(
      weatherCallStream(['{"city":', '"Paris"}'], {
        prompt_tokens: 25,
        completion_tokens: 7,
        total_tokens: 32,
        prompt_tokens_details: { cached_tokens: 5 },
      }),
    );
    const message = await client(() => sse(events))
      .messages.stream(params)
      .finalMessage();
    expect(message.id).toBe("msg_chatcmpl-1");
    expect(message.stop_reason).toBe("tool_use");
    expect(message.usage).toMatchObject({
      input_tokens: 20,
      output_tokens: 7,
      cache_read_input_tokens: 5,
    });
    expect(message.content as unknown[]).toEqual([
      { type: "text", text: "Checking" },
      { type: "tool_use", id: "call_1", name: "get_weather", input: { city: "Paris" } },
    ]);
  });

  it("raises an in-stream error event as an APIError of its type", async () => {
    const failure = new GatewayError("UPSTREAM_ERROR", "upstream fell over", {
      upstreamType: "overloaded_error",
    });
    const events = encode([chunk({ content: "Hel" })], failure);
    const stream = client(() => sse(events)).messages.stream(params);
    const err = await stream.finalMessage().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect((err as InstanceType<typeof Anthropic.APIError>).type).toBe("overloaded_error");
  });

  it("reads a translated plain response", async () => {
    const res: ChatResponse = {
      id: "chatcmpl-2",
      object: "chat.completion",
      created: 1,
      model: "gpt-4o-mini",
      choices: [
        { index: 0, message: { role: "assistant", content: "18C" }, finish_reason: "length" },
      ],
      usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 },
    };
    const body = anthropic.responseOut(res);
    const message = await client(() => Response.json(body)).messages.create(params);
    expect(message.content as unknown[]).toEqual([{ type: "text", text: "18C" }]);
    expect(message.stop_reason).toBe("max_tokens");
    expect(message.usage).toMatchObject({ input_tokens: 9, output_tokens: 2 });
  });

  it("raises an error body as the SDK's error class for its status, with its type", async () => {
    const err = new GatewayError("UPSTREAM_RATE_LIMITED", "slow down", { retryAfter: 1 });
    const answer = () => Response.json(anthropic.errorOut(err), { status: err.status });
    const caught = await client(answer)
      .messages.create(params)
      .catch((e: unknown) => e);
    expect(caught).toBeInstanceOf(Anthropic.RateLimitError);
    expect((caught as InstanceType<typeof Anthropic.RateLimitError>).type).toBe("rate_limit_error");
  });
});
