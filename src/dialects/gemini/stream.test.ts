import { describe, expect, it } from "bun:test";
import type { ChatChunk, ChunkChoice } from "../../core/chat.ts";
import { GatewayError } from "../../core/errors.ts";
import type { SseEvent } from "../../core/stream.ts";
import { gemini } from "./index.ts";
import { thrown } from "../../../test/helpers/canonical.ts";

const event = (data: unknown): SseEvent => ({ data: JSON.stringify(data) });
const textEvent = (text: string, extra: Record<string, unknown> = {}) =>
  event({
    candidates: [{ content: { role: "model", parts: [{ text }] }, index: 0, ...extra }],
    usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 1, totalTokenCount: 5 },
    modelVersion: "gemini-2.5-flash",
    responseId: "s1",
  });

function parseAll(events: SseEvent[]) {
  const state = gemini.streamIn.init();
  const chunks = events.flatMap((e) => {
    const step = gemini.streamIn.parse(e, state);
    return step === "done" ? [] : [...step];
  });
  return { state, chunks };
}

describe("gemini streamIn", () => {
  it("yields one chunk per event, each carrying the event", () => {
    const events = [textEvent("a"), textEvent("b"), textEvent("", { finishReason: "STOP" })];
    const { chunks } = parseAll(events);
    expect(chunks.map((c) => c.native?.event)).toEqual(events);
    expect(chunks.map((c) => c.choices[0]?.delta.role ?? null)).toEqual(["assistant", null, null]);
  });

  it("ends quietly after a finish reason and refuses a stream cut short", () => {
    expect(gemini.streamIn.end(parseAll([textEvent("a", { finishReason: "STOP" })]).state)).toEqual(
      [],
    );
    const err = thrown(() => gemini.streamIn.end(parseAll([textEvent("a")]).state));
    expect([err.code, err.status]).toEqual(["UPSTREAM_INVALID_RESPONSE", 502]);
  });

  it("attaches usage that arrives after the finish reason to that later chunk", () => {
    const late = event({
      usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 2, totalTokenCount: 6 },
    });
    const { chunks } = parseAll([textEvent("a", { finishReason: "STOP" }), late]);
    expect(chunks.map((c) => c.usage?.total_tokens ?? null)).toEqual([5, 6]);
    expect(chunks[1]!.choices).toEqual([]);
  });

  it("ends a stream whose prompt was blocked with content_filter", () => {
    const blocked = event({
      promptFeedback: { blockReason: "PROHIBITED_CONTENT" },
      responseId: "s2",
    });
    const { state, chunks } = parseAll([blocked]);
    expect(chunks[0]!.choices[0]!.finish_reason).toBe("content_filter");
    expect(gemini.streamIn.end(state)).toEqual([]);
  });

  it("classifies in-stream errors like HTTP errors", () => {
    const parse = (data: unknown) => thrown(() => parseAll([textEvent("a"), event(data)]));
    const limited = parse({ error: { code: 429, message: "quota", status: "RESOURCE_EXHAUSTED" } });
    expect([limited.code, limited.status, limited.upstreamType]).toEqual([
      "UPSTREAM_RATE_LIMITED",
      429,
      "RESOURCE_EXHAUSTED",
    ]);
    const denied = parse({ error: { message: "no", status: "PERMISSION_DENIED" } });
    expect([denied.code, denied.status]).toEqual(["UPSTREAM_CLIENT_ERROR", 403]);
    const wrapped = parse([{ error: { code: 400, message: "bad", status: "INVALID_ARGUMENT" } }]);
    expect([wrapped.code, wrapped.status, wrapped.message]).toEqual([
      "UPSTREAM_CLIENT_ERROR",
      400,
      "bad",
    ]);
    const down = parse({ error: { code: 503, message: "overloaded", status: "UNAVAILABLE" } });
    expect([down.code, down.status]).toEqual(["UPSTREAM_ERROR", 502]);
  });

  it("refuses an event that is not JSON", () => {
    expect(thrown(() => parseAll([{ data: "not json" }])).code).toBe("UPSTREAM_INVALID_RESPONSE");
  });
});

const chunk = (
  delta: ChunkChoice["delta"],
  finish: ChunkChoice["finish_reason"] = null,
): ChatChunk => ({
  id: "c1",
  object: "chat.completion.chunk",
  created: 1,
  model: "gpt-4o-mini",
  choices: [{ index: 0, delta, finish_reason: finish }],
});
const decode = (events: SseEvent[]) =>
  events.map((e) => JSON.parse(e.data) as Record<string, unknown>);

describe("gemini streamOut", () => {
  it("writes no event names and no end marker", () => {
    const enc = gemini.streamOut({ model: "m", messages: [] });
    const events = [...enc.push(chunk({ role: "assistant", content: "hi" })), ...enc.end()];
    expect(events.every((e) => e.event === undefined)).toBe(true);
    expect(decode(events).every((d) => Array.isArray(d.candidates))).toBe(true);
  });

  it("sends refusals as text", () => {
    const enc = gemini.streamOut({ model: "m", messages: [] });
    expect(decode(enc.push(chunk({ refusal: "No." })))).toMatchObject([
      { candidates: [{ content: { parts: [{ text: "No." }] } }] },
    ]);
  });

  it("closes an empty answer with one empty text part, the finish reason and usage", () => {
    const enc = gemini.streamOut({ model: "m", messages: [] });
    expect(enc.push(chunk({ role: "assistant", content: "" }, "length"))).toEqual([]);
    const usage = { prompt_tokens: 3, completion_tokens: 0, total_tokens: 3 };
    expect(enc.push({ ...chunk({}), choices: [], usage })).toEqual([]);
    expect(decode(enc.end())).toEqual([
      {
        candidates: [
          {
            content: { role: "model", parts: [{ text: "" }] },
            index: 0,
            finishReason: "MAX_TOKENS",
          },
        ],
        usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 0, totalTokenCount: 3 },
        modelVersion: "gpt-4o-mini",
        responseId: "c1",
      },
    ]);
  });

  it("passes a Gemini provider's events through and adds nothing at the end", () => {
    const enc = gemini.streamOut({ model: "m", messages: [] });
    const native = textEvent("a");
    const out = enc.push({
      ...chunk({ content: "a" }),
      native: { dialect: "gemini", event: native },
    });
    expect(out).toEqual([native]);
    expect(enc.end()).toEqual([]);
  });

  it("reports a failure as a Google error event", () => {
    const enc = gemini.streamOut({ model: "m", messages: [] });
    const err = new GatewayError("UPSTREAM_RATE_LIMITED", "slow down");
    expect(decode(enc.fail(err))).toEqual([
      { error: { code: 429, message: "slow down", status: "RESOURCE_EXHAUSTED" } },
    ]);
  });
});
