import { describe, expect, it } from "bun:test";
import type { ChatMessage, ChatRequest, JsonObject } from "../../core/chat.ts";
import { GatewayError } from "../../core/errors.ts";
import { anthropic } from "./index.ts";

const user: ChatMessage = { role: "user", content: "hi" };
const base: ChatRequest = { model: "anthropic/claude-sonnet-4-5", messages: [user] };
const call = (args: string): ChatMessage => ({
  role: "assistant",
  content: null,
  tool_calls: [{ id: "call_1", type: "function", function: { name: "f", arguments: args } }],
});
const image = (url: string) => ({ type: "image_url" as const, image_url: { url } });

type Body = Record<string, unknown>;
const out = (req: ChatRequest) => anthropic.requestOut(req, "claude-sonnet-4-5") as Body;

function refusal(req: ChatRequest): GatewayError {
  try {
    out(req);
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error("expected requestOut to refuse the request");
}

describe("anthropic requestOut refuses what Anthropic cannot express, naming the field", () => {
  const cases: [string, ChatRequest, string][] = [
    ["several choices", { ...base, n: 2 }, "n"],
    [
      "a JSON response format",
      { ...base, response_format: { type: "json_object" } },
      "response_format",
    ],
    ["a temperature above 1", { ...base, temperature: 1.5 }, "temperature"],
    ["a presence penalty", { ...base, presence_penalty: 0.1 }, "presence_penalty"],
    ["a frequency penalty", { ...base, frequency_penalty: 0.1 }, "frequency_penalty"],
    ["a seed", { ...base, seed: 7 }, "seed"],
    ["logprobs", { ...base, logprobs: true } as ChatRequest, "logprobs"],
    ["top_logprobs", { ...base, top_logprobs: 2 } as ChatRequest, "top_logprobs"],
    ["a message name", { ...base, messages: [{ ...user, name: "alice" }] }, "messages[0].name"],
    [
      "an image from the assistant",
      { ...base, messages: [user, { role: "assistant", content: [image("https://x/y.png")] }] },
      "messages[1].content[0]",
    ],
    [
      "an image in a system message",
      { ...base, messages: [{ role: "system", content: [image("https://x/y.png")] }, user] },
      "messages[0].content[0]",
    ],
    [
      "an image in a tool result",
      {
        ...base,
        messages: [
          user,
          call("{}"),
          { role: "tool", tool_call_id: "call_1", content: [image("https://x/y.png")] },
        ],
      },
      "messages[2].content[0]",
    ],
    [
      "an image URL that is neither data nor http",
      { ...base, messages: [{ role: "user", content: [image("gs://bucket/cat.png")] }] },
      "messages[0].content[0]",
    ],
    [
      "a data URL that is not base64",
      { ...base, messages: [{ role: "user", content: [image("data:image/svg+xml,<svg/>")] }] },
      "messages[0].content[0]",
    ],
    [
      "a tool message without tool_call_id",
      { ...base, messages: [user, call("{}"), { role: "tool", content: "x" }] },
      "messages[2].tool_call_id",
    ],
    [
      "an unknown role",
      { ...base, messages: [{ role: "critic", content: "x" } as unknown as ChatMessage] },
      "messages[0].role",
    ],
    [
      "tool arguments that are not JSON",
      { ...base, messages: [user, call("{oops")] },
      "messages[1].tool_calls[0].function.arguments",
    ],
    [
      "tool arguments that are not an object",
      { ...base, messages: [user, call("[1]")] },
      "messages[1].tool_calls[0].function.arguments",
    ],
    [
      "a strict tool",
      { ...base, tools: [{ type: "function", function: { name: "f", strict: true } }] },
      "tools[0].function.strict",
    ],
    [
      "a tool that is not a function",
      { ...base, tools: [{ type: "custom", custom: { name: "f" } } as never] },
      "tools[0]",
    ],
  ];
  for (const [what, req, param] of cases) {
    it(`refuses ${what} with a 400 naming ${param}`, () => {
      const err = refusal(req);
      expect({ code: err.code, status: err.status, param: err.param }).toEqual({
        code: "INVALID_REQUEST",
        status: 400,
        param,
      });
    });
  }
});

describe("anthropic requestOut translation", () => {
  it("sends a native Anthropic body on with the upstream model and the request's stream flag", () => {
    const body: JsonObject = {
      model: "a/claude",
      max_tokens: 9,
      top_k: 3,
      stream: true,
      messages: [{ role: "user", content: "hi" }],
    };
    const native = { dialect: "anthropic" as const, body, unmapped: ["top_k"] };
    expect(out({ ...base, stream: true, native })).toEqual({ ...body, model: "claude-sonnet-4-5" });
    expect(out({ ...base, stream: false, native })).toEqual({
      ...body,
      model: "claude-sonnet-4-5",
      stream: false,
    });
    const { stream: _, ...plain } = body;
    expect(out({ ...base, native: { ...native, body: plain } })).not.toHaveProperty("stream");
  });

  it("translates a request whose native body is another dialect's", () => {
    const native = { dialect: "gemini" as const, body: { contents: [] }, unmapped: [] };
    expect(out({ ...base, native })).toEqual({
      model: "claude-sonnet-4-5",
      max_tokens: 4096,
      messages: [{ role: "user", content: "hi" }],
    });
  });

  it("prefers max_completion_tokens, then max_tokens, then 4096", () => {
    expect(out({ ...base, max_tokens: 10, max_completion_tokens: 20 }).max_tokens).toBe(20);
    expect(out({ ...base, max_tokens: 10 }).max_tokens).toBe(10);
    expect(out(base).max_tokens).toBe(4096);
  });

  it("joins system and developer messages from anywhere into the top-level system, in order", () => {
    const messages: ChatMessage[] = [
      { role: "system", content: "A" },
      user,
      { role: "developer", content: [{ type: "text", text: "B" }] },
    ];
    const body = out({ ...base, messages });
    expect(body.system).toEqual([
      { type: "text", text: "A" },
      { type: "text", text: "B" },
    ]);
    expect(body.messages).toEqual([{ role: "user", content: "hi" }]);
    expect(out({ ...base, messages: messages.slice(0, 2) }).system).toBe("A");
  });

  it("maps each tool choice, and parallel_tool_calls false to disable_parallel_tool_use", () => {
    const choice = (req: Partial<ChatRequest>) => out({ ...base, ...req }).tool_choice;
    expect(choice({ tool_choice: "auto" })).toEqual({ type: "auto" });
    expect(choice({ tool_choice: "required" })).toEqual({ type: "any" });
    expect(choice({ tool_choice: "none", parallel_tool_calls: false })).toEqual({ type: "none" });
    expect(choice({ tool_choice: { type: "function", function: { name: "f" } } })).toEqual({
      type: "tool",
      name: "f",
    });
    expect(choice({ parallel_tool_calls: false })).toEqual({
      type: "auto",
      disable_parallel_tool_use: true,
    });
    expect(choice({ parallel_tool_calls: true })).toBeUndefined();
  });

  it("sends a single stop string as a list and the user as metadata.user_id", () => {
    const body = out({ ...base, stop: "END", user: "u-1", top_p: 0.5 });
    expect(body.stop_sequences).toEqual(["END"]);
    expect(body.metadata).toEqual({ user_id: "u-1" });
    expect(body.top_p).toBe(0.5);
  });

  it("accepts the canonical fields that change nothing on Anthropic", () => {
    const req: ChatRequest = {
      ...base,
      n: 1,
      response_format: { type: "text" },
      stream: true,
      stream_options: { include_usage: true },
    };
    expect(out(req)).toEqual({
      model: "claude-sonnet-4-5",
      max_tokens: 4096,
      messages: [{ role: "user", content: "hi" }],
      stream: true,
    });
  });

  it("puts consecutive tool results and the following user text into one user turn", () => {
    const messages: ChatMessage[] = [
      user,
      call("{}"),
      { role: "tool", tool_call_id: "call_1", content: "a" },
      { role: "tool", tool_call_id: "call_2", content: [{ type: "text", text: "b" }] },
      { role: "user", content: "thanks" },
      { role: "assistant", content: "ok" },
    ];
    expect((out({ ...base, messages }).messages as unknown[]).slice(2)).toEqual([
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "call_1", content: "a" },
          { type: "tool_result", tool_use_id: "call_2", content: "b" },
          { type: "text", text: "thanks" },
        ],
      },
      { role: "assistant", content: "ok" },
    ]);
  });

  it("sends an empty object schema for a tool without parameters", () => {
    const body = out({ ...base, tools: [{ type: "function", function: { name: "now" } }] });
    expect(body.tools).toEqual([{ name: "now", input_schema: { type: "object", properties: {} } }]);
  });
});

