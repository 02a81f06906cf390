/**
 * The OpenAI Chat Completions dialect. The canonical form *is* this wire format, so the
 * transforms are close to identity: unknown fields pass through untouched, the model name is
 * swapped for the upstream one, streams always ask for usage, and the gateway's `native`
 * extension never crosses the wire in either direction.
 */
import type { ChatRequest, ChatResponse } from "../../core/chat.ts";
import type { DialectCodec } from "../types.ts";
import { cleanUsage } from "../../core/usage.ts";
import { invalidField, invalidUpstream, isRecord } from "../fields.ts";
import { openAiErrorBody, openAiErrorInfo } from "./errors.ts";
import { wellFormedMessage } from "./message.ts";
import { openAiStreamIn, openAiStreamOut, type OpenAiStreamState } from "./stream.ts";

/** The body was validated by the transport's schema; a client may not forge the extension. */
function requestIn(body: unknown): ChatRequest {
  if (!isRecord(body)) throw invalidField("body", "must be a JSON object");
  const { native: _native, ...req } = body;
  return req as unknown as ChatRequest;
}

function requestOut(req: ChatRequest, model: string): ChatRequest {
  const { native: _native, ...body } = req;
  body.model = model;
  if (req.stream) body.stream_options = { ...req.stream_options, include_usage: true };
  return body;
}

function responseIn(body: unknown): ChatResponse {
  if (!isRecord(body) || !Array.isArray(body.choices)) throw invalidUpstream("chat completion");
  for (const choice of body.choices) {
    if (!isRecord(choice) || !wellFormedMessage(choice.message))
      throw invalidUpstream("chat completion choice");
  }
  if (body.usage !== undefined) {
    const usage = cleanUsage(body.usage);
    if (usage) body.usage = usage;
    else delete body.usage;
  }
  return body as unknown as ChatResponse;
}

function responseOut(res: ChatResponse): ChatResponse {
  if (res.native === undefined) return res;
  const { native: _native, ...out } = res;
  return out;
}

export const openai = {
  dialect: "openai",
  requestIn,
  requestOut,
  responseIn,
  responseOut,
  streamIn: openAiStreamIn,
  streamOut: openAiStreamOut,
  errorOut: openAiErrorBody,
  errorIn: openAiErrorInfo,
} satisfies DialectCodec<OpenAiStreamState>;

export { openAiErrorBody, openAiErrorInfo, type OpenAiErrorBody } from "./errors.ts";
