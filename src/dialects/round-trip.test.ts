/**
 * Properties every non-OpenAI dialect must keep: a same-dialect body passes through untouched,
 * a canonical conversation survives a trip out to the dialect and back, stop reasons map both
 * ways, and error bodies read back as what was written.
 */
import { describe, expect, it } from "bun:test";
import type { ChatRequest, ChatResponse, FinishReason } from "../core/chat.ts";
import { GatewayError } from "../core/errors.ts";
import { anthropic } from "./anthropic/index.ts";
import { gemini } from "./gemini/index.ts";
import type { DialectCodec } from "./types.ts";

const conversation: ChatRequest = {
  model: "p/m",
  messages: [
    { role: "system", content: "You are terse." },
    { role: "user", content: "Weather in Paris?" },
    {
      role: "assistant",
      content: "Checking.",
      tool_calls: [
        {
          id: "call_7",
          type: "function",
          function: { name: "get_weather", arguments: '{"city":"Paris"}' },
        },
      ],
    },
    { role: "tool", tool_call_id: "call_7", content: '{"temp":"18C"}' },
    { role: "user", content: "Thanks" },
  ],
  max_tokens: 100,
  temperature: 0.5,
  stop: ["END"],
  tools: [
    {
      type: "function",
      function: {
        name: "get_weather",
        description: "Current weather",
        parameters: {
          type: "object",
          properties: { city: { type: "string" } },
          required: ["city"],
        },
      },
    },
  ],
  tool_choice: "auto",
};

const samples: Record<
  "anthropic" | "gemini",
  { codec: DialectCodec; body: unknown; target: object }
> = {
  anthropic: {
    codec: anthropic,
    target: {},
    body: {
      model: "p/m",
      max_tokens: 64,
      top_k: 3,
      system: [{ type: "text", text: "Be brief.", cache_control: { type: "ephemeral" } }],
      messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }],
    },
  },
  gemini: {
    codec: gemini,
    target: { model: "p/m" },
    body: {
      contents: [{ role: "user", parts: [{ text: "hi" }] }],
      safetySettings: [{ category: "HARM_CATEGORY_HARASSMENT", threshold: "BLOCK_NONE" }],
      generationConfig: { topK: 3 },
    },
  },
};

function response(finish: FinishReason): ChatResponse {
  const toolCalls =
    finish === "tool_calls"
      ? [{ id: "call_1", type: "function" as const, function: { name: "f", arguments: "{}" } }]
      : undefined;
  return {
    id: "r1",
    object: "chat.completion",
    created: 1,
    model: "m",
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: finish === "tool_calls" ? null : "text",
          ...(toolCalls ? { tool_calls: toolCalls } : {}),
        },
        finish_reason: finish,
      },
    ],
    usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
  };
}

for (const [name, { codec, body, target }] of Object.entries(samples)) {
  describe(`${name} dialect`, () => {
    it("sends a body of its own dialect on untouched, unmapped fields included", () => {
      const req = codec.requestIn(structuredClone(body), target);
      expect(req.native?.unmapped.length).toBeGreaterThan(0);
      const out = codec.requestOut(req, "m") as Record<string, unknown>;
      const expected = structuredClone(body) as Record<string, unknown>;
      if (name === "anthropic") expected.model = "m";
      expect(out).toEqual(expected);
    });

    it("keeps the system prompt, texts, tools, tool calls and tool results across a round trip", () => {
      const wire = codec.requestOut(structuredClone(conversation), "m");
      const back = codec.requestIn(wire, { model: "m" });
      const texts = back.messages.map((m) => [
        m.role,
        typeof m.content === "string" ? m.content : m.content,
      ]);
      expect(texts).toEqual([
        ["system", "You are terse."],
        ["user", "Weather in Paris?"],
        ["assistant", "Checking."],
        ["tool", '{"temp":"18C"}'],
        ["user", "Thanks"],
      ]);
      const call = back.messages[2]!.tool_calls![0]!;
      expect(call.function.name).toBe("get_weather");
      expect(JSON.parse(call.function.arguments)).toEqual({ city: "Paris" });
      expect(back.messages[3]!.tool_call_id).toBe(call.id);
      expect(back.tools?.[0]?.function).toEqual(conversation.tools![0]!.function);
      expect(back.max_tokens).toBe(100);
      expect(back.stop).toEqual(["END"]);
      expect(back.temperature).toBe(0.5);
    });

    it("maps every finish reason out and back", () => {
      for (const finish of ["stop", "length", "tool_calls", "content_filter"] as const) {
        const back = codec.responseIn(codec.responseOut(response(finish)));
        expect(back.choices[0]!.finish_reason).toBe(finish);
        expect(back.usage).toEqual({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 });
      }
    });

    it("reads back the error bodies it writes, for every status", () => {
      for (const status of [400, 401, 403, 404, 413, 429, 500, 502, 504]) {
        const err = new GatewayError("UPSTREAM_CLIENT_ERROR", `failed with ${status}`, { status });
        const info = codec.errorIn(status, codec.errorOut(err));
        expect(info.message).toBe(`failed with ${status}`);
        expect(typeof info.type).toBe("string");
      }
    });

    it("reads an error body that is not its shape without throwing", () => {
      for (const body of ["<html>Bad Gateway</html>", null, 42, { error: "flat" }, []]) {
        expect(codec.errorIn(502, body).message.length).toBeGreaterThan(0);
      }
    });

    it("refuses a canonical field it cannot express, naming it", () => {
      try {
        codec.requestOut(
          { ...structuredClone(conversation), logit_bias: { "42": 1 } } as ChatRequest,
          "m",
        );
        throw new Error("expected a refusal");
      } catch (err) {
        expect(err).toBeInstanceOf(GatewayError);
        expect((err as GatewayError).param).toBe("logit_bias");
        expect((err as GatewayError).status).toBe(400);
      }
    });
  });
}
