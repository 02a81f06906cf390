/**
 * Anthropic Messages request -> canonical request (the front-end's reading of a client).
 *
 * `system` becomes the first message; `tool_result` blocks become `tool` messages placed before
 * the rest of their user turn; `tool_use` blocks become assistant `tool_calls`; images become
 * `image_url` parts (base64 sources as data URLs). Fields the canonical form cannot hold (`top_k`,
 * `thinking`, `cache_control`, server tools, `is_error`, ...) are listed in `native.unmapped`.
 */
import type {
  ChatMessage,
  ChatRequest,
  ContentPart,
  FunctionTool,
  JsonObject,
  ToolCall,
  ToolChoice,
} from "../../core/chat.ts";
import { invalidField, isRecord } from "../fields.ts";

const MAPPED = new Set([
  "model",
  "max_tokens",
  "messages",
  "system",
  "stop_sequences",
  "temperature",
  "top_p",
  "stream",
  "metadata",
  "tools",
  "tool_choice",
]);

type Unmapped = string[];

function str(value: unknown, path: string): string {
  if (typeof value !== "string") throw invalidField(path, "must be a string");
  return value;
}

function num(value: unknown, path: string): number {
  if (typeof value !== "number" || !Number.isFinite(value))
    throw invalidField(path, "must be a number");
  return value;
}

function systemMessage(system: unknown, unmapped: Unmapped): ChatMessage {
  if (typeof system === "string") return { role: "system", content: system };
  if (!Array.isArray(system)) throw invalidField("system", "must be a string or text blocks");
  const parts = system.map((block, i): ContentPart => {
    const path = `system[${i}]`;
    if (!isRecord(block) || block.type !== "text") throw invalidField(path, "must be a text block");
    noteExtras(block, path, ["type", "text"], unmapped);
    return { type: "text", text: str(block.text, `${path}.text`) };
  });
  const only = parts.length === 1 ? parts[0] : undefined;
  return { role: "system", content: only?.type === "text" ? only.text : parts };
}

/** Lists a block's keys other than `known` (cache_control, citations, ...) as unmapped. */
function noteExtras(
  block: Record<string, unknown>,
  path: string,
  known: string[],
  unmapped: Unmapped,
) {
  for (const key of Object.keys(block)) if (!known.includes(key)) unmapped.push(`${path}.${key}`);
}

function imagePart(block: Record<string, unknown>, path: string, unmapped: Unmapped): ContentPart {
  const source = block.source;
  if (!isRecord(source)) throw invalidField(`${path}.source`, "must be an object");
  noteExtras(block, path, ["type", "source"], unmapped);
  if (source.type === "base64") {
    const mediaType = str(source.media_type, `${path}.source.media_type`);
    const data = str(source.data, `${path}.source.data`);
    return { type: "image_url", image_url: { url: `data:${mediaType};base64,${data}` } };
  }
  if (source.type === "url") {
    return { type: "image_url", image_url: { url: str(source.url, `${path}.source.url`) } };
  }
  throw invalidField(`${path}.source.type`, "must be base64 or url");
}

function toolResultText(block: Record<string, unknown>, path: string, unmapped: Unmapped): string {
  noteExtras(block, path, ["type", "tool_use_id", "content"], unmapped);
  const content = block.content;
  if (content === undefined) return "";
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) throw invalidField(`${path}.content`, "must be a string or blocks");
  const texts: string[] = [];
  content.forEach((inner, k) => {
    const innerPath = `${path}.content[${k}]`;
    if (isRecord(inner) && inner.type === "text") texts.push(str(inner.text, `${innerPath}.text`));
    else if (isRecord(inner)) unmapped.push(innerPath);
    else throw invalidField(innerPath, "must be a content block");
  });
  return texts.join("\n");
}

interface Turn {
  parts: ContentPart[];
  calls: ToolCall[];
  results: ChatMessage[];
}

function readBlock(block: unknown, path: string, role: string, turn: Turn, unmapped: Unmapped) {
  if (!isRecord(block) || typeof block.type !== "string")
    throw invalidField(path, "must be a content block with a type");
  switch (block.type) {
    case "text":
      noteExtras(block, path, ["type", "text"], unmapped);
      turn.parts.push({ type: "text", text: str(block.text, `${path}.text`) });
      return;
    case "image":
      turn.parts.push(imagePart(block, path, unmapped));
      return;
    case "tool_use": {
      if (role !== "assistant")
        throw invalidField(path, "tool_use blocks belong to assistant turns");
      noteExtras(block, path, ["type", "id", "name", "input"], unmapped);
      if (!isRecord(block.input)) throw invalidField(`${path}.input`, "must be an object");
      turn.calls.push({
        id: str(block.id, `${path}.id`),
        type: "function",
        function: { name: str(block.name, `${path}.name`), arguments: JSON.stringify(block.input) },
      });
      return;
    }
    case "tool_result":
      if (role !== "user") throw invalidField(path, "tool_result blocks belong to user turns");
      turn.results.push({
        role: "tool",
        tool_call_id: str(block.tool_use_id, `${path}.tool_use_id`),
        content: toolResultText(block, path, unmapped),
      });
      return;
    default:
      // thinking, redacted_thinking, document, search_result, server tool blocks, ...
      unmapped.push(path);
  }
}

function textOrParts(parts: ContentPart[]): string | ContentPart[] {
  if (parts.length === 1 && parts[0]!.type === "text") return parts[0]!.text;
  return parts;
}

