/** The shape of an OpenAI answer's message (or a stream delta) that every encoder relies on. */
import { isRecord } from "../fields.ts";

/** Text is a string (or null), tool calls a list: what every caller's encoder relies on. */
export function wellFormedMessage(message: unknown): boolean {
  if (!isRecord(message)) return false;
  const { content, tool_calls } = message;
  if (content !== undefined && content !== null && typeof content !== "string") return false;
  return tool_calls === undefined || tool_calls === null || Array.isArray(tool_calls);
}
