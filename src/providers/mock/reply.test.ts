import { describe, expect, it } from "bun:test";
import type { ChatMessage, ChatRequest, FunctionTool, JsonObject } from "../../core/chat.ts";
import { countTokens, exampleFromSchema, mockEmbedding, planReply, streamPieces } from "./reply.ts";

const user = (content: ChatMessage["content"]): ChatMessage => ({ role: "user", content });

function chat(messages: ChatMessage[], extra: Partial<ChatRequest> = {}): ChatRequest {
  return { model: "echo", messages, ...extra };
}

function tool(name: string, parameters?: JsonObject): FunctionTool {
  return { type: "function", function: { name, ...(parameters ? { parameters } : {}) } };
}

const weather = tool("get_weather", {
  type: "object",
  properties: {
    city: { type: "string" },
    days: { type: "integer" },
    units: { type: "string", enum: ["celsius", "fahrenheit"] },
  },
  required: ["city"],
});
const search = tool("search_web", { type: "object", properties: { query: { type: "string" } } });

const toolResult: ChatMessage[] = [
  user("What is the weather in Oslo?"),
  {
    role: "assistant",
    content: null,
    tool_calls: [
      { id: "call_1", type: "function", function: { name: "get_weather", arguments: "{}" } },
    ],
  },
  { role: "tool", tool_call_id: "call_1", content: "4 degrees and raining" },
];

describe("planReply text", () => {
  it("gives the same answer to the same request", () => {
    const req = chat([user("hello")], { tools: [weather] });
    expect(planReply(req)).toEqual(planReply(structuredClone(req)));
    expect(planReply(chat([user("hello")]))).toEqual(planReply(chat([user("hello")])));
  });

  it("echoes the last user message", () => {
    const turn = planReply(
      chat([
        { role: "system", content: "Be brief." },
        user("first question"),
        { role: "assistant", content: "first answer" },
        user("second question"),
      ]),
    );
    expect(turn.content).toBe("This is the Switchyard mock. You said: second question");
    expect(turn.finishReason).toBe("stop");
    expect(turn.toolCalls).toEqual([]);
  });

  it("joins the text parts of a multi-part message and mentions its images", () => {
    const image = { type: "image_url" as const, image_url: { url: "data:image/png;base64,AA==" } };
    const turn = planReply(
      chat([
        user([
          { type: "text", text: "What is in" },
          image,
          { type: "text", text: "these?" },
          image,
        ]),
      ]),
    );
    expect(turn.content).toBe(
      "This is the Switchyard mock. You said: What is in these? (with 2 images)",
    );
  });

  it("says image in the singular for one image", () => {
    const image = { type: "image_url" as const, image_url: { url: "https://example.com/a.png" } };
    const turn = planReply(chat([user([{ type: "text", text: "Describe" }, image])]));
    expect(turn.content).toEndWith("(with 1 image)");
  });

  it("pads or trims the reply to replyWords words", () => {
    const turn = planReply(chat([user("hi")]), { replyWords: 12 });
    expect(turn.content!.split(" ")).toHaveLength(12);
    expect(planReply(chat([user("hi")]), { replyWords: 2 }).content).toBe("This is");
  });
});

describe("planReply tools", () => {
  it("calls the first tool with arguments built from its JSON schema", () => {
    const turn = planReply(chat([user("Weather in Oslo?")], { tools: [weather, search] }));
    expect(turn.content).toBeNull();
    expect(turn.finishReason).toBe("tool_calls");
    expect(turn.toolCalls).toHaveLength(1);
    const call = turn.toolCalls[0]!;
    expect(call.type).toBe("function");
    expect(call.id).toStartWith("call_");
    expect(call.function.name).toBe("get_weather");
    expect(JSON.parse(call.function.arguments)).toEqual({
      city: "mock",
      days: 1,
      units: "celsius",
    });
  });

  it("calls the tool that tool_choice names", () => {
    const turn = planReply(
      chat([user("Find it")], {
        tools: [weather, search],
        tool_choice: { type: "function", function: { name: "search_web" } },
      }),
    );
    expect(turn.toolCalls[0]!.function.name).toBe("search_web");
    expect(JSON.parse(turn.toolCalls[0]!.function.arguments)).toEqual({ query: "mock" });
  });

  it("sends empty arguments for a tool without parameters", () => {
    const turn = planReply(chat([user("Now?")], { tools: [tool("get_time")] }));
    expect(turn.toolCalls[0]!.function.arguments).toBe("{}");
  });

  it("answers in text when tool_choice is none", () => {
    const turn = planReply(chat([user("hello")], { tools: [weather], tool_choice: "none" }));
    expect(turn.toolCalls).toEqual([]);
    expect(turn.finishReason).toBe("stop");
    expect(turn.content).toBe("This is the Switchyard mock. You said: hello");
  });

  it("quotes a tool result instead of calling the tool again", () => {
    const turn = planReply(chat(toolResult, { tools: [weather] }));
    expect(turn.toolCalls).toEqual([]);
    expect(turn.finishReason).toBe("stop");
    expect(turn.content).toBe("The tool returned: 4 degrees and raining");
  });
});

