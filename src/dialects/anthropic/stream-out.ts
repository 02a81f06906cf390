/**
 * Canonical chunks -> Anthropic's event sequence: `message_start`, `ping`, then for each content
 * block `content_block_start`, its deltas (`text_delta`, `input_json_delta`) and
 * `content_block_stop`, and at the end `message_delta` (stop reason and usage) and `message_stop`.
 * OpenAI-format upstreams send usage after the finish reason, so both are held until the end.
 * Tool calls are expected one after another (as every upstream streams them); a fragment for an
 * earlier call is still sent against that call's block.
 *
 * Events a chunk carries from an Anthropic provider (`native`) are sent as they are.
 */
import type { ChatChunk, ChatRequest, FinishReason, Usage } from "../../core/chat.ts";
import type { GatewayError } from "../../core/errors.ts";
import type { SseEvent, StreamEncoder } from "../../core/stream.ts";
import { anthropicErrorBody } from "./errors.ts";
import { messageId, stopReason, usageOut } from "./response.ts";

function event(type: string, data: Record<string, unknown>): SseEvent {
  return { event: type, data: JSON.stringify({ type, ...data }) };
}

export function anthropicStreamOut(req: ChatRequest): StreamEncoder {
  let started = false;
  let passthrough = false;
  let open: number | undefined; // the open block's index
  let openText = false;
  let next = 0;
  const toolBlocks = new Map<number, number>(); // canonical tool index -> block index
  let finish: FinishReason | null = null;
  let usage: Usage | undefined;

  function start(chunk: ChatChunk | undefined, out: SseEvent[]): void {
    if (started) return;
    started = true;
    const message = {
      id: messageId(chunk?.id || crypto.randomUUID()),
      type: "message",
      role: "assistant",
      model: chunk?.model || req.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 0, output_tokens: 0 },
    };
    out.push(event("message_start", { message }), event("ping", {}));
  }

  function close(out: SseEvent[]): void {
    if (open === undefined) return;
    out.push(event("content_block_stop", { index: open }));
    open = undefined;
    openText = false;
  }

  function text(content: string, out: SseEvent[]): void {
    if (!openText) {
      close(out);
      open = next++;
      openText = true;
      out.push(
        event("content_block_start", { index: open, content_block: { type: "text", text: "" } }),
      );
    }
    out.push(
      event("content_block_delta", { index: open, delta: { type: "text_delta", text: content } }),
    );
  }

  function tool(
    d: NonNullable<ChatChunk["choices"][number]["delta"]["tool_calls"]>[number],
    out: SseEvent[],
  ) {
    let block = toolBlocks.get(d.index);
    if (block === undefined) {
      close(out);
      block = next++;
      toolBlocks.set(d.index, block);
      open = block;
      const content_block = {
        type: "tool_use",
        id: d.id ?? `toolu_${crypto.randomUUID()}`,
        name: d.function?.name ?? "",
        input: {},
      };
      out.push(event("content_block_start", { index: block, content_block }));
    }
    const args = d.function?.arguments;
    if (args)
      out.push(
        event("content_block_delta", {
          index: block,
          delta: { type: "input_json_delta", partial_json: args },
        }),
      );
  }

  return {
    push(chunk) {
      if (chunk.native?.dialect === "anthropic") {
        passthrough = true;
        return [chunk.native.event];
      }
      const out: SseEvent[] = [];
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices[0];
      if (!choice) return out;
      start(chunk, out);
      if (choice.delta.content) text(choice.delta.content, out);
      for (const d of choice.delta.tool_calls ?? []) tool(d, out);
      if (choice.finish_reason) finish = choice.finish_reason;
      return out;
    },
    end() {
      if (passthrough) return [event("message_stop", {})];
      const out: SseEvent[] = [];
      start(undefined, out);
      close(out);
      out.push(
        event("message_delta", {
          delta: { stop_reason: stopReason(finish), stop_sequence: null },
          usage: usageOut(usage),
        }),
        event("message_stop", {}),
      );
      return out;
    },
    fail: (err: GatewayError) => [
      event("error", anthropicErrorBody(err) as unknown as Record<string, unknown>),
    ],
  };
}
