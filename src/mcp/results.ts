/** MCP tool results as the text of a tool message, and names mapped back for the caller. */
import type { ChatChunk, ChatResponse } from "../core/chat.ts";
import type { ToolNames } from "./names.ts";
import type { McpCallResult } from "./types.ts";

export function resultText(result: McpCallResult): string {
  const parts = result.content.map((c) => {
    const item = c as { type?: string; text?: string };
    return item.type === "text" && typeof item.text === "string" ? item.text : JSON.stringify(c);
  });
  const text = parts.join("\n");
  return result.isError ? `Tool error: ${text}` : text;
}

/** The caller sees MCP tool calls under their `server/tool` names. */
export function responseNamesBack(res: ChatResponse, names: ToolNames): ChatResponse {
  return {
    ...res,
    choices: res.choices.map((c) =>
      c.message.tool_calls
        ? {
            ...c,
            message: {
              ...c.message,
              tool_calls: c.message.tool_calls.map((t) => ({
                ...t,
                function: {
                  ...t.function,
                  name: names.qualified(t.function.name) ?? t.function.name,
                },
              })),
            },
          }
        : c,
    ),
  };
}

export function chunkNamesBack(chunk: ChatChunk, names: ToolNames): ChatChunk {
  for (const choice of chunk.choices) {
    for (const call of choice.delta.tool_calls ?? []) {
      const name = call.function?.name;
      if (name !== undefined) call.function!.name = names.qualified(name) ?? name;
    }
  }
  return chunk;
}
