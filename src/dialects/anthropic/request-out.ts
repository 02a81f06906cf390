/**
 * Canonical request -> Anthropic Messages body (what an Anthropic provider is sent).
 *
 * - `system` / `developer` messages, wherever they are, join the top-level `system` in order
 *   (Anthropic has no mid-conversation system turn).
 * - `max_tokens` is required by Anthropic: `max_completion_tokens ?? max_tokens ?? 4096`.
 * - `tool` messages become `tool_result` blocks; consecutive ones share one user turn.
 * - Images: data URLs become base64 sources, http(s) URLs become url sources.
 * - `stream_options` is not sent: Anthropic streams always carry usage.
 * - Refused (400 naming the field): `n` > 1, `response_format` other than text, a temperature
 *   above 1 (Anthropic's range is 0..1), `strict` tools, message `name`s, non-text tool results or
 *   system content, and every field not in KNOWN (penalties, seed, logprobs, ...).
 */
import type { ChatMessage, ChatRequest, ContentPart, JsonObject } from "../../core/chat.ts";
import {
  invalidField,
  parseArguments,
  parseDataUrl,
  rejectUnknownFields,
  untranslatable,
} from "../fields.ts";

export const DEFAULT_MAX_TOKENS = 4096;

const KNOWN = new Set([
  "model",
  "messages",
  "stream",
  "stream_options",
  "temperature",
  "top_p",
  "max_tokens",
  "max_completion_tokens",
  "n",
  "stop",
  "user",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "response_format",
]);

const TARGET = "Anthropic";
type Block = Record<string, unknown>;
interface WireMessage {
  role: "user" | "assistant";
  content: string | Block[];
}

function onlyText(content: ChatMessage["content"], path: string): string {
  if (content === null) return "";
  if (typeof content === "string") return content;
  return content
    .map((part, j) => {
      if (part.type !== "text") throw untranslatable(`${path}.content[${j}]`, TARGET);
      return part.text;
    })
    .join("");
}

function imageBlock(part: Extract<ContentPart, { type: "image_url" }>): Block {
  const data = parseDataUrl(part.image_url.url);
  if (data)
    return {
      type: "image",
      source: { type: "base64", media_type: data.mediaType, data: data.data },
    };
  return { type: "image", source: { type: "url", url: part.image_url.url } };
}

function userContent(content: ChatMessage["content"]): string | Block[] {
  if (content === null) return "";
  if (typeof content === "string") return content;
  return content.map((part) =>
    part.type === "text" ? { type: "text", text: part.text } : imageBlock(part),
  );
}

function assistantContent(m: ChatMessage, path: string): string | Block[] {
  const text = onlyText(m.content, path);
  if (!m.tool_calls?.length) return text;
  const blocks: Block[] = text === "" ? [] : [{ type: "text", text }];
  m.tool_calls.forEach((call, k) => {
    blocks.push({
      type: "tool_use",
      id: call.id,
      name: call.function.name,
      input: parseArguments(call.function.arguments, `${path}.tool_calls[${k}].function.arguments`),
    });
  });
  return blocks;
}

function convertMessages(messages: ChatMessage[]): { system: string[]; out: WireMessage[] } {
  const system: string[] = [];
  const out: WireMessage[] = [];
  let results: Block[] | undefined;
  messages.forEach((m, i) => {
    const path = `messages[${i}]`;
    if (m.name !== undefined) throw untranslatable(`${path}.name`, TARGET);
    if (m.role !== "tool") results = undefined;
    if (m.role === "system" || m.role === "developer") {
      system.push(onlyText(m.content, path));
    } else if (m.role === "user") {
      out.push({ role: "user", content: userContent(m.content) });
    } else if (m.role === "assistant") {
      out.push({ role: "assistant", content: assistantContent(m, path) });
    } else {
      if (m.tool_call_id === undefined) throw invalidField(`${path}.tool_call_id`, "is required");
      const block = {
        type: "tool_result",
        tool_use_id: m.tool_call_id,
        content: onlyText(m.content, path),
      };
      if (results) results.push(block);
      else out.push({ role: "user", content: (results = [block]) });
    }
  });
  return { system, out };
}

function toolChoice(req: ChatRequest): Block | undefined {
  const choice = req.tool_choice;
  let out: Block | undefined;
  if (choice === "auto") out = { type: "auto" };
  else if (choice === "required") out = { type: "any" };
  else if (choice === "none") out = { type: "none" };
  else if (choice !== undefined) out = { type: "tool", name: choice.function.name };
  if (req.parallel_tool_calls === false && out?.type !== "none") {
    out = { ...(out ?? { type: "auto" }), disable_parallel_tool_use: true };
  }
  return out;
}

function checkSettings(req: ChatRequest): void {
  rejectUnknownFields(req, KNOWN, TARGET);
  if (req.n !== undefined && req.n !== 1) throw untranslatable("n", TARGET);
  if (req.response_format !== undefined && req.response_format.type !== "text")
    throw untranslatable("response_format", TARGET);
  if (req.temperature !== undefined && req.temperature > 1)
    throw invalidField("temperature", "must be between 0 and 1 for an Anthropic model");
}

export function anthropicRequestOut(req: ChatRequest, model: string): JsonObject {
  if (req.native?.dialect === "anthropic") {
    const body: JsonObject = { ...req.native.body, model };
    if (req.stream) body.stream = true;
    else delete body.stream;
    return body;
  }
  checkSettings(req);
  const { system, out } = convertMessages(req.messages);
  const body: Record<string, unknown> = {
    model,
    max_tokens: req.max_completion_tokens ?? req.max_tokens ?? DEFAULT_MAX_TOKENS,
    messages: out,
  };
  if (system.length > 0) body.system = system.join("\n\n");
  if (req.stop !== undefined)
    body.stop_sequences = typeof req.stop === "string" ? [req.stop] : req.stop;
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.top_p !== undefined) body.top_p = req.top_p;
  if (req.user !== undefined) body.metadata = { user_id: req.user };
  if (req.tools?.length) {
    body.tools = req.tools.map((tool, i) => {
      if (tool.function.strict) throw untranslatable(`tools[${i}].function.strict`, TARGET);
      const wire: Block = {
        name: tool.function.name,
        input_schema: tool.function.parameters ?? { type: "object", properties: {} },
      };
      if (tool.function.description !== undefined) wire.description = tool.function.description;
      return wire;
    });
  }
  const choice = toolChoice(req);
  if (choice) body.tool_choice = choice;
  if (req.stream) body.stream = true;
  return body as JsonObject;
}
