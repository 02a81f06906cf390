/**
 * The Anthropic Messages dialect (`POST /v1/messages`, `anthropic-version: 2023-06-01`): the
 * front-end's reading of Anthropic clients and the Anthropic provider's wire format. See
 * docs/dialects.md for every field's mapping.
 */
import type { DialectCodec } from "../types.ts";
import { anthropicErrorBody, anthropicErrorInfo } from "./errors.ts";
import { anthropicRequestIn } from "./request-in.ts";
import { anthropicRequestOut } from "./request-out.ts";
import { anthropicResponseIn, anthropicResponseOut } from "./response.ts";
import { anthropicStreamIn, type AnthropicStreamState } from "./stream-in.ts";
import { anthropicStreamOut } from "./stream-out.ts";

export const anthropic = {
  dialect: "anthropic",
  requestIn: anthropicRequestIn,
  requestOut: anthropicRequestOut,
  responseIn: anthropicResponseIn,
  responseOut: anthropicResponseOut,
  streamIn: anthropicStreamIn,
  streamOut: anthropicStreamOut,
  errorOut: anthropicErrorBody,
  errorIn: anthropicErrorInfo,
} satisfies DialectCodec<AnthropicStreamState>;

export { DEFAULT_MAX_TOKENS } from "./request-out.ts";
