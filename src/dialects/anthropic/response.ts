/**
 * Anthropic Messages responses, both ways, and the stop-reason and usage mappings they share with
 * the streams. Thinking blocks have no canonical form: they reach Anthropic clients through the
 * native body only.
 */
import type { ChatResponse, FinishReason, JsonObject, ToolCall, Usage } from "../../core/chat.ts";
import { invalidUpstream, isRecord, parseArguments } from "../fields.ts";

const FINISH: Record<string, FinishReason> = {
  end_turn: "stop",
  stop_sequence: "stop",
  pause_turn: "stop",
  max_tokens: "length",
  model_context_window_exceeded: "length",
  tool_use: "tool_calls",
  refusal: "content_filter",
};

const STOP: Record<FinishReason, string> = {
  stop: "end_turn",
  length: "max_tokens",
  tool_calls: "tool_use",
  function_call: "tool_use",
  content_filter: "refusal",
};

export function finishReason(stop: unknown): FinishReason | null {
  return typeof stop === "string" ? (FINISH[stop] ?? "stop") : null;
}

export function stopReason(finish: FinishReason | null | undefined): string {
  return finish ? STOP[finish] : "end_turn";
}

function count(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

/** Anthropic usage -> canonical: cached and cache-written input count as prompt tokens. */
export function usageIn(usage: Record<string, unknown>): Usage {
  const cached = count(usage.cache_read_input_tokens);
  const prompt = count(usage.input_tokens) + cached + count(usage.cache_creation_input_tokens);
  const completion = count(usage.output_tokens);
  const out: Usage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
  };
  if (cached > 0) out.prompt_tokens_details = { cached_tokens: cached };
  return out;
}

/** Canonical usage -> Anthropic's, splitting cached prompt tokens back out. */
export function usageOut(usage: Usage | undefined | null): Record<string, number> {
  if (!usage) return { input_tokens: 0, output_tokens: 0 };
  const cached = usage.prompt_tokens_details?.cached_tokens ?? 0;
  const out: Record<string, number> = {
    input_tokens: usage.prompt_tokens - cached,
    output_tokens: usage.completion_tokens,
  };
  if (cached > 0) out.cache_read_input_tokens = cached;
  return out;
}

export function anthropicResponseIn(body: unknown): ChatResponse {
  if (!isRecord(body) || !Array.isArray(body.content) || !isRecord(body.usage))
    throw invalidUpstream("message");
  let text = "";
  const calls: ToolCall[] = [];
  for (const block of body.content) {
    if (!isRecord(block)) throw invalidUpstream("content block");
    if (block.type === "text" && typeof block.text === "string") text += block.text;
    if (block.type === "tool_use") {
      if (typeof block.id !== "string" || typeof block.name !== "string")
        throw invalidUpstream("tool_use block");
      calls.push({
        id: block.id,
        type: "function",
        function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) },
      });
    }
  }
  const message: ChatResponse["choices"][number]["message"] = {
    role: "assistant",
    content: text === "" && calls.length > 0 ? null : text,
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

export function messageId(id: string): string {
  return id.startsWith("msg_") ? id : `msg_${id}`;
}

export function anthropicResponseOut(res: ChatResponse): unknown {
  if (res.native?.dialect === "anthropic") return res.native.body;
  const choice = res.choices[0];
  const content: JsonObject[] = [];
  const text = choice?.message.content;
  if (text) content.push({ type: "text", text });
  choice?.message.tool_calls?.forEach((call, k) => {
    content.push({
      type: "tool_use",
      id: call.id,
      name: call.function.name,
      input: safeInput(call.function.arguments, k),
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

/** A provider's malformed tool arguments are an upstream fault, not the caller's. */
function safeInput(args: string, k: number): JsonObject {
  try {
    return parseArguments(args, `tool_calls[${k}]`);
  } catch {
    throw invalidUpstream("tool call: its arguments are not a JSON object");
  }
}
