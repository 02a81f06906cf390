/**
 * Gemini generateContent responses, both ways, with the finish-reason and usage mappings the
 * streams share. Thought parts have no canonical form and reach Gemini clients through the
 * native body only. Finish reasons without a canonical equivalent (`OTHER`, `LANGUAGE`,
 * `MALFORMED_FUNCTION_CALL`, ...) read as `stop`; a blocked prompt (no candidates) reads as
 * `content_filter`. Content is null when the candidate has no parts or only function calls.
 * Completion tokens include thought tokens; the total is Gemini's own `totalTokenCount`.
 * Going out, an OpenAI `refusal` is sent as text (Gemini has no separate refusal), and an answer
 * with neither text nor calls still has one empty text part.
 */
import type { ChatResponse, FinishReason, JsonObject, ToolCall, Usage } from "../../core/chat.ts";
import { invalidUpstream, isRecord, parseArguments } from "../fields.ts";
import { SYNTHETIC_ID } from "./request-in.ts";
import { tokenCount } from "../../core/usage.ts";

const FILTERED = new Set([
  "SAFETY",
  "RECITATION",
  "BLOCKLIST",
  "PROHIBITED_CONTENT",
  "SPII",
  "IMAGE_SAFETY",
]);

export function finishReason(reason: unknown, calls: boolean): FinishReason | null {
  if (typeof reason !== "string") return null;
  if (reason === "MAX_TOKENS") return "length";
  if (FILTERED.has(reason)) return "content_filter";
  return calls ? "tool_calls" : "stop";
}

export function geminiFinish(finish: FinishReason | null | undefined): string {
  if (finish === "length") return "MAX_TOKENS";
  if (finish === "content_filter") return "SAFETY";
  return "STOP";
}

export function usageIn(meta: Record<string, unknown>): Usage {
  const prompt = tokenCount(meta.promptTokenCount);
  const completion = tokenCount(meta.candidatesTokenCount) + tokenCount(meta.thoughtsTokenCount);
  const usage: Usage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: Math.max(tokenCount(meta.totalTokenCount), prompt + completion),
  };
  const cached = tokenCount(meta.cachedContentTokenCount);
  if (cached > 0) usage.prompt_tokens_details = { cached_tokens: cached };
  return usage;
}

export function usageOut(usage: Usage): JsonObject {
  const meta: JsonObject = {
    promptTokenCount: usage.prompt_tokens,
    candidatesTokenCount: usage.completion_tokens,
    totalTokenCount: usage.total_tokens,
  };
  const cached = usage.prompt_tokens_details?.cached_tokens;
  if (cached) meta.cachedContentTokenCount = cached;
  return meta;
}

/** The text and function calls of one candidate's parts (ids made up where Gemini gave none). */
export function readParts(
  parts: unknown,
  callBase: string,
  firstCall = 0,
): { text: string; calls: ToolCall[] } {
  let text = "";
  const calls: ToolCall[] = [];
  if (!Array.isArray(parts)) return { text, calls };
  for (const part of parts) {
    if (!isRecord(part)) throw invalidUpstream("part");
    if (typeof part.text === "string" && part.thought !== true) text += part.text;
    if (isRecord(part.functionCall)) {
      const fc = part.functionCall;
      if (typeof fc.name !== "string") throw invalidUpstream("functionCall");
      const id =
        typeof fc.id === "string"
          ? fc.id
          : `${SYNTHETIC_ID}${callBase}_${firstCall + calls.length}`;
      calls.push({
        id,
        type: "function",
        function: { name: fc.name, arguments: JSON.stringify(fc.args ?? {}) },
      });
    }
  }
  return { text, calls };
}

export function geminiResponseIn(body: unknown): ChatResponse {
  if (!isRecord(body) || (!Array.isArray(body.candidates) && !isRecord(body.promptFeedback)))
    throw invalidUpstream("generateContent response");
  const id = typeof body.responseId === "string" ? body.responseId : crypto.randomUUID();
  const candidate =
    Array.isArray(body.candidates) && isRecord(body.candidates[0]) ? body.candidates[0] : undefined;
  const content = candidate && isRecord(candidate.content) ? candidate.content : {};
  const { text, calls } = readParts(content.parts, id);
  const hasParts = Array.isArray(content.parts) && content.parts.length > 0;
  const message: ChatResponse["choices"][number]["message"] = {
    role: "assistant",
    content: text === "" && (calls.length > 0 || !hasParts) ? null : text,
  };
  if (calls.length > 0) message.tool_calls = calls;
  const finish = candidate
    ? (finishReason(candidate.finishReason, calls.length > 0) ?? "stop")
    : "content_filter";
  const res: ChatResponse = {
    id,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: typeof body.modelVersion === "string" ? body.modelVersion : "",
    choices: [{ index: 0, message, finish_reason: finish }],
    native: { dialect: "gemini", body: body as JsonObject },
  };
  if (isRecord(body.usageMetadata)) res.usage = usageIn(body.usageMetadata);
  return res;
}

/** A provider's malformed tool arguments are an upstream fault, not the caller's. */
export function callArgs(args: string): JsonObject {
  try {
    return parseArguments(args, "tool_calls");
  } catch {
    throw invalidUpstream("tool call: its arguments are not a JSON object");
  }
}

export function geminiResponseOut(res: ChatResponse): unknown {
  if (res.native?.dialect === "gemini") return res.native.body;
  const choice = res.choices[0];
  const parts: JsonObject[] = [];
  const text = (choice?.message.content ?? "") + (choice?.message.refusal ?? "");
  if (text !== "") parts.push({ text });
  for (const call of choice?.message.tool_calls ?? []) {
    parts.push({
      functionCall: {
        id: call.id,
        name: call.function.name,
        args: callArgs(call.function.arguments),
      },
    });
  }
  const out: JsonObject = {
    candidates: [
      {
        content: { role: "model", parts: parts.length > 0 ? parts : [{ text: "" }] },
        finishReason: geminiFinish(choice?.finish_reason),
        index: 0,
      },
    ],
    modelVersion: res.model,
    responseId: res.id,
  };
  if (res.usage) out.usageMetadata = usageOut(res.usage);
  return out;
}
