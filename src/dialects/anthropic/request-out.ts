/**
 * Canonical request -> Anthropic Messages body (what an Anthropic provider is sent).
 *
 * A body that came from an Anthropic client (`native.dialect === "anthropic"`) is sent on as it
 * was, with the upstream model and the stream flag settled from the request. Otherwise:
 *
 * | canonical                                  | Anthropic                                   |
 * | ------------------------------------------ | ------------------------------------------- |
 * | system / developer messages, anywhere      | top-level `system`, in order (a string when |
 * |                                            | there is one text, else text blocks)        |
 * | max_completion_tokens ?? max_tokens        | max_tokens, 4096 when neither is set (the   |
 * |                                            | API requires it)                            |
 * | stop (string or list)                      | stop_sequences                              |
 * | temperature (0..1), top_p, stream          | temperature, top_p, stream                  |
 * | user                                       | metadata.user_id                            |
 * | tools (function)                           | {name, description, input_schema}; no       |
 * |                                            | parameters -> an empty object schema        |
 * | tool_choice auto / required / none / fn    | {type: auto / any / none / tool + name}     |
 * | parallel_tool_calls: false                 | tool_choice.disable_parallel_tool_use (with |
 * |                                            | type auto when no tool_choice is set)       |
 * | assistant tool_calls                       | tool_use blocks, input = parsed arguments   |
 * | consecutive tool messages (+ next user)    | one user turn: tool_result blocks first     |
 * | image_url data URL / http(s) URL           | image block, base64 / url source            |
 *
 * Ignored: `stream_options` (Anthropic streams always report usage), `image_url.detail` (a
 * resolution hint Anthropic has no setting for), `n: 1`, `response_format: text`.
 * Refused (400 naming the canonical field): `n` > 1, other `response_format`s, temperature above
 * 1, `strict` or non-function tools, message `name`s, images in assistant, system or tool
 * messages, image URLs that are neither data nor http(s), and every field not in KNOWN
 * (presence_penalty, frequency_penalty, seed, logprobs, top_logprobs, logit_bias, ...).
 */
import type { ChatMessage, ChatRequest, ContentPart, JsonObject } from "../../core/chat.ts";
import {
  invalidField,
  parseArguments,
  parseDataUrl,
  knownFields,
  rejectUnknownFields,
  untranslatable,
} from "../fields.ts";
import type {
  AssistantBlock,
  ImageBlock,
  MessagesRequest,
  TextBlock,
  UserBlock,
  WireMessage,
  WireTool,
  WireToolChoice,
} from "./wire.ts";

export const DEFAULT_MAX_TOKENS = 4096;

const KNOWN = knownFields("user");

const TARGET = "Anthropic";

/** A message's content as text blocks; any other part is refused. */
function textBlocks(content: ChatMessage["content"], path: string): TextBlock[] {
  if (content === null) return [];
  if (typeof content === "string") return content === "" ? [] : [{ type: "text", text: content }];
  return content.map((part, j) => {
    if (part.type !== "text") throw untranslatable(`${path}.content[${j}]`, TARGET);
    return { type: "text", text: part.text };
  });
}

/** One text block as a string; none as ""; several as they are. */
function compact<B extends TextBlock>(blocks: B[]): string | B[] {
  if (blocks.length === 0) return "";
  return blocks.length === 1 ? blocks[0]!.text : blocks;
}

