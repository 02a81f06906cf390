/** A whole chat response with one text answer: what a plugin returns to answer by itself. */
import type { ChatResponse, Usage } from "../core/chat.ts";

export interface ReplyOptions {
  model: string;
  id?: string;
  usage?: Usage;
}

export function textReply(text: string, options: ReplyOptions): ChatResponse {
  const res: ChatResponse = {
    id: options.id ?? `chatcmpl-${crypto.randomUUID()}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: options.model,
    choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
  };
  if (options.usage) res.usage = options.usage;
  return res;
}
