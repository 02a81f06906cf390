/**
 * Rewriting the text of requests, responses and chunks: the canonical form and, for requests
 * and responses, the native body too (so that same-dialect passthrough keeps working after a
 * rewrite). Text is what a person wrote or a model said: message content and text parts, and in
 * native bodies every string under a `text` key plus Anthropic's string `content` and `system`.
 * Images, tool-call arguments and tool schemas are left alone.
 */
import type { ChatChunk, ChatRequest, ChatResponse, JsonValue } from "../core/chat.ts";

/**
 * Returns the new text; return the argument unchanged to keep it. `where` says which form the
 * text is in: the native body repeats the canonical text, so a mapper that counts what it finds
 * counts `canonical` texts only.
 */
export type TextMapper = (text: string, where: "canonical" | "native") => string;

const TEXT_KEYS = new Set(["text", "content", "system"]);

/** The node with its texts mapped: copied where something changed, the node itself where not. */
function mapNative(node: JsonValue, fn: TextMapper): JsonValue {
  if (Array.isArray(node)) {
    let out: JsonValue[] | undefined;
    node.forEach((v, i) => {
      const mapped = mapNative(v, fn);
      if (mapped !== v) (out ??= node.slice())[i] = mapped;
    });
    return out ?? node;
  }
  if (node === null || typeof node !== "object") return node;
  let out: Record<string, JsonValue> | undefined;
  for (const [key, value] of Object.entries(node)) {
    const mapped =
      typeof value === "string" && TEXT_KEYS.has(key) ? fn(value, "native") : mapNative(value, fn);
    if (mapped !== value) (out ??= { ...node })[key] = mapped;
  }
  return out ?? node;
}

/** Every message's text, in place. */
export function mapRequestText(req: ChatRequest, fn: TextMapper): void {
  for (const message of req.messages) {
    if (typeof message.content === "string") message.content = fn(message.content, "canonical");
    else if (Array.isArray(message.content)) {
      for (const part of message.content)
        if (part.type === "text") part.text = fn(part.text, "canonical");
    }
  }
  if (req.native) req.native.body = mapNative(req.native.body, fn) as typeof req.native.body;
}

/** Every choice's text and refusal, in place. */
export function mapResponseText(res: ChatResponse, fn: TextMapper): void {
  for (const choice of res.choices) {
    const m = choice.message;
    if (typeof m.content === "string") m.content = fn(m.content, "canonical");
    if (typeof m.refusal === "string") m.refusal = fn(m.refusal, "canonical");
  }
  if (res.native) res.native.body = mapNative(res.native.body, fn) as typeof res.native.body;
}

/** Every choice's text delta, in place. (Plugins see chunks without `native`.) */
export function mapChunkText(chunk: ChatChunk, fn: TextMapper): void {
  for (const choice of chunk.choices) {
    if (typeof choice.delta.content === "string")
      choice.delta.content = fn(choice.delta.content, "canonical");
  }
}