function imageBlock(part: Extract<ContentPart, { type: "image_url" }>, path: string): ImageBlock {
  const url = part.image_url.url;
  const data = parseDataUrl(url);
  if (data)
    return {
      type: "image",
      source: { type: "base64", media_type: data.mediaType, data: data.data },
    };
  if (/^https?:\/\//i.test(url)) return { type: "image", source: { type: "url", url } };
  throw untranslatable(path, TARGET);
}

function userBlocks(content: ChatMessage["content"], path: string): UserBlock[] {
  if (content === null) return [];
  if (typeof content === "string") return content === "" ? [] : [{ type: "text", text: content }];
  return content.map((part, j) =>
    part.type === "text"
      ? { type: "text", text: part.text }
      : imageBlock(part, `${path}.content[${j}]`),
  );
}

function assistantMessage(m: ChatMessage, path: string): WireMessage {
  const texts = textBlocks(m.content, path);
  if (!m.tool_calls?.length) return { role: "assistant", content: compact(texts) };
  const blocks: AssistantBlock[] = [...texts];
  m.tool_calls.forEach((call, k) => {
    const argsPath = `${path}.tool_calls[${k}].function.arguments`;
    blocks.push({
      type: "tool_use",
      id: call.id,
      name: call.function.name,
      input: parseArguments(call.function.arguments, argsPath),
    });
  });
  return { role: "assistant", content: blocks };
}

function toolResult(m: ChatMessage, path: string): UserBlock {
  if (typeof m.tool_call_id !== "string" || m.tool_call_id === "")
    throw invalidField(`${path}.tool_call_id`, "is required for a tool message");
  const content = typeof m.content === "string" ? m.content : compact(textBlocks(m.content, path));
  return { type: "tool_result", tool_use_id: m.tool_call_id, content };
}

interface Conversation {
  system: TextBlock[];
  messages: WireMessage[];
  /** The user turn that holds the latest tool results, while more may join it. */
  results?: UserBlock[];
}

/** A user message; its text joins the turn of the tool results just before it, if any. */
function addUser(m: ChatMessage, path: string, conv: Conversation, results?: UserBlock[]): void {
  const blocks = userBlocks(m.content, path);
  if (results) results.push(...blocks);
  else
    conv.messages.push({
      role: "user",
      content: typeof m.content === "string" ? m.content : blocks,
    });
}

function addMessage(m: ChatMessage, i: number, conv: Conversation): void {
  const path = `messages[${i}]`;
  if (m.name !== undefined) throw untranslatable(`${path}.name`, TARGET);
  const results = conv.results;
  conv.results = undefined;
  if (m.role === "system" || m.role === "developer") {
    conv.system.push(...textBlocks(m.content, path));
  } else if (m.role === "assistant") {
    conv.messages.push(assistantMessage(m, path));
  } else if (m.role === "tool") {
    conv.results = results ?? [];
    if (!results) conv.messages.push({ role: "user", content: conv.results });
    conv.results.push(toolResult(m, path));
  } else if (m.role === "user") {
    addUser(m, path, conv, results);
  } else {
    throw invalidField(`${path}.role`, "must be system, developer, user, assistant or tool");
  }
}

function toolChoice(req: ChatRequest): WireToolChoice | undefined {
  const choice = req.tool_choice;
  let out: WireToolChoice | undefined;
  if (choice === "auto") out = { type: "auto" };
  else if (choice === "required") out = { type: "any" };
  else if (choice === "none") out = { type: "none" };
  else if (choice !== undefined) out = { type: "tool", name: choice.function.name };
  if (req.parallel_tool_calls === false && out?.type !== "none")
    out = { ...(out ?? { type: "auto" }), disable_parallel_tool_use: true };
  return out;
}

function tools(req: ChatRequest): WireTool[] {
  return (req.tools ?? []).map((tool, i) => {
    if (tool.type !== "function") throw untranslatable(`tools[${i}]`, TARGET);
    if (tool.function.strict) throw untranslatable(`tools[${i}].function.strict`, TARGET);
    const wire: WireTool = {
      name: tool.function.name,
      input_schema: tool.function.parameters ?? { type: "object", properties: {} },
    };
    if (tool.function.description !== undefined) wire.description = tool.function.description;
    return wire;
  });
}

function checkSettings(req: ChatRequest): void {
  rejectUnknownFields(req, KNOWN, TARGET);
  if (req.n !== undefined && req.n !== 1) throw untranslatable("n", TARGET);
  if (req.response_format !== undefined && req.response_format.type !== "text")
    throw untranslatable("response_format", TARGET);
  if (req.temperature !== undefined && req.temperature > 1)
    throw invalidField("temperature", "must be between 0 and 1 for an Anthropic model");
}

function passthrough(body: JsonObject, req: ChatRequest, model: string): JsonObject {
  const out: JsonObject = { ...body, model };
  if (req.stream) out.stream = true;
  else if (out.stream !== undefined) out.stream = false;
  return out;
}

export function anthropicRequestOut(req: ChatRequest, model: string): MessagesRequest | JsonObject {
  if (req.native?.dialect === "anthropic") return passthrough(req.native.body, req, model);
  checkSettings(req);
  const conv: Conversation = { system: [], messages: [] };
  req.messages.forEach((m, i) => addMessage(m, i, conv));
  const body: MessagesRequest = {
    model,
    max_tokens: req.max_completion_tokens ?? req.max_tokens ?? DEFAULT_MAX_TOKENS,
    messages: conv.messages,
  };
  if (conv.system.length > 0) body.system = compact(conv.system);
  if (req.stop !== undefined)
    body.stop_sequences = typeof req.stop === "string" ? [req.stop] : req.stop;
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.top_p !== undefined) body.top_p = req.top_p;
  if (req.user !== undefined) body.metadata = { user_id: req.user };
  const wireTools = tools(req);
  if (wireTools.length > 0) body.tools = wireTools;
  const choice = toolChoice(req);
  if (choice) body.tool_choice = choice;
  if (req.stream) body.stream = true;
  return body;
}
