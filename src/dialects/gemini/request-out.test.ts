import { describe, expect, it } from "bun:test";
import type { ChatMessage, ChatRequest } from "../../core/chat.ts";
import { GatewayError } from "../../core/errors.ts";
import { gemini } from "./index.ts";

type Body = {
  contents: { role: string; parts: Record<string, unknown>[] }[];
  systemInstruction?: { parts: { text: string }[] };
  tools?: { functionDeclarations: Record<string, unknown>[] }[];
  toolConfig?: unknown;
  generationConfig?: Record<string, unknown>;
};

const user = (content: ChatMessage["content"]): ChatMessage => ({ role: "user", content });
const calling: ChatMessage = {
  role: "assistant",
  content: null,
  tool_calls: [{ id: "call_1", type: "function", function: { name: "f", arguments: '{"a":1}' } }],
};
const req = (extra: Partial<ChatRequest>): ChatRequest => ({
  model: "g/m",
  messages: [user("hi")],
  ...extra,
});
const write = (r: ChatRequest, model = "gemini-2.5-flash") => gemini.requestOut(r, model) as Body;

function expectUntranslatable(r: ChatRequest, param: string): void {
  let caught: unknown;
  try {
    gemini.requestOut(r, "gemini-2.5-flash");
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(GatewayError);
  const err = caught as GatewayError;
  expect({ code: err.code, status: err.status, param: err.param }).toEqual({
    code: "INVALID_REQUEST",
    status: 400,
    param,
  });
}

describe("gemini requestOut refuses what Gemini cannot express, naming the field", () => {
  const image = { type: "image_url" as const, image_url: { url: "https://x.test/a.png" } };
  const cases: [string, ChatRequest, string][] = [
    ["several choices", req({ n: 2 }), "n"],
    ["an end-user id", req({ user: "u1" }), "user"],
    ["an unknown top-level field", { ...req({}), logprobs: true } as ChatRequest, "logprobs"],
    ["turning parallel tool calls off", req({ parallel_tool_calls: false }), "parallel_tool_calls"],
    [
      "strict tools",
      req({ tools: [{ type: "function", function: { name: "f", strict: true } }] }),
      "tools[0].function.strict",
    ],
    [
      "a message name",
      req({ messages: [{ role: "user", content: "hi", name: "ann" }] }),
      "messages[0].name",
    ],
    [
      "an image in a system message",
      req({
        messages: [{ role: "system", content: [{ type: "text", text: "x" }, image] }, user("hi")],
      }),
      "messages[0].content[1]",
    ],
    [
      "an image in a tool result",
      req({
        messages: [user("hi"), calling, { role: "tool", tool_call_id: "call_1", content: [image] }],
      }),
      "messages[2].content[0]",
    ],
    [
      "a tool result for an unknown call",
      req({ messages: [user("hi"), { role: "tool", tool_call_id: "nope", content: "x" }] }),
      "messages[1].tool_call_id",
    ],
    [
      "tool-call arguments that are not a JSON object",
      req({
        messages: [
          user("hi"),
          {
            ...calling,
            tool_calls: [{ ...calling.tool_calls![0]!, function: { name: "f", arguments: "[1]" } }],
          },
        ],
      }),
      "messages[1].tool_calls[0].function.arguments",
    ],
  ];
  for (const [what, r, param] of cases) {
    it(`refuses ${what}`, () => expectUntranslatable(r, param));
  }
});

describe("gemini requestOut translation", () => {
  it("sends a Gemini client's body on unchanged", () => {
    const body = { contents: [{ role: "user", parts: [{ text: "hi" }] }], safetySettings: [] };
    const r = req({ native: { dialect: "gemini", body, unmapped: ["safetySettings"] } });
    expect(gemini.requestOut(r, "gemini-2.5-flash")).toBe(body);
  });

  it("translates a request whose native body is another dialect's", () => {
    const r = req({ native: { dialect: "anthropic", body: { messages: [] }, unmapped: [] } });
    expect(write(r).contents).toEqual([{ role: "user", parts: [{ text: "hi" }] }]);
  });

  it("joins every system and developer message into systemInstruction, in order", () => {
    const body = write(
      req({
        messages: [
          { role: "system", content: "one" },
          user("hi"),
          { role: "developer", content: [{ type: "text", text: "two" }] },
        ],
      }),
    );
    expect(body.systemInstruction).toEqual({ parts: [{ text: "one" }, { text: "two" }] });
    expect(body.contents).toHaveLength(1);
  });

  it("maps each tool choice to a function-calling config", () => {
    const config = (tool_choice: ChatRequest["tool_choice"]) =>
      write(req({ tool_choice })).toolConfig;
    expect(config("none")).toEqual({ functionCallingConfig: { mode: "NONE" } });
    expect(config("auto")).toEqual({ functionCallingConfig: { mode: "AUTO" } });
    expect(config("required")).toEqual({ functionCallingConfig: { mode: "ANY" } });
    expect(config({ type: "function", function: { name: "f" } })).toEqual({
      functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["f"] },
    });
  });

  it("guesses image MIME types from the URL's extension, defaulting to JPEG", () => {
    const parts = write(
      req({
        messages: [
          user(
            ["a.png", "b.GIF?v=2", "c.webp#x", "d"].map((name) => ({
              type: "image_url" as const,
              image_url: { url: `https://x.test/${name}` },
            })),
          ),
        ],
      }),
    ).contents[0]!.parts.map((p) => (p.fileData as { mimeType: string }).mimeType);
    expect(parts).toEqual(["image/png", "image/gif", "image/webp", "image/jpeg"]);
  });

  it("prefers max_completion_tokens and sends a single stop string as a list", () => {
    const config = write(
      req({ max_tokens: 5, max_completion_tokens: 9, stop: "END" }),
    ).generationConfig;
    expect(config).toEqual({ maxOutputTokens: 9, stopSequences: ["END"] });
  });

  it("omits parametersJsonSchema for a tool without parameters", () => {
    const body = write(req({ tools: [{ type: "function", function: { name: "now" } }] }));
    expect(body.tools).toEqual([{ functionDeclarations: [{ name: "now" }] }]);
  });

  it("wraps a tool result that is not a JSON object", () => {
    const body = write(
      req({
        messages: [user("hi"), calling, { role: "tool", tool_call_id: "call_1", content: "[1,2]" }],
      }),
    );
    expect(body.contents[2]!.parts[0]!.functionResponse).toEqual({
      name: "f",
      id: "call_1",
      response: { content: "[1,2]" },
    });
  });

  it("signs the first replayed call of each turn only for Gemini 3 and later", () => {
    const two: ChatMessage = {
      ...calling,
      tool_calls: [calling.tool_calls![0]!, { ...calling.tool_calls![0]!, id: "call_2" }],
    };
    const r = () => req({ messages: [user("hi"), two] });
    const signatures = (model: string) =>
      write(r(), model).contents[1]!.parts.map((p) => p.thoughtSignature ?? null);
    expect(signatures("gemini-2.5-pro")).toEqual([null, null]);
    expect(signatures("gemini-3-flash-preview")).toEqual([
      "skip_thought_signature_validator",
      null,
    ]);
    expect(signatures("models/gemini-3.1-pro-preview")[0]).toBe("skip_thought_signature_validator");
  });
});
