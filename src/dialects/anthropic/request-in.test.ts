import { describe, expect, it } from "bun:test";
import { GatewayError } from "../../core/errors.ts";
import { anthropic } from "./index.ts";

const hi = { role: "user", content: "hi" };
const base = { model: "anthropic/claude-sonnet-4-5", max_tokens: 64, messages: [hi] };
const withBlock = (block: unknown, role = "user") => ({
  ...base,
  messages: [{ role, content: [block] }],
});
const toolResult = (extra: Record<string, unknown>) =>
  withBlock({ type: "tool_result", tool_use_id: "toolu_1", ...extra });
const toolUse = (extra: Record<string, unknown>) =>
  withBlock({ type: "tool_use", id: "toolu_1", name: "f", input: {}, ...extra }, "assistant");
const image = (source: unknown) => withBlock({ type: "image", source });

function refusal(body: unknown): GatewayError {
  try {
    anthropic.requestIn(body);
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error("expected requestIn to refuse the body");
}

describe("anthropic requestIn refuses malformed bodies, naming the field", () => {
  const cases: [string, unknown, string][] = [
    ["a body that is not an object", [base], "body"],
    ["a missing model", { ...base, model: undefined }, "model"],
    ["an empty model", { ...base, model: "" }, "model"],
    ["a missing max_tokens", { ...base, max_tokens: undefined }, "max_tokens"],
    ["a zero max_tokens", { ...base, max_tokens: 0 }, "max_tokens"],
    ["a fractional max_tokens", { ...base, max_tokens: 1.5 }, "max_tokens"],
    ["max_tokens as a string", { ...base, max_tokens: "64" }, "max_tokens"],
    ["missing messages", { ...base, messages: undefined }, "messages"],
    ["empty messages", { ...base, messages: [] }, "messages"],
    ["a message that is not an object", { ...base, messages: ["hi"] }, "messages[0]"],
    [
      "an unknown role",
      { ...base, messages: [{ role: "tool", content: "x" }] },
      "messages[0].role",
    ],
    [
      "content that is a number",
      { ...base, messages: [{ role: "user", content: 3 }] },
      "messages[0].content",
    ],
    [
      "a system turn with an image",
      { ...base, messages: [{ role: "system", content: [{ type: "image" }] }, hi] },
      "messages[0].content[0]",
    ],
    ["a block without a type", withBlock({ text: "x" }), "messages[0].content[0]"],
    ["a block that is a string", withBlock("x"), "messages[0].content[0]"],
    ["a text block without text", withBlock({ type: "text" }), "messages[0].content[0].text"],
    ["an image without a source", withBlock({ type: "image" }), "messages[0].content[0].source"],
    [
      "a base64 image without a media type",
      image({ type: "base64", data: "AAAA" }),
      "messages[0].content[0].source.media_type",
    ],
    [
      "a base64 image without data",
      image({ type: "base64", media_type: "image/png" }),
      "messages[0].content[0].source.data",
    ],
    ["a url image without a url", image({ type: "url" }), "messages[0].content[0].source.url"],
    ["an image source without a type", image({}), "messages[0].content[0].source.type"],
    [
      "a tool_use block in a user turn",
      withBlock({ type: "tool_use", id: "t", name: "f", input: {} }),
      "messages[0].content[0]",
    ],
    ["a tool_use input that is a string", toolUse({ input: "{}" }), "messages[0].content[0].input"],
    ["a tool_use without an id", toolUse({ id: 1 }), "messages[0].content[0].id"],
    ["a tool_use without a name", toolUse({ name: undefined }), "messages[0].content[0].name"],
    [
      "a tool_result block in an assistant turn",
      withBlock({ type: "tool_result", tool_use_id: "t" }, "assistant"),
      "messages[0].content[0]",
    ],
    [
      "a tool_result without tool_use_id",
      toolResult({ tool_use_id: undefined }),
      "messages[0].content[0].tool_use_id",
    ],
    [
      "a tool_result with object content",
      toolResult({ content: {} }),
      "messages[0].content[0].content",
    ],
    [
      "a tool_result block that is not an object",
      toolResult({ content: ["x"] }),
      "messages[0].content[0].content[0]",
    ],
    [
      "a tool_result text block without text",
      toolResult({ content: [{ type: "text" }] }),
      "messages[0].content[0].content[0].text",
    ],
    [
      "an is_error that is a string",
      toolResult({ is_error: "yes" }),
      "messages[0].content[0].is_error",
    ],
    ["a system that is a number", { ...base, system: 1 }, "system"],
    ["a system block that is an image", { ...base, system: [{ type: "image" }] }, "system[0]"],
    [
      "a system text that is a number",
      { ...base, system: [{ type: "text", text: 1 }] },
      "system[0].text",
    ],
    ["stop_sequences as a string", { ...base, stop_sequences: "END" }, "stop_sequences"],
    [
      "a stop sequence that is a number",
      { ...base, stop_sequences: ["a", 1] },
      "stop_sequences[1]",
    ],
    ["a temperature that is a string", { ...base, temperature: "0.5" }, "temperature"],
    ["a top_p that is not finite", { ...base, top_p: null }, "top_p"],
    ["a stream that is a string", { ...base, stream: "true" }, "stream"],
    ["metadata that is a string", { ...base, metadata: "u" }, "metadata"],
    ["a user_id that is a number", { ...base, metadata: { user_id: 7 } }, "metadata.user_id"],
    ["tools that are an object", { ...base, tools: {} }, "tools"],
    ["a tool that is a string", { ...base, tools: ["f"] }, "tools[0]"],
    ["a tool without input_schema", { ...base, tools: [{ name: "f" }] }, "tools[0].input_schema"],
    ["a tool without a name", { ...base, tools: [{ input_schema: {} }] }, "tools[0].name"],
    [
      "a tool description that is a number",
      { ...base, tools: [{ name: "f", input_schema: {}, description: 1 }] },
      "tools[0].description",
    ],
    ["a tool_choice that is a string", { ...base, tool_choice: "auto" }, "tool_choice"],
    ["an unknown tool_choice type", { ...base, tool_choice: { type: "all" } }, "tool_choice.type"],
    [
      "a tool choice without a name",
      { ...base, tool_choice: { type: "tool" } },
      "tool_choice.name",
    ],
    [
      "a disable_parallel_tool_use that is a string",
      { ...base, tool_choice: { type: "auto", disable_parallel_tool_use: "yes" } },
      "tool_choice.disable_parallel_tool_use",
    ],
  ];
  for (const [what, body, param] of cases) {
    it(`refuses ${what} with a 400 naming ${param}`, () => {
      const err = refusal(body);
      expect({ code: err.code, status: err.status, param: err.param }).toEqual({
        code: "INVALID_REQUEST",
        status: 400,
        param,
      });
    });
  }
});

describe("anthropic requestIn translation", () => {
  it("keeps the original body and lists nothing when every field maps", () => {
    const req = anthropic.requestIn(structuredClone(base));
    expect(req.native).toEqual({ dialect: "anthropic", body: base, unmapped: [] });
    expect(req.messages).toEqual([{ role: "user", content: "hi" }]);
    expect(req.max_tokens).toBe(64);
  });

  it("lists unknown top-level keys as unmapped instead of refusing them", () => {
    const body = { ...base, top_k: 5, container: "c", mcp_servers: [], future_flag: true };
    const req = anthropic.requestIn(body);
    expect(req.native?.unmapped).toEqual(["top_k", "container", "mcp_servers", "future_flag"]);
  });

  it("reads a system string as the first message and system blocks as text parts", () => {
    const one = anthropic.requestIn({ ...base, system: "Be brief." });
    expect(one.messages[0]).toEqual({ role: "system", content: "Be brief." });
    const blocks = [
      { type: "text" as const, text: "A" },
      { type: "text" as const, text: "B" },
    ];
    const two = anthropic.requestIn({ ...base, system: blocks });
    expect(two.messages[0]).toEqual({ role: "system", content: blocks });
  });

  it("places tool results before the rest of their user turn", () => {
    const body = {
      ...base,
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "And now?" },
            { type: "tool_result", tool_use_id: "toolu_1", content: "18C" },
          ],
        },
      ],
    };
    expect(anthropic.requestIn(body).messages).toEqual([
      { role: "tool", tool_call_id: "toolu_1", content: "18C" },
      { role: "user", content: "And now?" },
    ]);
  });

  it("gives an assistant turn of tool calls only a null content", () => {
    const req = anthropic.requestIn(toolUse({ input: { q: 1 } }));
    expect(req.messages[0]).toEqual({
      role: "assistant",
      content: null,
      tool_calls: [
        { id: "toolu_1", type: "function", function: { name: "f", arguments: '{"q":1}' } },
      ],
    });
  });

  it("lists an error flag, images in tool results and thinking blocks as unmapped", () => {
    const body = {
      ...base,
      messages: [
        {
          role: "assistant",
          content: [
            { type: "redacted_thinking", data: "x" },
            { type: "image", source: { type: "url", url: "https://x/y.png" } },
          ],
        },
        {
          role: "user",
          content: [
            {
              type: "tool_result",
              tool_use_id: "t",
              is_error: true,
              content: [{ type: "image", source: { type: "url", url: "https://x/y.png" } }],
            },
          ],
        },
      ],
    };
    expect(anthropic.requestIn(body).native?.unmapped).toEqual([
      "messages[0].content[0]",
      "messages[0].content[1]",
      "messages[1].content[0].is_error",
      "messages[1].content[0].content[0]",
    ]);
  });

  it("maps each tool choice and reads disable_parallel_tool_use as parallel_tool_calls", () => {
    const choose = (tool_choice: unknown) => anthropic.requestIn({ ...base, tool_choice });
    expect(choose({ type: "auto" }).tool_choice).toBe("auto");
    expect(choose({ type: "any" }).tool_choice).toBe("required");
    expect(choose({ type: "none" }).tool_choice).toBe("none");
    expect(choose({ type: "tool", name: "f" }).tool_choice).toEqual({
      type: "function",
      function: { name: "f" },
    });
    expect(choose({ type: "any", disable_parallel_tool_use: true }).parallel_tool_calls).toBe(
      false,
    );
    expect(choose({ type: "any" }).parallel_tool_calls).toBeUndefined();
  });

  it("leaves server tools out of the canonical tools and lists them", () => {
    const tools = [{ type: "web_search_20250305", name: "web_search", max_uses: 3 }];
    const req = anthropic.requestIn({ ...base, tools });
    expect(req.tools).toBeUndefined();
    expect(req.native?.unmapped).toEqual(["tools[0]"]);
  });
});
