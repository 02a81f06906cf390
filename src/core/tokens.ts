/**
 * Token estimates for when no provider has counted: one token per four characters, a small
 * per-message overhead, and a flat cost per image. Used by the mock model and by the
 * token-counting endpoints (Anthropic `count_tokens`, Gemini `countTokens`).
 */
import type { ChatMessage, ChatRequest } from "./chat.ts";

/** A rough, deterministic token count: one token per four characters, at least one. */
export function countTokens(text: string): number {
  return text.length === 0 ? 0 : Math.max(1, Math.ceil(text.length / 4));
}

export function messageText(message: ChatMessage): string {
  if (typeof message.content === "string") return message.content;
  if (!Array.isArray(message.content)) return "";
  return message.content
    .map((part) => (part.type === "text" ? part.text : ""))
    .filter(Boolean)
    .join(" ");
}

/** The text of a request's last message ("" when there is none). */
export function lastMessageText(req: ChatRequest): string {
  const last = req.messages.at(-1);
  return last ? messageText(last) : "";
}

export function imageCount(message: ChatMessage): number {
  return Array.isArray(message.content)
    ? message.content.filter((p) => p.type === "image_url").length
    : 0;
}

/** The estimated prompt size of a request: messages, tool calls and tool definitions. */
export function promptTokens(req: ChatRequest): number {
  let n = 0;
  for (const m of req.messages) {
    n += 4 + countTokens(messageText(m)) + 85 * imageCount(m);
    for (const call of m.tool_calls ?? []) n += countTokens(call.function.arguments) + 4;
  }
  for (const tool of req.tools ?? []) n += countTokens(JSON.stringify(tool.function));
  return n;
}
