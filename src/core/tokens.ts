/**
 * Token estimates for when no provider has counted, made to count what providers count: text at
 * one token per four characters, except CJK characters (Han, kana, Hangul, full-width forms),
 * which tokenizers give about one token each, and emoji and other characters outside the BMP,
 * two each; a per-message overhead; images by their detail
 * (OpenAI's tile arithmetic at its largest for the default detail); tool calls and tool
 * definitions by the length of their JSON; any other content part by its JSON. Used by the mock
 * model, the token-counting endpoints (Anthropic `count_tokens`, Gemini `countTokens`) and
 * governance's reservations.
 */
import type { ChatMessage, ChatRequest } from "./chat.ts";

/** Tokens of a message's framing (role, separators), as chat formats add them. */
export const MESSAGE_OVERHEAD = 4;
/** Tokens of the framing of a tool call or a tool definition. */
const TOOL_OVERHEAD = 4;
/** An image at `detail: "low"`, and at the default or high detail (OpenAI's largest). */
export const LOW_DETAIL_IMAGE_TOKENS = 85;
export const IMAGE_TOKENS = 1105;

/** Han, kana, Hangul, full-width forms. */
const CJK_RANGES =
  "\\u1100-\\u11ff\\u3040-\\u30ff\\u3100-\\u312f\\u3130-\\u318f\\u3400-\\u4dbf\\u4e00-\\u9fff\\ua960-\\ua97f\\uac00-\\ud7af\\uf900-\\ufaff\\uff00-\\uffef";
const CJK = new RegExp(`[${CJK_RANGES}]`, "g");

/** A rough, deterministic token count: one token per four characters, at least one. */
export function countTokens(text: string): number {
  return text.length === 0 ? 0 : Math.max(1, Math.ceil(text.length / 4));
}

/** Characters outside the BMP (emoji, rare CJK): two UTF-16 units, two tokens or more each. */
const ASTRAL = /[\ud800-\udbff][\udc00-\udfff]/g;
/** A CJK character or the first half of a surrogate pair (no `g`: `test` keeps no state). */
const EITHER = new RegExp(`[${CJK_RANGES}\\ud800-\\udbff]`);

/**
 * Tokens of text as tokenizers count it: CJK characters one each, characters outside the BMP
 * (emoji) two each, the rest one per four characters.
 */
export function textTokens(text: string): number {
  if (text.length === 0) return 0;
  // Most text has neither: one native scan says so.
  if (!EITHER.test(text)) return Math.ceil(text.length / 4);
  const cjk = text.match(CJK)?.length ?? 0;
  const astral = text.match(ASTRAL)?.length ?? 0;
  const rest = text.length - cjk - 2 * astral;
  return Math.max(1, cjk + 2 * astral + Math.ceil(rest / 4));
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

/** Tokens of a message's content: text, images by detail, other parts by their JSON. */
function contentTokens(message: ChatMessage): number {
  const content = message.content;
  if (typeof content === "string") return textTokens(content);
  if (!Array.isArray(content)) return 0;
  let n = 0;
  for (const part of content) {
    if (part.type === "text") n += textTokens(part.text);
    else if (part.type === "image_url")
      n += part.image_url.detail === "low" ? LOW_DETAIL_IMAGE_TOKENS : IMAGE_TOKENS;
    else n += countTokens(JSON.stringify(part));
  }
  return n;
}

/** The estimated prompt size of a request: messages, tool calls and tool definitions. */
export function promptTokens(req: ChatRequest): number {
  let n = 0;
  for (const m of req.messages) {
    n += MESSAGE_OVERHEAD + contentTokens(m);
    for (const call of m.tool_calls ?? []) n += textTokens(call.function.arguments) + TOOL_OVERHEAD;
  }
  // The whole definition's JSON (type and wrapper included): tokenizers' own tool formats
  // come out near it, and a reservation must not fall short of it.
  for (const tool of req.tools ?? []) n += textTokens(JSON.stringify(tool)) + TOOL_OVERHEAD;
  return n;
}