describe("anthropic round trips", () => {
  it("sends a same-dialect body back out unchanged", () => {
    const body = {
      model: "anthropic/claude-sonnet-4-5",
      max_tokens: 100,
      thinking: { type: "enabled", budget_tokens: 50 },
      system: [{ type: "text", text: "Be brief.", cache_control: { type: "ephemeral" } }],
      messages: [
        { role: "user", content: [{ type: "document", source: { type: "text", data: "x" } }] },
      ],
      stream: true,
    };
    const req = anthropic.requestIn(structuredClone(body));
    expect(anthropic.requestOut(req, body.model)).toEqual(body);
  });

  it("keeps system prompt, user text, tools, tool calls and tool results through Anthropic", () => {
    const canonical: ChatRequest = {
      model: "m",
      messages: [
        { role: "system", content: "You are terse." },
        { role: "user", content: "Weather?" },
        call('{"city":"Paris"}'),
        { role: "tool", tool_call_id: "call_1", content: "18C" },
        { role: "user", content: "Thanks" },
      ],
      max_tokens: 50,
      tools: [{ type: "function", function: { name: "f", parameters: { type: "object" } } }],
      tool_choice: "auto",
    };
    const back = anthropic.requestIn(anthropic.requestOut(canonical, "m"));
    const { native, ...rest } = back;
    expect(native?.unmapped).toEqual([]);
    expect(rest).toEqual({ ...canonical, model: "m" });
  });
});
