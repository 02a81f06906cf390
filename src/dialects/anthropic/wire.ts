/**
 * The parts of Anthropic's Messages wire format (`anthropic-version: 2023-06-01`) the gateway
 * writes. Bodies it reads arrive untyped and are checked field by field where they are read.
 */
import type { JsonObject } from "../../core/chat.ts";

export interface TextBlock {
  type: "text";
  text: string;
}

export interface ImageBlock {
  type: "image";
  source: { type: "base64"; media_type: string; data: string } | { type: "url"; url: string };
}

export interface ToolUseBlock {
  type: "tool_use";
  id: string;
  name: string;
  input: JsonObject;
}

export interface ToolResultBlock {
  type: "tool_result";
  tool_use_id: string;
  content: string | TextBlock[];
}

export type UserBlock = TextBlock | ImageBlock | ToolResultBlock;
export type AssistantBlock = TextBlock | ToolUseBlock;

export type WireMessage =
  | { role: "user"; content: string | UserBlock[] }
  | { role: "assistant"; content: string | AssistantBlock[] };

export interface WireTool {
  name: string;
  description?: string;
  input_schema: JsonObject;
}

export type WireToolChoice =
  | { type: "auto" | "any" | "none"; disable_parallel_tool_use?: boolean }
  | { type: "tool"; name: string; disable_parallel_tool_use?: boolean };

export interface MessagesRequest {
  model: string;
  max_tokens: number;
  messages: WireMessage[];
  system?: string | TextBlock[];
  stop_sequences?: string[];
  temperature?: number;
  top_p?: number;
  metadata?: { user_id: string };
  tools?: WireTool[];
  tool_choice?: WireToolChoice;
  stream?: boolean;
}

export type StopReason =
  | "end_turn"
  | "max_tokens"
  | "stop_sequence"
  | "tool_use"
  | "pause_turn"
  | "refusal"
  | "model_context_window_exceeded";

export interface WireUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens?: number;
}

export interface MessagesResponse {
  id: string;
  type: "message";
  role: "assistant";
  model: string;
  content: AssistantBlock[];
  stop_reason: StopReason;
  stop_sequence: null;
  usage: WireUsage;
}

export interface ErrorBody {
  type: "error";
  error: { type: string; message: string };
}

/** Anthropic's error types and the HTTP status each stands for. */
export const ERROR_STATUS: Readonly<Record<string, number>> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};
