/**
 * Example: stream rewrite. Replaces words in the model's output, in plain and streamed answers,
 * and drops chunks left empty. Config: `{ "replace": { "colour": "color" } }`. (A word split
 * across two chunks is not caught; the guardrails plugin shows how to hold text back for that.)
 */
import { definePlugin, mapChunkText, mapResponseText, Type } from "../../src/plugins/index.ts";

export default definePlugin({
  name: "example-stream-rewrite",
  configSchema: Type.Object({
    replace: Type.Record(Type.String({ minLength: 1 }), Type.String(), { default: {} }),
  }),
  onStreamChunk(ctx, chunk) {
    mapChunkText(chunk, (text) => rewrite(text, ctx.config.replace));
    const empty = chunk.choices.every(
      (c) => c.delta.content === "" && !c.finish_reason && !c.delta.tool_calls,
    );
    if (empty && chunk.choices.length > 0 && !chunk.usage) return null;
  },
  postHook(ctx, res) {
    if (res && !ctx.stream) mapResponseText(res, (text) => rewrite(text, ctx.config.replace));
  },
});

function rewrite(text: string, words: Record<string, string>): string {
  let out = text;
  for (const [from, to] of Object.entries(words)) out = out.split(from).join(to);
  return out;
}
