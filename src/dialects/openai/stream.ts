/**
 * OpenAI chat streams, both ways. In: `data: {chunk}` events ending in `data: [DONE]`, with an
 * error sent as `data: {"error": {...}}`. Out: the same framing; the usage chunk the gateway
 * always asks upstreams for is passed on only when the client asked for it.
 */
import type { ChatChunk, ChatRequest } from "../../core/chat.ts";
import type { GatewayError } from "../../core/errors.ts";
import type { SseEvent, StreamEncoder, StreamParser, StreamStep } from "../../core/stream.ts";
import { upstreamError } from "../../core/upstream-error.ts";
import { cleanUsage } from "../../core/usage.ts";
import { invalidUpstream, isRecord } from "../fields.ts";
import { openAiErrorBody, openAiErrorInfo } from "./errors.ts";
import { wellFormedMessage } from "./message.ts";

export interface OpenAiStreamState {
  finished: boolean;
}

const DONE: StreamStep = "done";

/** An error event carries no status; its type says what it would have been. */
function inStreamStatus(type: string | undefined, code: string | undefined): number {
  if (
    type === "rate_limit_error" ||
    type === "requests" ||
    type === "tokens" ||
    code === "rate_limit_exceeded"
  ) {
    return 429;
  }
  if (type === "invalid_request_error") return 400;
  return 500;
}

function parse(event: SseEvent, state: OpenAiStreamState): StreamStep {
  const data = event.data;
  if (data === "[DONE]") return DONE;
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    throw invalidUpstream("stream event");
  }
  if (!isRecord(parsed)) throw invalidUpstream("stream event");
  if (parsed.error !== undefined) {
    const info = openAiErrorInfo(500, parsed);
    throw upstreamError(inStreamStatus(info.type, info.code), info);
  }
  if (!Array.isArray(parsed.choices)) throw invalidUpstream("stream chunk");
  for (const choice of parsed.choices) {
    if (!isRecord(choice) || (choice.delta !== undefined && !wellFormedMessage(choice.delta)))
      throw invalidUpstream("stream chunk choice");
  }
  if (parsed.usage !== undefined) parsed.usage = cleanUsage(parsed.usage) ?? null;
  const chunk = parsed as unknown as ChatChunk;
  if (chunk.choices.some((c) => c.finish_reason)) state.finished = true;
  return [chunk];
}

/** Without `[DONE]`, a stream that reached a finish reason is whole; one that did not was cut. */
function end(state: OpenAiStreamState): readonly ChatChunk[] {
  if (!state.finished) throw invalidUpstream("stream: it ended before a finish reason");
  return [];
}

export const openAiStreamIn: StreamParser<OpenAiStreamState> = {
  init: () => ({ finished: false }),
  parse,
  end,
};

const DONE_EVENT: SseEvent = { data: "[DONE]" };

/** Canonical chunks -> OpenAI events. Chunks of other dialects' bookkeeping are skipped. */
export function openAiStreamOut(req: ChatRequest): StreamEncoder {
  const includeUsage = req.stream_options?.include_usage === true;
  return {
    push(chunk: ChatChunk): SseEvent[] {
      if (chunk.choices.length === 0 && !(includeUsage && chunk.usage)) return [];
      const { native: _native, usage, ...out } = chunk;
      if (!includeUsage || !usage) return [{ data: JSON.stringify(out) }];
      if (out.choices.length === 0) return [{ data: JSON.stringify({ ...out, usage }) }];
      // OpenAI sends usage in a chunk of its own, after the finish reason.
      return [
        { data: JSON.stringify(out) },
        { data: JSON.stringify({ ...out, choices: [], usage }) },
      ];
    },
    end: () => [DONE_EVENT],
    fail: (err: GatewayError) => [{ data: JSON.stringify(openAiErrorBody(err)) }],
  };
}
