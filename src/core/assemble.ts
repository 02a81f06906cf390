/**
 * Streams and whole responses, each made from the other: `Assembler` builds the response a
 * stream adds up to (what a post-hook sees for a streamed request), and `responseChunks` replays
 * a response as a stream (a cached or short-circuited answer to a streaming client), through
 * `chunkStream`.
 */
import type { ChatChunk, ChatChoice, ChatResponse, FinishReason, Usage } from "./chat.ts";

interface ChoiceState {
  content: string | null;
  refusal: string | null;
  finish: FinishReason | null;
  calls: { id: string; name: string; arguments: string }[];
}

export class Assembler {
  private id = "";
  private model = "";
  private created = 0;
  private usage: Usage | undefined;
  private readonly choices: ChoiceState[] = [];

  push(chunk: ChatChunk): void {
    this.id ||= chunk.id;
    this.model ||= chunk.model;
    this.created ||= chunk.created;
    if (chunk.usage) this.usage = chunk.usage;
    for (const c of chunk.choices) {
      const state = (this.choices[c.index] ??= {
        content: null,
        refusal: null,
        finish: null,
        calls: [],
      });
      if (typeof c.delta.content === "string")
        state.content = (state.content ?? "") + c.delta.content;
      if (typeof c.delta.refusal === "string")
        state.refusal = (state.refusal ?? "") + c.delta.refusal;
      if (c.finish_reason) state.finish = c.finish_reason;
      for (const d of c.delta.tool_calls ?? []) {
        const call = (state.calls[d.index] ??= { id: "", name: "", arguments: "" });
        call.id ||= d.id ?? "";
        call.name ||= d.function?.name ?? "";
        call.arguments += d.function?.arguments ?? "";
      }
    }
  }

  response(): ChatResponse {
    const choices: ChatChoice[] = [];
    this.choices.forEach((s, index) => {
      const message: ChatChoice["message"] = { role: "assistant", content: s.content };
      if (s.refusal !== null) message.refusal = s.refusal;
      const calls = s.calls.filter(Boolean);
      if (calls.length > 0) {
        message.tool_calls = calls.map((c) => ({
          id: c.id,
          type: "function" as const,
          function: { name: c.name, arguments: c.arguments },
        }));
      }
      choices.push({ index, message, finish_reason: s.finish });
    });
    const res: ChatResponse = {
      id: this.id,
      object: "chat.completion",
      created: this.created,
      model: this.model,
      choices,
    };
    if (this.usage) res.usage = this.usage;
    return res;
  }
}

/** A response as the chunks a stream of it would carry: role and content, finish, usage. */
export function responseChunks(res: ChatResponse): ChatChunk[] {
  const base = {
    id: res.id,
    object: "chat.completion.chunk" as const,
    created: res.created,
    model: res.model,
  };
  const chunks: ChatChunk[] = [];
  for (const choice of res.choices) {
    const { content, tool_calls, refusal } = choice.message;
    const delta: ChatChunk["choices"][number]["delta"] = {
      role: "assistant",
      content: content ?? "",
    };
    if (refusal) delta.refusal = refusal;
    if (tool_calls?.length) {
      delta.tool_calls = tool_calls.map((call, index) => ({
        index,
        id: call.id,
        type: "function" as const,
        function: { name: call.function.name, arguments: call.function.arguments },
      }));
    }
    chunks.push({ ...base, choices: [{ index: choice.index, delta, finish_reason: null }] });
    chunks.push({
      ...base,
      choices: [{ index: choice.index, delta: {}, finish_reason: choice.finish_reason ?? "stop" }],
    });
  }
  if (res.usage) chunks.push({ ...base, choices: [], usage: res.usage });
  return chunks;
}

/** Chunks already in hand as a stream, one chunk per read. */
export function chunkStream(chunks: readonly ChatChunk[]): ReadableStream<ChatChunk> {
  let i = 0;
  return new ReadableStream<ChatChunk>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]!);
      else controller.close();
    },
  });
}
