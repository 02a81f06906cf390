/**
 * What plain and streamed Anthropic answers share: stop reasons and usage, both ways, and the
 * message id.
 *
 * | stop_reason                                 | finish_reason  |
 * | ------------------------------------------- | -------------- |
 * | end_turn, stop_sequence, pause_turn         | stop           |
 * | max_tokens, model_context_window_exceeded   | length         |
 * | tool_use                                    | tool_calls     |
 * | refusal                                     | content_filter |
 *
 * Written back: stop -> end_turn, length -> max_tokens, tool_calls (and the legacy
 * function_call) -> tool_use, content_filter -> refusal. An unknown stop reason reads as stop.
 */
import type { FinishReason, Usage } from "../../core/chat.ts";
import type { StopReason, WireUsage } from "./wire.ts";
import { tokenCount } from "../../core/usage.ts";

const FINISH: Readonly<Record<string, FinishReason>> = {
  end_turn: "stop",
  stop_sequence: "stop",
  pause_turn: "stop",
  max_tokens: "length",
  model_context_window_exceeded: "length",
  tool_use: "tool_calls",
  refusal: "content_filter",
};

const STOP: Readonly<Record<FinishReason, StopReason>> = {
  stop: "end_turn",
  length: "max_tokens",
  tool_calls: "tool_use",
  function_call: "tool_use",
  content_filter: "refusal",
};

/** An Anthropic stop reason as a finish reason; null while there is none. */
export function finishReason(stop: unknown): FinishReason | null {
  if (typeof stop !== "string") return null;
  return Object.hasOwn(FINISH, stop) ? FINISH[stop]! : "stop";
}

export function stopReason(finish: FinishReason | null | undefined): StopReason {
  return finish ? STOP[finish] : "end_turn";
}

/** Anthropic usage -> canonical: cache reads and cache writes count as prompt tokens. */
export function usageIn(usage: Record<string, unknown>): Usage {
  const cached = tokenCount(usage.cache_read_input_tokens);
  const prompt =
    tokenCount(usage.input_tokens) + cached + tokenCount(usage.cache_creation_input_tokens);
  const completion = tokenCount(usage.output_tokens);
  const out: Usage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
  };
  if (cached > 0) out.prompt_tokens_details = { cached_tokens: cached };
  return out;
}

/** Canonical usage -> Anthropic's, with cached prompt tokens split back out. */
export function usageOut(usage: Usage | undefined | null): WireUsage {
  if (!usage) return { input_tokens: 0, output_tokens: 0 };
  const cached = usage.prompt_tokens_details?.cached_tokens ?? 0;
  const out: WireUsage = {
    input_tokens: Math.max(0, usage.prompt_tokens - cached),
    output_tokens: usage.completion_tokens,
  };
  if (cached > 0) out.cache_read_input_tokens = cached;
  return out;
}

/** Anthropic message ids start with `msg_`. */
export function messageId(id: string): string {
  return id.startsWith("msg_") ? id : `msg_${id}`;
}
