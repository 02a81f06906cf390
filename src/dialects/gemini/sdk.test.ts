/**
 * What the official `@google/genai` SDK makes of this dialect's output, in process: its fetch is
 * replaced by one that records the URL and answers with events framed as the transport frames
 * them (`data: ...\n\n`). No sockets; the end-to-end matrix covers the real server.
 */
import { describe, expect, it } from "bun:test";
import { ApiError, GoogleGenAI } from "@google/genai";
import type { ChatChunk } from "../../core/chat.ts";
import { GatewayError } from "../../core/errors.ts";
import type { SseEvent } from "../../core/stream.ts";
import { gemini } from "./index.ts";
import { chunk, weatherCallStream } from "../../../test/helpers/canonical.ts";

function client(answer: () => Response) {
  const urls: string[] = [];
  const fetch = async (input: string | URL | Request): Promise<Response> => {
    urls.push(String(input instanceof Request ? input.url : input));
    return answer();
  };
  const ai = new GoogleGenAI({
    apiKey: "k",
    httpOptions: { baseUrl: "http://gateway.test", apiVersion: "v1beta", fetch },
  });
  return { ai, urls };
}

const sse = (events: SseEvent[]) =>
  new Response(events.map((e) => `data: ${e.data}\n\n`).join(""), {
    headers: { "content-type": "text/event-stream" },
  });

function encode(chunks: ChatChunk[]): SseEvent[] {
  const enc = gemini.streamOut({ model: "openai/gpt-4o-mini", messages: [] });
  return [...chunks.flatMap((c) => enc.push(c)), ...enc.end()];
}

describe("the @google/genai SDK", () => {
  it("puts a model name with a slash into the path unencoded", async () => {
    const { ai, urls } = client(() =>
      Response.json({ candidates: [{ content: { role: "model", parts: [{ text: "hi" }] } }] }),
    );
    await ai.models.generateContent({ model: "openai/gpt-4o-mini", contents: "hi" });
    await ai.models.generateContentStream({ model: "models/openai/gpt-4o-mini", contents: "hi" });
    expect(urls).toEqual([
      "http://gateway.test/v1beta/models/openai/gpt-4o-mini:generateContent",
      "http://gateway.test/v1beta/models/openai/gpt-4o-mini:streamGenerateContent?alt=sse",
    ]);
  });

  it("reads an encoded stream's text, whole function calls, finish reason and usage", async () => {
    const events = encode(
      weatherCallStream(['{"city":"Paris"}'], {
        prompt_tokens: 5,
        completion_tokens: 7,
        total_tokens: 12,
      }),
    );
    const { ai } = client(() => sse(events));
    const stream = await ai.models.generateContentStream({
      model: "openai/gpt-4o-mini",
      contents: "hi",
    });
    const seen = [];
    for await (const response of stream) seen.push(response);
    expect(seen).toHaveLength(2);
    expect(seen[0]!.text).toBe("Checking");
    const last = seen[1]!;
    expect(last.functionCalls).toEqual([
      { id: "call_1", name: "get_weather", args: { city: "Paris" } },
    ]);
    expect(last.candidates?.[0]?.finishReason).toBe("STOP" as never);
    expect(last.usageMetadata?.totalTokenCount).toBe(12);
  });

  it("keeps a streamed chat answer in the chat's history", async () => {
    const events = encode([chunk({ role: "assistant", content: "Hello" }), chunk({}, "stop")]);
    const { ai } = client(() => sse(events));
    const chat = ai.chats.create({ model: "openai/gpt-4o-mini" });
    for await (const _ of await chat.sendMessageStream({ message: "hi" })) void _;
    expect(chat.getHistory(true).map((c) => c.role)).toEqual(["user", "model", "model"]);
  });

  it("throws an ApiError with the status of an in-stream error event", async () => {
    const enc = gemini.streamOut({ model: "m", messages: [] });
    const events = [
      ...enc.push(chunk({ content: "Hel" })),
      ...enc.fail(new GatewayError("UPSTREAM_TIMEOUT", "took too long")),
    ];
    const { ai } = client(() => sse(events));
    const stream = await ai.models.generateContentStream({ model: "m", contents: "hi" });
    let caught: unknown;
    try {
      for await (const _ of stream) void _;
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ApiError);
    expect((caught as ApiError).status).toBe(504);
  });

  it("reads an errorOut body as an ApiError with the HTTP status", async () => {
    const body = gemini.errorOut(new GatewayError("MODEL_NOT_FOUND", "no such model"));
    const { ai } = client(() => Response.json(body, { status: 404 }));
    let caught: unknown;
    try {
      await ai.models.generateContent({ model: "nope/x", contents: "hi" });
    } catch (err) {
      caught = err;
    }
    expect((caught as ApiError).status).toBe(404);
    expect(JSON.parse((caught as ApiError).message)).toEqual(body);
  });
});
