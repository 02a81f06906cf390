/**
 * Anthropic messages and content blocks -> canonical messages, for `requestIn`.
 *
 * A user turn's `tool_result` blocks become `tool` messages placed before the rest of the turn;
 * an assistant turn's `tool_use` blocks become its `tool_calls`; `system` turns (allowed in
 * `messages` by the current API) become system messages where they stand. Blocks and keys the
 * canonical form cannot hold are listed in `unmapped` and left out.
 */
import type { ChatMessage, ContentPart, TextPart, ToolCall } from "../../core/chat.ts";
import { invalidField, isRecord } from "../fields.ts";

export type Unmapped = string[];

export function str(value: unknown, path: string): string {
  if (typeof value !== "string") throw invalidField(path, "must be a string");
  return value;
}

/** Lists a block's keys other than `known` (cache_control, citations, ...) as unmapped. */
export function noteExtras(
  block: Record<string, unknown>,
  path: string,
  known: readonly string[],
  unmapped: Unmapped,
): void {
  for (const key of Object.keys(block)) if (!known.includes(key)) unmapped.push(`${path}.${key}`);
}

function textPart(block: unknown, path: string, unmapped: Unmapped): TextPart {
  if (!isRecord(block) || block.type !== "text") throw invalidField(path, "must be a text block");
  noteExtras(block, path, ["type", "text"], unmapped);
  return { type: "text", text: str(block.text, `${path}.text`) };
}

/** One text as a string; several parts as they are. */
function compact<P extends ContentPart>(parts: P[]): string | P[] {
  const only = parts.length === 1 ? parts[0] : undefined;
  return only?.type === "text" ? only.text : parts;
}

/** A system prompt (top-level `system` or a `system` turn): a string or text blocks. */
export function systemContent(
  value: unknown,
  path: string,
  unmapped: Unmapped,
): string | TextPart[] {
  if (typeof value === "string") return value;
  if (!Array.isArray(value)) throw invalidField(path, "must be a string or text blocks");
  return compact(value.map((block, i) => textPart(block, `${path}[${i}]`, unmapped)));
}

function imagePart(block: Record<string, unknown>, path: string, unmapped: Unmapped) {
  const source = block.source;
  if (!isRecord(source)) throw invalidField(`${path}.source`, "must be an object");
  noteExtras(block, path, ["type", "source"], unmapped);
  if (source.type === "base64") {
    const mediaType = str(source.media_type, `${path}.source.media_type`);
    const data = str(source.data, `${path}.source.data`);
    return { type: "image_url", image_url: { url: `data:${mediaType};base64,${data}` } } as const;
  }
  if (source.type === "url")
    return {
      type: "image_url",
      image_url: { url: str(source.url, `${path}.source.url`) },
    } as const;
  str(source.type, `${path}.source.type`);
  unmapped.push(`${path}.source`); // file sources (Files API) and later kinds
  return undefined;
}

/** A tool result's content: one text as a string, several as text parts; images are unmapped. */
function toolResult(block: Record<string, unknown>, path: string, unmapped: Unmapped) {
  noteExtras(block, path, ["type", "tool_use_id", "content", "is_error"], unmapped);
  if (block.is_error === true) unmapped.push(`${path}.is_error`);
  else if (block.is_error !== undefined && block.is_error !== false)
    throw invalidField(`${path}.is_error`, "must be a boolean");
  const id = str(block.tool_use_id, `${path}.tool_use_id`);
  const content = block.content ?? "";
  if (typeof content === "string") return { role: "tool", tool_call_id: id, content } as const;
  if (!Array.isArray(content)) throw invalidField(`${path}.content`, "must be a string or blocks");
  const texts: TextPart[] = [];
  content.forEach((inner, k) => {
    const innerPath = `${path}.content[${k}]`;
    if (!isRecord(inner)) throw invalidField(innerPath, "must be a content block");
    if (inner.type === "text") texts.push(textPart(inner, innerPath, unmapped));
    else unmapped.push(innerPath); // images, documents, search results
  });
  return { role: "tool", tool_call_id: id, content: compact(texts) } as const;
}

function toolCall(block: Record<string, unknown>, path: string, unmapped: Unmapped): ToolCall {
  noteExtras(block, path, ["type", "id", "name", "input"], unmapped);
  if (!isRecord(block.input)) throw invalidField(`${path}.input`, "must be an object");
  return {
    id: str(block.id, `${path}.id`),
    type: "function",
    function: { name: str(block.name, `${path}.name`), arguments: JSON.stringify(block.input) },
  };
}

interface Turn {
  role: "user" | "assistant";
  parts: ContentPart[];
  calls: ToolCall[];
  results: ChatMessage[];
}

function readBlock(block: unknown, path: string, turn: Turn, unmapped: Unmapped): void {
  if (!isRecord(block) || typeof block.type !== "string")
    throw invalidField(path, "must be a content block with a type");
  const { role } = turn;
  if (block.type === "text") {
    turn.parts.push(textPart(block, path, unmapped));
  } else if (block.type === "image" && role === "user") {
    const image = imagePart(block, path, unmapped);
    if (image) turn.parts.push(image);
  } else if (block.type === "tool_use") {
    if (role !== "assistant") throw invalidField(path, "tool_use blocks belong to assistant turns");
    turn.calls.push(toolCall(block, path, unmapped));
  } else if (block.type === "tool_result") {
    if (role !== "user") throw invalidField(path, "tool_result blocks belong to user turns");
    turn.results.push(toolResult(block, path, unmapped));
  } else {
    unmapped.push(path); // thinking, redacted_thinking, document, search_result, server tools...
  }
}

function assistantMessage(turn: Turn): ChatMessage {
  const content =
    turn.parts.length === 0 ? (turn.calls.length > 0 ? null : "") : compact(turn.parts);
  const message: ChatMessage = { role: "assistant", content };
  if (turn.calls.length > 0) message.tool_calls = turn.calls;
  return message;
}

/** Appends the canonical messages of `messages[i]` to `out`. */
export function readMessage(raw: unknown, i: number, out: ChatMessage[], unmapped: Unmapped) {
  const path = `messages[${i}]`;
  if (!isRecord(raw)) throw invalidField(path, "must be an object");
  noteExtras(raw, path, ["role", "content"], unmapped);
  const role = raw.role;
  if (role === "system") {
    out.push({ role, content: systemContent(raw.content, `${path}.content`, unmapped) });
    return;
  }
  if (role !== "user" && role !== "assistant")
    throw invalidField(`${path}.role`, "must be user, assistant or system");
  if (typeof raw.content === "string") {
    out.push({ role, content: raw.content });
    return;
  }
  if (!Array.isArray(raw.content))
    throw invalidField(`${path}.content`, "must be a string or blocks");
  const turn: Turn = { role, parts: [], calls: [], results: [] };
  raw.content.forEach((block, j) => readBlock(block, `${path}.content[${j}]`, turn, unmapped));
  if (role === "assistant") {
    out.push(assistantMessage(turn));
    return;
  }
  out.push(...turn.results);
  if (turn.parts.length > 0 || turn.results.length === 0)
    out.push({ role, content: compact(turn.parts) });
}