function readMessage(raw: unknown, i: number, out: ChatMessage[], unmapped: Unmapped): void {
  const path = `messages[${i}]`;
  if (!isRecord(raw)) throw invalidField(path, "must be an object");
  const role = raw.role;
  if (role !== "user" && role !== "assistant")
    throw invalidField(`${path}.role`, "must be user or assistant");
  if (typeof raw.content === "string") {
    out.push({ role, content: raw.content });
    return;
  }
  if (!Array.isArray(raw.content))
    throw invalidField(`${path}.content`, "must be a string or blocks");
  const turn: Turn = { parts: [], calls: [], results: [] };
  raw.content.forEach((block, j) =>
    readBlock(block, `${path}.content[${j}]`, role, turn, unmapped),
  );
  if (role === "assistant") {
    const text = turn.parts.map((p) => (p.type === "text" ? p.text : "")).join("");
    const images = turn.parts.some((p) => p.type !== "text");
    const message: ChatMessage = {
      role,
      content: images ? turn.parts : text === "" && turn.calls.length > 0 ? null : text,
    };
    if (turn.calls.length > 0) message.tool_calls = turn.calls;
    out.push(message);
    return;
  }
  out.push(...turn.results);
  if (turn.parts.length > 0 || turn.results.length === 0)
    out.push({ role, content: textOrParts(turn.parts) });
}

function readTools(tools: unknown, unmapped: Unmapped): FunctionTool[] {
  if (!Array.isArray(tools)) throw invalidField("tools", "must be an array");
  const out: FunctionTool[] = [];
  tools.forEach((tool, i) => {
    const path = `tools[${i}]`;
    if (!isRecord(tool)) throw invalidField(path, "must be an object");
    if (tool.type !== undefined && tool.type !== "custom") {
      unmapped.push(path); // server tools (web search, code execution, computer use, ...)
      return;
    }
    noteExtras(tool, path, ["type", "name", "description", "input_schema"], unmapped);
    if (!isRecord(tool.input_schema))
      throw invalidField(`${path}.input_schema`, "must be an object");
    const fn: FunctionTool["function"] = {
      name: str(tool.name, `${path}.name`),
      parameters: tool.input_schema as JsonObject,
    };
    if (tool.description !== undefined)
      fn.description = str(tool.description, `${path}.description`);
    out.push({ type: "function", function: fn });
  });
  return out;
}

function readToolChoice(choice: unknown, req: ChatRequest): void {
  if (!isRecord(choice)) throw invalidField("tool_choice", "must be an object");
  const map: Record<string, ToolChoice> = { auto: "auto", any: "required", none: "none" };
  if (choice.type === "tool") {
    const name = str(choice.name, "tool_choice.name");
    req.tool_choice = { type: "function", function: { name } };
  } else if (typeof choice.type === "string" && Object.hasOwn(map, choice.type)) {
    req.tool_choice = map[choice.type]!;
  } else {
    throw invalidField("tool_choice.type", "must be auto, any, tool or none");
  }
  if (choice.disable_parallel_tool_use !== undefined) {
    if (typeof choice.disable_parallel_tool_use !== "boolean")
      throw invalidField("tool_choice.disable_parallel_tool_use", "must be a boolean");
    req.parallel_tool_calls = !choice.disable_parallel_tool_use;
  }
}

function readMetadata(metadata: unknown, req: ChatRequest, unmapped: Unmapped): void {
  if (!isRecord(metadata)) throw invalidField("metadata", "must be an object");
  for (const [key, value] of Object.entries(metadata)) {
    if (key === "user_id" && value !== null) req.user = str(value, "metadata.user_id");
    else if (key !== "user_id") unmapped.push(`metadata.${key}`);
  }
}

function readSettings(body: Record<string, unknown>, req: ChatRequest, unmapped: Unmapped) {
  if (body.stop_sequences !== undefined) {
    if (!Array.isArray(body.stop_sequences))
      throw invalidField("stop_sequences", "must be an array");
    req.stop = body.stop_sequences.map((s, i) => str(s, `stop_sequences[${i}]`));
  }
  if (body.temperature !== undefined) req.temperature = num(body.temperature, "temperature");
  if (body.top_p !== undefined) req.top_p = num(body.top_p, "top_p");
  if (body.stream !== undefined) {
    if (typeof body.stream !== "boolean") throw invalidField("stream", "must be a boolean");
    req.stream = body.stream;
  }
  if (body.metadata !== undefined) readMetadata(body.metadata, req, unmapped);
  if (body.tools !== undefined) req.tools = readTools(body.tools, unmapped);
  if (body.tool_choice !== undefined) readToolChoice(body.tool_choice, req);
}

export function anthropicRequestIn(body: unknown): ChatRequest {
  if (!isRecord(body)) throw invalidField("body", "must be a JSON object");
  const unmapped: Unmapped = Object.keys(body).filter((key) => !MAPPED.has(key));
  const model = str(body.model, "model");
  if (model === "") throw invalidField("model", "must not be empty");
  const maxTokens = body.max_tokens;
  if (typeof maxTokens !== "number" || !Number.isInteger(maxTokens) || maxTokens < 1)
    throw invalidField("max_tokens", "is required and must be a positive integer");
  if (!Array.isArray(body.messages) || body.messages.length === 0)
    throw invalidField("messages", "must be a non-empty array");
  const messages: ChatMessage[] = [];
  if (body.system !== undefined) messages.push(systemMessage(body.system, unmapped));
  body.messages.forEach((m, i) => readMessage(m, i, messages, unmapped));
  const req: ChatRequest = { model, messages, max_tokens: maxTokens };
  readSettings(body, req, unmapped);
  req.native = { dialect: "anthropic", body: body as JsonObject, unmapped };
  return req;
}
