/**
 * Gemini stream events (`alt=sse`: one GenerateContentResponse per `data:` event, no end marker)
 * -> canonical chunks. Every event yields one chunk carrying the event (`native`). Function calls
 * arrive whole, so each becomes one tool-call delta with its full arguments. Gemini repeats
 * running usage on many events; the latest is attached to the chunk with the finish reason (or to
 * a later one, if usage comes after it).
 */
import type { ChatChunk, ChunkChoice, Usage } from "../../core/chat.ts";
import type { SseEvent, StreamParser, StreamStep } from "../../core/stream.ts";
import { upstreamError } from "../../core/upstream-error.ts";
import { invalidUpstream, isRecord } from "../fields.ts";
import { geminiErrorInfo, geminiErrorStatus } from "./errors.ts";
import { finishReason, readParts, usageIn } from "./response.ts";

export interface GeminiStreamState {
  id: string;
  model: string;
  created: number;
  calls: number;
  roleSent: boolean;
  finished: boolean;
  usage?: Usage;
}

function parse(event: SseEvent, state: GeminiStreamState): StreamStep {
  let data: unknown;
  try {
    data = JSON.parse(event.data);
  } catch {
    throw invalidUpstream("stream event");
  }
  const wrapped = Array.isArray(data) ? data[0] : data;
  if (isRecord(wrapped) && wrapped.error !== undefined) {
    const status = geminiErrorStatus(data);
    throw upstreamError(status, geminiErrorInfo(status, data));
  }
  if (!isRecord(data)) throw invalidUpstream("stream event");
  if (typeof data.responseId === "string") state.id = data.responseId;
  if (typeof data.modelVersion === "string") state.model = data.modelVersion;
  if (isRecord(data.usageMetadata)) state.usage = usageIn(data.usageMetadata);
  const candidate =
    Array.isArray(data.candidates) && isRecord(data.candidates[0]) ? data.candidates[0] : undefined;
  const content = candidate && isRecord(candidate.content) ? candidate.content : {};
  const { text, calls } = readParts(content.parts, state.id || "stream", state.calls);
  const delta: ChunkChoice["delta"] = {};
  if (!state.roleSent && (text !== "" || calls.length > 0 || candidate)) {
    delta.role = "assistant";
    state.roleSent = true;
  }
  if (text !== "") delta.content = text;
  if (calls.length > 0) {
    delta.tool_calls = calls.map((call, k) => ({ index: state.calls + k, ...call }));
    state.calls += calls.length;
  }
  let finish: ChunkChoice["finish_reason"] = null;
  if (candidate?.finishReason !== undefined)
    finish = finishReason(candidate.finishReason, state.calls > 0);
  else if (!candidate && isRecord(data.promptFeedback) && data.promptFeedback.blockReason)
    finish = "content_filter";
  const wasFinished = state.finished;
  if (finish) state.finished = true;
  const chunk: ChatChunk = {
    id: state.id,
    object: "chat.completion.chunk",
    created: state.created,
    model: state.model,
    choices:
      Object.keys(delta).length > 0 || finish ? [{ index: 0, delta, finish_reason: finish }] : [],
    native: { dialect: "gemini", event },
  };
  if (state.usage && (finish || (wasFinished && isRecord(data.usageMetadata))))
    chunk.usage = state.usage;
  return [chunk];
}

export const geminiStreamIn: StreamParser<GeminiStreamState> = {
  init: () => ({
    id: "",
    model: "",
    created: Math.floor(Date.now() / 1000),
    calls: 0,
    roleSent: false,
    finished: false,
  }),
  parse,
  end(state) {
    if (!state.finished) throw invalidUpstream("stream: it ended before a finish reason");
    return [];
  },
};
