/**
 * The Anthropic Messages dialect (`POST /v1/messages`, `anthropic-version: 2023-06-01`): the
 * front-end's reading of Anthropic clients and the Anthropic provider's wire format. Each file's
 * header holds its part of the field mapping (request-in.ts, messages-in.ts, request-out.ts,
 * response.ts, mapping.ts, stream-in.ts, stream-out.ts, errors.ts).
 */
import type { DialectCodec } from "../types.ts";
import { anthropicErrorIn, anthropicErrorOut } from "./errors.ts";
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
  errorOut: anthropicErrorOut,
  errorIn: anthropicErrorIn,
} satisfies DialectCodec<AnthropicStreamState>;

export { DEFAULT_MAX_TOKENS } from "./request-out.ts";
