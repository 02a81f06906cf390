/** Small builders and checks the unit tests of dialects, providers and the router share. */
import type { ChatChunk, ChunkChoice, Usage } from "../../src/core/chat.ts";
import { GatewayError } from "../../src/core/errors.ts";

/** The GatewayError `fn` throws; any other outcome fails the test. */
export function thrown(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error("expected a GatewayError");
}

/** A canonical stream chunk with one choice, as an OpenAI-format upstream sends it. */
export function chunk(
  delta: ChunkChoice["delta"],
  finish: ChunkChoice["finish_reason"] = null,
): ChatChunk {
  return {
    id: "chatcmpl-1",
    object: "chat.completion.chunk",
    created: 1,
    model: "gpt-4o-mini",
    choices: [{ index: 0, delta, finish_reason: finish }],
  };
}

/**
 * An answer streamed the way OpenAI sends one: "Checking", then a `get_weather` call whose
 * arguments arrive in `pieces`, the `tool_calls` finish, and a usage chunk.
 */
export function weatherCallStream(pieces: string[], usage: Usage): ChatChunk[] {
  return [
    chunk({ role: "assistant", content: "Checking" }),
    chunk({
      tool_calls: [
        {
          index: 0,
          id: "call_1",
          type: "function",
          function: { name: "get_weather", arguments: "" },
        },
      ],
    }),
    ...pieces.map((arguments_) =>
      chunk({ tool_calls: [{ index: 0, function: { arguments: arguments_ } }] }),
    ),
    chunk({}, "tool_calls"),
    { ...chunk({}), choices: [], usage },
  ];
}
