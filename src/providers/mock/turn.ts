/**
 * A mock turn in canonical shapes: the whole response, or the stream of chunks an OpenAI-format
 * upstream would send for it (role, text pieces or tool-call fragments, finish, usage). The mock
 * upstreams of other dialects encode these with the dialect's own encoders.
 */
import type { ChatChunk, ChatResponse, ChunkChoice } from "../../core/chat.ts";
import { streamPieces, type MockTurn } from "./reply.ts";

export interface TurnIdentity {
  id: string;
  created: number;
  model: string;
}

export function turnResponse(turn: MockTurn, who: TurnIdentity): ChatResponse {
  const message: ChatResponse["choices"][number]["message"] = {
    role: "assistant",
    content: turn.content,
  };
  if (turn.toolCalls.length > 0) message.tool_calls = turn.toolCalls;
  return {
    ...who,
    object: "chat.completion",
    choices: [{ index: 0, message, finish_reason: turn.finishReason }],
    usage: turn.usage,
  };
}

/** Tool arguments in eight-character fragments, as a real upstream splits them. */
export function argumentPieces(args: string): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < args.length; i += 8) pieces.push(args.slice(i, i + 8));
  return pieces.length > 0 ? pieces : [""];
}

export function turnChunks(turn: MockTurn, who: TurnIdentity): ChatChunk[] {
  const chunk = (delta: ChunkChoice["delta"], finish: ChunkChoice["finish_reason"] = null) => ({
    ...who,
    object: "chat.completion.chunk" as const,
    choices: [{ index: 0, delta, finish_reason: finish }],
  });
  const chunks: ChatChunk[] = [];
  if (turn.toolCalls.length > 0) {
    turn.toolCalls.forEach((call, index) => {
      const head = {
        index,
        id: call.id,
        type: "function" as const,
        function: { name: call.function.name, arguments: "" },
      };
      chunks.push(
        chunk(
          index === 0
            ? { role: "assistant", content: null, tool_calls: [head] }
            : { tool_calls: [head] },
        ),
      );
      for (const piece of argumentPieces(call.function.arguments)) {
        chunks.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
      }
    });
  } else {
    chunks.push(chunk({ role: "assistant", content: "" }));
    for (const piece of streamPieces(turn.content ?? "")) chunks.push(chunk({ content: piece }));
  }
  chunks.push(chunk({}, turn.finishReason));
  chunks.push({ ...who, object: "chat.completion.chunk", choices: [], usage: turn.usage });
  return chunks;
}
