/**
 * Gemini generateContent request -> canonical request (the front-end's reading of a client).
 * The model and streaming come from the URL. `systemInstruction` becomes the first message,
 * `functionCall` parts assistant `tool_calls` (ids synthesized when the client gave none),
 * `functionResponse` parts `tool` messages tied to the call they answer (by id, else by name),
 * image `inlineData` / `fileData` parts `image_url` parts. Everything the canonical form cannot
 * hold (`topK`, `safetySettings`, `thinkingConfig`, non-image media, search tools, ...) is listed
 * in `native.unmapped`.
 */
import type {
  ChatMessage,
  ChatRequest,
  ContentPart,
  FunctionTool,
  JsonObject,
  ToolCall,
} from "../../core/chat.ts";
import { invalidField, isRecord } from "../fields.ts";
import type { RequestTarget } from "../types.ts";
import { extraKeys, field } from "./casing.ts";
import { readGenerationConfig, readToolConfig } from "./settings-in.ts";
import { toJsonSchema } from "./schema.ts";

type Unmapped = string[];

/** Synthesized call ids start with this, so they are never sent to Gemini as if it made them. */
export const SYNTHETIC_ID = "call_gemini_";

function str(value: unknown, path: string): string {
  if (typeof value !== "string") throw invalidField(path, "must be a string");
  return value;
}

function systemMessage(value: unknown, path: string): ChatMessage {
  if (typeof value === "string") return { role: "system", content: value };
  if (!isRecord(value) || !Array.isArray(value.parts))
    throw invalidField(path, "must be a Content with parts");
  const texts = value.parts.map((part, i) => {
    if (!isRecord(part)) throw invalidField(`${path}.parts[${i}]`, "must be an object");
    return str(part.text, `${path}.parts[${i}].text`);
  });
  return { role: "system", content: texts.join("\n") };
}

interface Turn {
  parts: ContentPart[];
  calls: ToolCall[];
  results: ChatMessage[];
}

/** Calls of the last model turn that no functionResponse has answered yet. */
type Pending = ToolCall[];

function media(part: Record<string, unknown>, key: string, path: string, unmapped: Unmapped) {
  const blob = part[key];
  if (!isRecord(blob)) throw invalidField(`${path}.${key}`, "must be an object");
  const mime = field(blob, "mimeType").value;
  const isImage = typeof mime === "string" && mime.startsWith("image/");
  if (key === "inlineData" || key === "inline_data") {
    const data = str(field(blob, "data").value, `${path}.${key}.data`);
    if (!isImage) return void unmapped.push(`${path}.${key}`);
    return { type: "image_url" as const, image_url: { url: `data:${mime};base64,${data}` } };
  }
  const uri = str(field(blob, "fileUri").value, `${path}.${key}.fileUri`);
  if (!isImage) return void unmapped.push(`${path}.${key}`);
  return { type: "image_url" as const, image_url: { url: uri } };
}

/** The id of the pending call a functionResponse answers: by id when it has one, else by name. */
function answer(response: Record<string, unknown>, path: string, pending: Pending): string {
  const name = str(response.name, `${path}.name`);
  const id = response.id;
  let at = typeof id === "string" ? pending.findIndex((c) => c.id === id) : -1;
  if (at < 0) at = pending.findIndex((c) => c.function.name === name);
  if (at < 0)
    throw invalidField(
      `${path}.${typeof id === "string" ? "id" : "name"}`,
      `answers no unanswered functionCall named "${name}" in the model turn before`,
    );
  return pending.splice(at, 1)[0]!.id;
}

function readPart(
  raw: unknown,
  path: string,
  ctx: { turn: Turn; pending: Pending; unmapped: Unmapped; role: string; ids: string },
) {
  if (!isRecord(raw) || Object.keys(raw).length === 0)
    throw invalidField(
      path,
      "must be a part with text, inlineData, fileData, functionCall or functionResponse",
    );
  const { turn, unmapped } = ctx;
  const known = ["text", "inlineData", "fileData", "functionCall", "functionResponse", "thought"];
  for (const key of extraKeys(raw, known)) unmapped.push(`${path}.${key}`);
  if (raw.thought === true) return void unmapped.push(`${path}.thought`);
  if (raw.text !== undefined)
    turn.parts.push({ type: "text", text: str(raw.text, `${path}.text`) });
  for (const key of ["inlineData", "inline_data", "fileData", "file_data"]) {
    if (raw[key] === undefined) continue;
    const image = media(raw, key, path, unmapped);
    if (image) turn.parts.push(image);
  }
  const call = field(raw, "functionCall");
  if (call.value !== undefined) {
    const p = `${path}.${call.key}`;
    if (ctx.role !== "model") throw invalidField(p, "functionCall parts belong in model turns");
    if (!isRecord(call.value)) throw invalidField(p, "must be an object");
    const args = call.value.args ?? {};
    if (!isRecord(args)) throw invalidField(`${p}.args`, "must be an object");
    const id =
      typeof call.value.id === "string"
        ? call.value.id
        : `${SYNTHETIC_ID}${ctx.ids}_${turn.calls.length}`;
    turn.calls.push({
      id,
      type: "function",
      function: { name: str(call.value.name, `${p}.name`), arguments: JSON.stringify(args) },
    });
  }
  const response = field(raw, "functionResponse");
  if (response.value !== undefined) {
    const p = `${path}.${response.key}`;
    if (ctx.role === "model") throw invalidField(p, "functionResponse parts belong in user turns");
    if (!isRecord(response.value)) throw invalidField(p, "must be an object");
    const content = response.value.response ?? {};
    turn.results.push({
      role: "tool",
      tool_call_id: answer(response.value, p, ctx.pending),
      content: JSON.stringify(content),
    });
  }
}

