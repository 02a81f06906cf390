/**
 * Canonical chunks -> Gemini stream events (`data:` only, no end marker). Text goes out as it
 * comes, one event per chunk. Gemini clients expect function calls whole, so tool-call fragments
 * are collected and sent, with the finish reason and usage (which OpenAI-format upstreams send
 * after the finish reason), in one last event at the end. That event always has a part (an empty
 * text when there are no calls): `@google/genai` chats keep a streamed answer in their history
 * only if every event has a candidate with non-empty `parts` and one has a `finishReason`.
 * OpenAI `refusal` deltas are sent as text. Events have no `event:` name, and the stream has no
 * end marker: the SDK takes every blank-line-separated `data:` block as one response.
 *
 * Events a chunk carries from a Gemini provider (`native`) are sent as they are.
 */
import type { ChatChunk, ChatRequest, FinishReason, JsonObject, Usage } from "../../core/chat.ts";
import type { GatewayError } from "../../core/errors.ts";
import type { SseEvent, StreamEncoder } from "../../core/stream.ts";
import { geminiErrorBody } from "./errors.ts";
import { callArgs, geminiFinish, usageOut } from "./response.ts";

interface PendingCall {
  id: string;
  name: string;
  args: string;
}

export function geminiStreamOut(req: ChatRequest): StreamEncoder {
  let passthrough = false;
  let id = "";
  let model = req.model;
  const calls: PendingCall[] = [];
  let finish: FinishReason | null = null;
  let usage: Usage | undefined;

  const event = (parts: JsonObject[], extra: JsonObject = {}): SseEvent => ({
    data: JSON.stringify({
      candidates: [{ content: { role: "model", parts }, index: 0, ...extra }],
      ...(usage && extra.finishReason ? { usageMetadata: usageOut(usage) } : {}),
      modelVersion: model,
      responseId: id,
    }),
  });

  function collect(chunk: ChatChunk): void {
    for (const d of chunk.choices[0]?.delta.tool_calls ?? []) {
      const call = (calls[d.index] ??= { id: "", name: "", args: "" });
      call.id ||= d.id ?? "";
      call.name ||= d.function?.name ?? "";
      call.args += d.function?.arguments ?? "";
    }
  }

  return {
    push(chunk) {
      if (chunk.native?.dialect === "gemini") {
        passthrough = true;
        return [chunk.native.event];
      }
      id ||= chunk.id;
      model = chunk.model || model;
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices[0];
      if (!choice) return [];
      collect(chunk);
      if (choice.finish_reason) finish = choice.finish_reason;
      const text = (choice.delta.content ?? "") + (choice.delta.refusal ?? "");
      return text === "" ? [] : [event([{ text }])];
    },
    end() {
      if (passthrough) return [];
      const parts: JsonObject[] = calls
        .filter(Boolean)
        .map((c) => ({ functionCall: { id: c.id, name: c.name, args: callArgs(c.args) } }));
      if (parts.length === 0) parts.push({ text: "" });
      return [event(parts, { finishReason: geminiFinish(finish) })];
    },
    fail: (err: GatewayError) => [{ data: JSON.stringify(geminiErrorBody(err)) }],
  };
}
