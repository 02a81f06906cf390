/**
 * Anthropic Messages request -> canonical request (the front-end's reading of a client).
 *
 * | Anthropic                                  | canonical                                   |
 * | ------------------------------------------ | ------------------------------------------- |
 * | model, max_tokens (required, integer > 0)  | model, max_tokens                           |
 * | system (string or text blocks)             | a first `system` message                    |
 * | messages[] (user, assistant, system turns) | messages (see messages-in.ts)               |
 * | stop_sequences, temperature, top_p, stream | stop, temperature, top_p, stream            |
 * | metadata.user_id                           | user                                        |
 * | tools[] {name, description, input_schema}  | function tools with `parameters`            |
 * | tool_choice auto / any / tool / none       | "auto" / "required" / {function} / "none"   |
 * | tool_choice.disable_parallel_tool_use      | parallel_tool_calls = !disable              |
 *
 * Listed in `native.unmapped` (sent on only to an Anthropic provider): every other top-level key
 * (`top_k`, `thinking`, `service_tier`, `container`, `mcp_servers`, ...), other `metadata` keys,
 * server tools (a `type` other than `custom`), and block keys and blocks noted by messages-in.ts.
 */
import type {
  ChatMessage,
  ChatRequest,
  FunctionTool,
  JsonObject,
  ToolChoice,
} from "../../core/chat.ts";
import { invalidField, isRecord } from "../fields.ts";
import { noteExtras, readMessage, str, systemContent, type Unmapped } from "./messages-in.ts";

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

function num(value: unknown, path: string): number {
  if (typeof value !== "number" || !Number.isFinite(value))
    throw invalidField(path, "must be a number");
  return value;
}

function readTool(tool: unknown, path: string, unmapped: Unmapped): FunctionTool | undefined {
  if (!isRecord(tool)) throw invalidField(path, "must be an object");
  if (tool.type !== undefined && tool.type !== null && tool.type !== "custom") {
    unmapped.push(path); // server tools: web search, code execution, computer use, ...
    return undefined;
  }
  noteExtras(tool, path, ["type", "name", "description", "input_schema"], unmapped);
  if (!isRecord(tool.input_schema)) throw invalidField(`${path}.input_schema`, "must be an object");
  const fn: FunctionTool["function"] = {
    name: str(tool.name, `${path}.name`),
    parameters: tool.input_schema as JsonObject,
  };
  if (tool.description !== undefined) fn.description = str(tool.description, `${path}.description`);
  return { type: "function", function: fn };
}

function readTools(tools: unknown, unmapped: Unmapped): FunctionTool[] {
  if (!Array.isArray(tools)) throw invalidField("tools", "must be an array");
  return tools.flatMap((tool, i) => readTool(tool, `tools[${i}]`, unmapped) ?? []);
}

const CHOICES: Readonly<Record<string, ToolChoice>> = {
  auto: "auto",
  any: "required",
  none: "none",
};

function readToolChoice(choice: unknown, req: ChatRequest): void {
  if (!isRecord(choice)) throw invalidField("tool_choice", "must be an object");
  if (choice.type === "tool") {
    const name = str(choice.name, "tool_choice.name");
    req.tool_choice = { type: "function", function: { name } };
  } else if (typeof choice.type === "string" && Object.hasOwn(CHOICES, choice.type)) {
    req.tool_choice = CHOICES[choice.type]!;
  } else {
    throw invalidField("tool_choice.type", "must be auto, any, tool or none");
  }
  const disable = choice.disable_parallel_tool_use;
  if (disable === undefined) return;
  if (typeof disable !== "boolean")
    throw invalidField("tool_choice.disable_parallel_tool_use", "must be a boolean");
  req.parallel_tool_calls = !disable;
}

function readMetadata(metadata: unknown, req: ChatRequest, unmapped: Unmapped): void {
  if (!isRecord(metadata)) throw invalidField("metadata", "must be an object");
  for (const [key, value] of Object.entries(metadata)) {
    if (key !== "user_id") unmapped.push(`metadata.${key}`);
    else if (value !== null) req.user = str(value, "metadata.user_id");
  }
}

function readSettings(body: Record<string, unknown>, req: ChatRequest, unmapped: Unmapped) {
  if (body.stop_sequences !== undefined) {
    if (!Array.isArray(body.stop_sequences))
      throw invalidField("stop_sequences", "must be an array of strings");
    req.stop = body.stop_sequences.map((s, i) => str(s, `stop_sequences[${i}]`));
  }
  if (body.temperature !== undefined) req.temperature = num(body.temperature, "temperature");
  if (body.top_p !== undefined) req.top_p = num(body.top_p, "top_p");
  if (body.stream !== undefined) {
    if (typeof body.stream !== "boolean") throw invalidField("stream", "must be a boolean");
    req.stream = body.stream;
  }
  if (body.metadata !== undefined) readMetadata(body.metadata, req, unmapped);
  if (body.tools !== undefined) {
    const tools = readTools(body.tools, unmapped);
    if (tools.length > 0) req.tools = tools;
  }
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
  if (body.system !== undefined)
    messages.push({ role: "system", content: systemContent(body.system, "system", unmapped) });
  body.messages.forEach((m, i) => readMessage(m, i, messages, unmapped));
  const req: ChatRequest = { model, messages, max_tokens: maxTokens };
  readSettings(body, req, unmapped);
  req.native = { dialect: "anthropic", body: body as JsonObject, unmapped };
  return req;
}