describe("planReply formats and limits", () => {
  it("answers a json_object request with parseable JSON holding the reply", () => {
    const turn = planReply(chat([user("hi")], { response_format: { type: "json_object" } }));
    expect(JSON.parse(turn.content!)).toEqual({
      reply: "This is the Switchyard mock. You said: hi",
    });
  });

  it("answers a json_schema request with JSON shaped by the schema", () => {
    const schema = {
      type: "object",
      properties: {
        name: { type: "string" },
        tags: { type: "array", items: { type: "string" } },
        score: { type: "number" },
        done: { type: "boolean" },
      },
    };
    const turn = planReply(
      chat([user("hi")], {
        response_format: { type: "json_schema", json_schema: { name: "card", schema } },
      }),
    );
    expect(JSON.parse(turn.content!)).toEqual({
      name: "mock",
      tags: ["mock"],
      score: 1,
      done: true,
    });
  });

  it("cuts the reply at max_tokens and finishes with length", () => {
    const full = planReply(chat([user("tell me a long story")])).content!;
    const turn = planReply(chat([user("tell me a long story")], { max_tokens: 3 }));
    expect(turn.finishReason).toBe("length");
    expect(full.startsWith(turn.content!)).toBe(true);
    expect(turn.content!.length).toBeLessThan(full.length);
    expect(turn.usage.completion_tokens).toBeLessThanOrEqual(3);
  });

  it("prefers max_completion_tokens over max_tokens", () => {
    const turn = planReply(
      chat([user("tell me a long story")], { max_tokens: 1000, max_completion_tokens: 2 }),
    );
    expect(turn.finishReason).toBe("length");
    expect(turn.usage.completion_tokens).toBeLessThanOrEqual(2);
  });

  it("finishes with stop when the reply fits max_tokens", () => {
    expect(planReply(chat([user("hi")], { max_tokens: 1000 })).finishReason).toBe("stop");
  });

  it("reports usage whose total is prompt plus completion", () => {
    const requests = [
      chat([user("hello there")]),
      chat([user("weather?")], { tools: [weather] }),
      chat(toolResult, { tools: [weather] }),
    ];
    for (const req of requests) {
      const { usage } = planReply(req);
      expect(usage.prompt_tokens).toBeGreaterThan(0);
      expect(usage.completion_tokens).toBeGreaterThan(0);
      expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
    }
  });

  it("counts a longer prompt as more prompt tokens", () => {
    const short = planReply(chat([user("hi")])).usage.prompt_tokens;
    const long = planReply(chat([user("hi ".repeat(100))])).usage.prompt_tokens;
    expect(long).toBeGreaterThan(short);
  });
});

describe("exampleFromSchema", () => {
  it("takes the first enum value and a const as they are", () => {
    expect(exampleFromSchema({ enum: ["low", "high"] })).toBe("low");
    expect(exampleFromSchema({ const: 42 })).toBe(42);
  });

  it("gives a value of each JSON type", () => {
    expect(exampleFromSchema({ type: "string" })).toBe("mock");
    expect(exampleFromSchema({ type: "integer" })).toBe(1);
    expect(exampleFromSchema({ type: "number" })).toBe(1);
    expect(exampleFromSchema({ type: "boolean" })).toBe(true);
    expect(exampleFromSchema({ type: "null" })).toBeNull();
  });

  it("uses the first type of a type list", () => {
    expect(exampleFromSchema({ type: ["integer", "null"] })).toBe(1);
  });

  it("fills nested objects and arrays", () => {
    const schema = {
      type: "object",
      properties: {
        user: { type: "object", properties: { id: { type: "integer" } } },
        items: {
          type: "array",
          items: { type: "object", properties: { sku: { type: "string" } } },
        },
      },
    };
    expect(exampleFromSchema(schema)).toEqual({ user: { id: 1 }, items: [{ sku: "mock" }] });
  });

  it("stops at a depth limit instead of recursing forever", () => {
    let schema: JsonObject = { type: "string" };
    for (let i = 0; i < 20; i++) schema = { type: "array", items: schema };
    expect(JSON.stringify(exampleFromSchema(schema))).toContain('"mock"');
  });

  it("gives a string for a schema that is not an object", () => {
    expect(exampleFromSchema(undefined)).toBe("mock");
    expect(exampleFromSchema(true)).toBe("mock");
  });
});

describe("streamPieces", () => {
  it("keeps trailing whitespace, so a stream adds up to the plain reply", () => {
    expect(streamPieces("hello \n").join("")).toBe("hello \n");
    expect(streamPieces("a b ")).toEqual(["a", " b", " "]);
  });

  it("splits text into words that keep their leading spaces", () => {
    expect(streamPieces("a b  c")).toEqual(["a", " b", "  c"]);
  });

  it("gives pieces that join back to the text", () => {
    const text = "This is the Switchyard mock.\nYou said: héllo 👋 there";
    const pieces = streamPieces(text);
    expect(pieces.length).toBeGreaterThan(5);
    expect(pieces.join("")).toBe(text);
  });

  it("gives no pieces for empty text", () => {
    expect(streamPieces("")).toEqual([]);
  });
});

describe("mockEmbedding", () => {
  const norm = (v: number[]) => Math.sqrt(v.reduce((sum, x) => sum + x * x, 0));

  it("gives the same vector for the same input", () => {
    expect(mockEmbedding("hello world", 16)).toEqual(mockEmbedding("hello world", 16));
  });

  it("gives different vectors for different inputs", () => {
    expect(mockEmbedding("hello world", 16)).not.toEqual(mockEmbedding("hello there", 16));
  });

  it("has the requested number of dimensions and unit length", () => {
    for (const dims of [1, 8, 256, 1536]) {
      const v = mockEmbedding("The quick brown fox", dims);
      expect(v).toHaveLength(dims);
      expect(norm(v)).toBeCloseTo(1, 5);
    }
  });
});

describe("countTokens", () => {
  it("counts one token per four characters, at least one for non-empty text", () => {
    expect(countTokens("")).toBe(0);
    expect(countTokens("a")).toBe(1);
    expect(countTokens("abcd")).toBe(1);
    expect(countTokens("abcde")).toBe(2);
  });
});