function readContent(
  raw: unknown,
  i: number,
  out: ChatMessage[],
  pending: Pending,
  unmapped: Unmapped,
): Pending {
  const path = `contents[${i}]`;
  if (!isRecord(raw)) throw invalidField(path, "must be an object");
  const role = raw.role ?? "user";
  if (role !== "user" && role !== "model" && role !== "function")
    throw invalidField(`${path}.role`, "must be user or model");
  if (!Array.isArray(raw.parts) || raw.parts.length === 0)
    throw invalidField(`${path}.parts`, "must be a non-empty array");
  const turn: Turn = { parts: [], calls: [], results: [] };
  const ctx = { turn, pending, unmapped, role, ids: String(i) };
  raw.parts.forEach((part, j) => readPart(part, `${path}.parts[${j}]`, ctx));
  if (role === "model") {
    const text = turn.parts.map((p) => (p.type === "text" ? p.text : "")).join("");
    const images = turn.parts.some((p) => p.type !== "text");
    const message: ChatMessage = {
      role: "assistant",
      content: images ? turn.parts : text === "" && turn.calls.length > 0 ? null : text,
    };
    if (turn.calls.length > 0) message.tool_calls = turn.calls;
    out.push(message);
    return [...turn.calls];
  }
  out.push(...turn.results);
  if (turn.parts.length > 0) {
    const only = turn.parts.length === 1 ? turn.parts[0] : undefined;
    out.push({ role: "user", content: only?.type === "text" ? only.text : turn.parts });
  }
  return pending;
}

function readTools(value: unknown, key: string, unmapped: Unmapped): FunctionTool[] {
  if (!Array.isArray(value)) throw invalidField(key, "must be an array");
  const tools: FunctionTool[] = [];
  value.forEach((tool, i) => {
    const path = `${key}[${i}]`;
    if (!isRecord(tool)) throw invalidField(path, "must be an object");
    for (const extra of extraKeys(tool, ["functionDeclarations"]))
      unmapped.push(`${path}.${extra}`);
    const decls = field(tool, "functionDeclarations");
    if (decls.value === undefined) return;
    if (!Array.isArray(decls.value)) throw invalidField(`${path}.${decls.key}`, "must be an array");
    decls.value.forEach((decl, j) => {
      const p = `${path}.${decls.key}[${j}]`;
      if (!isRecord(decl)) throw invalidField(p, "must be an object");
      for (const extra of extraKeys(decl, [
        "name",
        "description",
        "parameters",
        "parametersJsonSchema",
      ]))
        unmapped.push(`${p}.${extra}`);
      const fn: FunctionTool["function"] = { name: str(decl.name, `${p}.name`) };
      if (decl.description !== undefined)
        fn.description = str(decl.description, `${p}.description`);
      const params = field(decl, "parametersJsonSchema").value ?? decl.parameters;
      if (params !== undefined) {
        if (!isRecord(params)) throw invalidField(`${p}.parameters`, "must be an object");
        fn.parameters = toJsonSchema(params as JsonObject) as JsonObject;
      }
      tools.push({ type: "function", function: fn });
    });
  });
  return tools;
}

const MAPPED = [
  "contents",
  "systemInstruction",
  "tools",
  "toolConfig",
  "generationConfig",
  "model",
];

export function geminiRequestIn(body: unknown, target: RequestTarget): ChatRequest {
  if (!isRecord(body)) throw invalidField("body", "must be a JSON object");
  if (!target.model)
    throw invalidField("model", "is required in the path: models/{model}:generateContent");
  const unmapped: Unmapped = extraKeys(body, MAPPED);
  if (!Array.isArray(body.contents) || body.contents.length === 0)
    throw invalidField("contents", "must be a non-empty array");
  const messages: ChatMessage[] = [];
  const system = field(body, "systemInstruction");
  if (system.value !== undefined) messages.push(systemMessage(system.value, system.key));
  let pending: Pending = [];
  body.contents.forEach((c, i) => (pending = readContent(c, i, messages, pending, unmapped)));
  const req: ChatRequest = { model: target.model, messages };
  if (target.stream) req.stream = true;
  const tools = field(body, "tools");
  if (tools.value !== undefined) req.tools = readTools(tools.value, tools.key, unmapped);
  const toolConfig = field(body, "toolConfig");
  if (toolConfig.value !== undefined)
    readToolConfig(toolConfig.value, toolConfig.key, req, unmapped);
  const config = field(body, "generationConfig");
  if (config.value !== undefined) readGenerationConfig(config.value, config.key, req, unmapped);
  req.native = { dialect: "gemini", body: body as JsonObject, unmapped };
  return req;
}
