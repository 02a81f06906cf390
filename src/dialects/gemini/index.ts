/**
 * The Gemini dialect (`v1beta` generateContent / streamGenerateContent with `alt=sse`): the
 * front-end's reading of Gemini clients and the Gemini provider's wire format. See
 * docs/dialects.md for every field's mapping.
 */
import type { DialectCodec } from "../types.ts";
import { geminiErrorBody, geminiErrorInfo } from "./errors.ts";
import { geminiRequestIn } from "./request-in.ts";
import { geminiRequestOut } from "./request-out.ts";
import { geminiResponseIn, geminiResponseOut } from "./response.ts";
import { geminiStreamIn, type GeminiStreamState } from "./stream-in.ts";
import { geminiStreamOut } from "./stream-out.ts";

export const gemini = {
  dialect: "gemini",
  requestIn: geminiRequestIn,
  requestOut: geminiRequestOut,
  responseIn: geminiResponseIn,
  responseOut: geminiResponseOut,
  streamIn: geminiStreamIn,
  streamOut: geminiStreamOut,
  errorOut: geminiErrorBody,
  errorIn: geminiErrorInfo,
} satisfies DialectCodec<GeminiStreamState>;
