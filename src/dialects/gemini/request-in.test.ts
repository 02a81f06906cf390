import { describe, expect, it } from "bun:test";
import { GatewayError } from "../../core/errors.ts";
import { gemini } from "./index.ts";

const MODEL = { model: "gemini/gemini-2.5-flash" };
const hi = { role: "user", parts: [{ text: "hi" }] };
const call = (name: string, id?: string) => ({
  role: "model",
  parts: [{ functionCall: { name, args: { city: "Paris" }, ...(id ? { id } : {}) } }],
});
const answer = (name: string, id?: string) => ({
  functionResponse: { name, response: { temp: "18C" }, ...(id ? { id } : {}) },
});

function refusal(body: unknown, target: object = MODEL): GatewayError {
  try {
    gemini.requestIn(body, target);
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error("expected requestIn to refuse the body");
}

function expectInvalid(body: unknown, param: string, target: object = MODEL): void {
  const err = refusal(body, target);
  expect({ code: err.code, status: err.status, param: err.param }).toEqual({
    code: "INVALID_REQUEST",
    status: 400,
    param,
  });
}

const withPart = (part: unknown, role = "user") => ({ contents: [{ role, parts: [part] }] });
const withConfig = (generationConfig: unknown) => ({ contents: [hi], generationConfig });
const withTools = (tools: unknown) => ({ contents: [hi], tools });
const withCalling = (fcc: unknown) => ({
  contents: [hi],
  toolConfig: { functionCallingConfig: fcc },
});

describe("gemini requestIn refuses malformed bodies, naming the field", () => {
  const cases: [string, unknown, string][] = [
    ["a body that is not an object", [1], "body"],
    ["missing contents", {}, "contents"],
    ["empty contents", { contents: [] }, "contents"],
    ["a content that is not an object", { contents: ["hi"] }, "contents[0]"],
    [
      "an unknown role",
      { contents: [{ role: "system", parts: [{ text: "x" }] }] },
      "contents[0].role",
    ],
    ["empty parts", { contents: [{ role: "user", parts: [] }] }, "contents[0].parts"],
    ["an empty part", withPart({}), "contents[0].parts[0]"],
    ["a text that is not a string", withPart({ text: 3 }), "contents[0].parts[0].text"],
    [
      "inlineData that is not an object",
      withPart({ inlineData: "x" }),
      "contents[0].parts[0].inlineData",
    ],
    [
      "inlineData without data",
      withPart({ inlineData: { mimeType: "image/png" } }),
      "contents[0].parts[0].inlineData.data",
    ],
    [
      "fileData without a fileUri",
      withPart({ file_data: { mime_type: "image/png" } }),
      "contents[0].parts[0].file_data.fileUri",
    ],
    [
      "a functionCall in a user turn",
      withPart({ functionCall: { name: "f" } }),
      "contents[0].parts[0].functionCall",
    ],
    [
      "a functionCall whose args are not an object",
      withPart({ functionCall: { name: "f", args: [1] } }, "model"),
      "contents[0].parts[0].functionCall.args",
    ],
    [
      "a functionCall without a name",
      withPart({ functionCall: { args: {} } }, "model"),
      "contents[0].parts[0].functionCall.name",
    ],
    [
      "a functionResponse in a model turn",
      withPart({ functionResponse: { name: "f", response: {} } }, "model"),
      "contents[0].parts[0].functionResponse",
    ],
    [
      "a functionResponse that is not an object",
      { contents: [hi, call("f"), { role: "user", parts: [{ functionResponse: 1 }] }] },
      "contents[2].parts[0].functionResponse",
    ],
    [
      "a functionResponse answering no call by name",
      { contents: [hi, call("f"), { role: "user", parts: [answer("g")] }] },
      "contents[2].parts[0].functionResponse.name",
    ],
    [
      "a functionResponse answering no call by id or name",
      { contents: [hi, call("f", "a"), { role: "user", parts: [answer("g", "b")] }] },
      "contents[2].parts[0].functionResponse.id",
    ],
    [
      "a second functionResponse for a call already answered",
      { contents: [hi, call("f"), { role: "user", parts: [answer("f"), answer("f")] }] },
      "contents[2].parts[1].functionResponse.name",
    ],
    [
      "a systemInstruction without parts",
      { contents: [hi], systemInstruction: {} },
      "systemInstruction",
    ],
    [
      "a system part that is not text",
      { contents: [hi], system_instruction: { parts: [{ text: 1 }] } },
      "system_instruction.parts[0].text",
    ],
    ["tools that are not an array", withTools({}), "tools"],
    ["a tool that is not an object", withTools([1]), "tools[0]"],
    [
      "functionDeclarations that are not an array",
      withTools([{ functionDeclarations: {} }]),
      "tools[0].functionDeclarations",
    ],
    [
      "a declaration without a name",
      withTools([{ function_declarations: [{ description: "d" }] }]),
      "tools[0].function_declarations[0].name",
    ],
    [
      "parameters that are not an object",
      withTools([{ functionDeclarations: [{ name: "f", parameters: "x" }] }]),
      "tools[0].functionDeclarations[0].parameters",
    ],
    ["a toolConfig that is not an object", { contents: [hi], toolConfig: 1 }, "toolConfig"],
    [
      "an unknown calling mode",
      withCalling({ mode: "SOMETIMES" }),
      "toolConfig.functionCallingConfig.mode",
    ],
    [
      "allowed names that are not strings",
      withCalling({ mode: "ANY", allowedFunctionNames: [1] }),
      "toolConfig.functionCallingConfig.allowedFunctionNames",
    ],
    ["a generationConfig that is not an object", withConfig([]), "generationConfig"],
    [
      "a temperature that is not a number",
      withConfig({ temperature: "hot" }),
      "generationConfig.temperature",
    ],
    [
      "a snake_case token limit that is not a number",
      { contents: [hi], generation_config: { max_output_tokens: "10" } },
      "generation_config.max_output_tokens",
    ],
    [
      "stop sequences that are not strings",
      withConfig({ stopSequences: [1] }),
      "generationConfig.stopSequences",
    ],
    [
      "a response schema that is not an object",
      withConfig({ responseMimeType: "application/json", responseJsonSchema: "x" }),
      "generationConfig.responseJsonSchema",
    ],
  ];
  for (const [what, body, param] of cases) {
    it(`refuses ${what}`, () => expectInvalid(body, param));
  }

  it("refuses a request whose URL names no model", () => {
    expectInvalid({ contents: [hi] }, "model", {});
  });
});

describe("gemini requestIn mappings", () => {
  const read = (body: object) => gemini.requestIn(body, MODEL);

  it("takes the model and streaming from the URL", () => {
    const req = gemini.requestIn({ contents: [hi] }, { model: "a/b", stream: true });
    expect([req.model, req.stream]).toEqual(["a/b", true]);
  });

  it("maps each function-calling mode to a tool choice", () => {
    const choice = (fcc: object) => read(withCalling(fcc)).tool_choice;
    expect(choice({ mode: "AUTO" })).toBe("auto");
    expect(choice({ mode: "NONE" })).toBe("none");
    expect(choice({ mode: "ANY" })).toBe("required");
    expect(choice({ mode: "ANY", allowedFunctionNames: ["f"] })).toEqual({
      type: "function",
      function: { name: "f" },
    });
  });

  it("lists calling configs the canonical form cannot hold as unmapped", () => {
    const several = read(withCalling({ mode: "ANY", allowedFunctionNames: ["f", "g"] }));
    expect(several.tool_choice).toBe("required");
    expect(several.native?.unmapped).toEqual([
      "toolConfig.functionCallingConfig.allowedFunctionNames",
    ]);
    const validated = read(withCalling({ mode: "VALIDATED" }));
    expect(validated.native?.unmapped).toEqual(["toolConfig.functionCallingConfig.mode"]);
  });

  it("maps JSON output settings to a response format", () => {
    const format = (config: object) => read(withConfig(config)).response_format;
    expect(format({ responseMimeType: "application/json" })).toEqual({ type: "json_object" });
    expect(
      format({ response_mime_type: "application/json", response_schema: { type: "STRING" } }),
    ).toEqual({
      type: "json_schema",
      json_schema: { name: "response", schema: { type: "string" } },
    });
    expect(read(withConfig({ responseMimeType: "text/x.enum" })).native?.unmapped).toEqual([
      "generationConfig.responseMimeType",
    ]);
  });

  it("reads candidateCount as n and a string systemInstruction as the system prompt", () => {
    const req = read({
      contents: [hi],
      systemInstruction: "Be brief.",
      generationConfig: { candidateCount: 2 },
    });
    expect(req.n).toBe(2);
    expect(req.messages[0]).toEqual({ role: "system", content: "Be brief." });
  });

  it("puts tool results before the other parts of the same user turn", () => {
    const req = read({
      contents: [hi, call("f"), { role: "user", parts: [{ text: "and?" }, answer("f")] }],
    });
    expect(req.messages.slice(2).map((m) => m.role)).toEqual(["tool", "user"]);
    expect(req.messages[2]!.tool_call_id).toBe(req.messages[1]!.tool_calls![0]!.id);
  });

  it("lets a later user turn answer a call the turn before left open", () => {
    const req = read({
      contents: [
        hi,
        { role: "model", parts: [call("f").parts[0], call("g").parts[0]] },
        { role: "user", parts: [answer("f")] },
        { role: "user", parts: [answer("g")] },
      ],
    });
    const ids = req.messages[1]!.tool_calls!.map((c) => c.id);
    expect(req.messages.slice(2).map((m) => m.tool_call_id)).toEqual(ids);
  });

  it("synthesizes the same call ids for the same body", () => {
    const body = { contents: [hi, call("f"), { role: "user", parts: [answer("f")] }] };
    expect(read(body).messages[1]!.tool_calls![0]!.id).toBe(
      read(structuredClone(body)).messages[1]!.tool_calls![0]!.id,
    );
  });
});
