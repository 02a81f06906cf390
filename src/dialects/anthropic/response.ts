/**
 * Anthropic Messages responses, both ways.
 *
 * In: text blocks joined into `content` (null when there is none), `tool_use` blocks as
 * `tool_calls` (arguments = the input as JSON), the message id kept, usage and stop reason as in
 * mapping.ts. Thinking and server-tool blocks have no canonical form: they reach Anthropic
 * clients through the native body only.
 * Out: a text block (only for non-empty text; an OpenAI `refusal` counts as text), then one
 * `tool_use` block per call; the id gets a `msg_` prefix when it lacks one.
 */
import type { ChatResponse, JsonObject, ToolCall } from "../../core/chat.ts";
import { invalidUpstream, isRecord, parseArguments } from "../fields.ts";
import { finishReason, messageId, stopReason, usageIn, usageOut } from "./mapping.ts";
import type { AssistantBlock, MessagesResponse } from "./wire.ts";

function toolCallIn(block: Record<string, unknown>): ToolCall {
  if (typeof block.id !== "string" || typeof block.name !== "string")
    throw invalidUpstream("tool_use block");
  const input = block.input ?? {};
  if (!isRecord(input)) throw invalidUpstream("tool_use block: its input is not an object");
  return {
    id: block.id,
    type: "function",
    function: { name: block.name, arguments: JSON.stringify(input) },
  };
}

export function anthropicResponseIn(body: unknown): ChatResponse {
  if (!isRecord(body) || !Array.isArray(body.content) || !isRecord(body.usage))
    throw invalidUpstream("message");
  const texts: string[] = [];
  const calls: ToolCall[] = [];
  for (const block of body.content) {
    if (!isRecord(block)) throw invalidUpstream("content block");
    if (block.type === "text" && typeof block.text === "string") texts.push(block.text);
    else if (block.type === "tool_use") calls.push(toolCallIn(block));
  }
  const message: ChatResponse["choices"][number]["message"] = {
    role: "assistant",
    content: texts.length > 0 ? texts.join("") : null,
  };
  if (calls.length > 0) message.tool_calls = calls;
  return {
    id: typeof body.id === "string" ? body.id : `msg_${crypto.randomUUID()}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: typeof body.model === "string" ? body.model : "",
    choices: [{ index: 0, message, finish_reason: finishReason(body.stop_reason) ?? "stop" }],
    usage: usageIn(body.usage),
    native: { dialect: "anthropic", body: body as JsonObject },
  };
}

/** A provider's malformed tool arguments are an upstream fault, not the caller's. */
function toolInput(args: string, k: number): JsonObject {
  try {
    return parseArguments(args, `tool_calls[${k}]`);
  } catch {
    throw invalidUpstream("tool call: its arguments are not a JSON object");
  }
}

export function anthropicResponseOut(res: ChatResponse): MessagesResponse | JsonObject {
  if (res.native?.dialect === "anthropic") return res.native.body;
  const choice = res.choices.find((c) => c.index === 0) ?? res.choices[0];
  const content: AssistantBlock[] = [];
  const text = choice?.message.content || choice?.message.refusal;
  if (text) content.push({ type: "text", text });
  choice?.message.tool_calls?.forEach((call, k) => {
    content.push({
      type: "tool_use",
      id: call.id,
      name: call.function.name,
      input: toolInput(call.function.arguments, k),
    });
  });
  return {
    id: messageId(res.id),
    type: "message",
    role: "assistant",
    model: res.model,
    content,
    stop_reason: stopReason(choice?.finish_reason),
    stop_sequence: null,
    usage: usageOut(res.usage),
  };
}
