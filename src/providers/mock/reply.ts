/**
 * What the mock model says: a pure, deterministic function of the request, shared by every mock
 * wire format. It answers in text, calls the first tool it is given (or the one `tool_choice`
 * names), acknowledges tool results, and honours `response_format` with JSON.
 *
 * Two markers in the first user message make it a misbehaving agent, for tests of agent loops:
 * `[mock:repeat]` calls the same tool with the same arguments again after every tool result (a
 * cycle); `[mock:chain]` calls it again with new arguments each time (it never stops by itself).
 */
import type {
  ChatRequest,
  FinishReason,
  FunctionTool,
  JsonObject,
  JsonValue,
  ToolCall,
  Usage,
} from "../../core/chat.ts";
import { countTokens, imageCount, messageText, promptTokens } from "../../core/tokens.ts";

export { countTokens };

export interface MockTurn {
  content: string | null;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  usage: Usage;
}

export interface ReplyOptions {
  /** Pads or trims the text reply to this many words (benchmarks use it to set stream length). */
  replyWords?: number;
}

/** An example value for a JSON schema: what the mock puts in tool arguments and JSON replies. */
export function exampleFromSchema(schema: JsonValue | undefined, depth = 0): JsonValue {
  if (typeof schema !== "object" || schema === null || Array.isArray(schema) || depth > 8) {
    return "mock";
  }
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0] ?? null;
  if (schema.const !== undefined) return schema.const;
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case "string":
      return "mock";
    case "integer":
    case "number":
      return 1;
    case "boolean":
      return true;
    case "null":
      return null;
    case "array":
      return [exampleFromSchema(schema.items, depth + 1)];
    default: {
      const props = (schema.properties ?? {}) as JsonObject;
      const out: JsonObject = {};
      for (const [name, sub] of Object.entries(props))
        out[name] = exampleFromSchema(sub, depth + 1);
      return out;
    }
  }
}

function marker(req: ChatRequest): "repeat" | "chain" | undefined {
  const first = req.messages.find((m) => m.role === "user");
  const text = first ? messageText(first) : "";
  if (text.includes("[mock:repeat]")) return "repeat";
  if (text.includes("[mock:chain]")) return "chain";
  return undefined;
}

/** After a tool result, a misbehaving mock calls the tool again (`marker`). */
function callAgain(req: ChatRequest, tools: FunctionTool[]): ToolCall | undefined {
  const mode = marker(req);
  if (!mode || tools.length === 0) return undefined;
  const tool = tools[0]!;
  const step = req.messages.filter((m) => m.role === "tool").length;
  let args = exampleFromSchema(tool.function.parameters ?? {});
  if (mode === "chain" && typeof args === "object" && args !== null && !Array.isArray(args)) {
    args = Object.fromEntries(
      Object.entries(args).map(([k, v]) => [k, typeof v === "string" ? `${v}-${step}` : v]),
    );
  }
  return {
    id: `call_mock_${req.messages.length}`,
    type: "function",
    function: { name: tool.function.name, arguments: JSON.stringify(args) },
  };
}

function chooseTool(req: ChatRequest): ToolCall | undefined {
  const tools = req.tools ?? [];
  const choice = req.tool_choice;
  const last = req.messages[req.messages.length - 1];
  if (last?.role === "tool" && choice !== "none") return callAgain(req, tools);
  if (tools.length === 0 || choice === "none" || last?.role === "tool") return undefined;
  if (last?.role !== "user" && choice !== "required" && typeof choice !== "object")
    return undefined;
  const named = typeof choice === "object" ? choice.function.name : undefined;
  const tool = tools.find((t) => t.function.name === named) ?? tools[0]!;
  return {
    id: `call_mock_${req.messages.length}`,
    type: "function",
    function: {
      name: tool.function.name,
      arguments: JSON.stringify(exampleFromSchema(tool.function.parameters ?? {})),
    },
  };
}

function textReply(req: ChatRequest, options: ReplyOptions): string {
  const last = req.messages[req.messages.length - 1];
  let text: string;
  if (last?.role === "tool") {
    text = `The tool returned: ${messageText(last)}`;
  } else {
    const lastUser = [...req.messages].reverse().find((m) => m.role === "user");
    const said = lastUser ? messageText(lastUser) : "";
    const images = lastUser ? imageCount(lastUser) : 0;
    const seen = images > 0 ? ` (with ${images} image${images === 1 ? "" : "s"})` : "";
    text = `This is the Switchyard mock. You said: ${said}${seen}`;
  }
  if (options.replyWords !== undefined) text = fitWords(text, options.replyWords);
  const format = req.response_format;
  if (format?.type === "json_object") return JSON.stringify({ reply: text });
  if (format?.type === "json_schema") {
    return JSON.stringify(exampleFromSchema(format.json_schema.schema ?? {}));
  }
  return text;
}

function fitWords(text: string, count: number): string {
  const words = text.split(" ");
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(words[i % words.length]!);
  return out.join(" ");
}

/** The mock's deterministic answer to a chat request. */
export function planReply(req: ChatRequest, options: ReplyOptions = {}): MockTurn {
  const call = chooseTool(req);
  const prompt = promptTokens(req);
  if (call) {
    const completion = countTokens(call.function.name + call.function.arguments);
    return {
      content: null,
      toolCalls: [call],
      finishReason: "tool_calls",
      usage: {
        prompt_tokens: prompt,
        completion_tokens: completion,
        total_tokens: prompt + completion,
      },
    };
  }
  let content = textReply(req, options);
  let finishReason: FinishReason = "stop";
  const limit = req.max_completion_tokens ?? req.max_tokens;
  if (limit !== undefined && countTokens(content) > limit) {
    content = content.slice(0, Math.max(0, limit * 4));
    finishReason = "length";
  }
  const completion = countTokens(content);
  return {
    content,
    toolCalls: [],
    finishReason,
    usage: {
      prompt_tokens: prompt,
      completion_tokens: completion,
      total_tokens: prompt + completion,
    },
  };
}

/** Splits text into stream pieces that keep their spaces: "a b c" -> ["a", " b", " c"]. */
export function streamPieces(text: string): string[] {
  const pieces: string[] = text.match(/\s*\S+/g) ?? [];
  const tail = text.slice(pieces.join("").length);
  if (tail) pieces.push(tail);
  return pieces;
}

/** A deterministic unit vector for an input string. */
export function mockEmbedding(input: string, dimensions: number): number[] {
  let h = 2166136261;
  for (let i = 0; i < input.length; i++) h = Math.imul(h ^ input.charCodeAt(i), 16777619);
  const v: number[] = [];
  let norm = 0;
  for (let i = 0; i < dimensions; i++) {
    h = Math.imul(h ^ (h >>> 15), 2246822519) ^ i;
    const x = ((h >>> 0) / 4294967295) * 2 - 1;
    v.push(x);
    norm += x * x;
  }
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 1;
  return v.map((x) => Math.fround(x * scale));
}
