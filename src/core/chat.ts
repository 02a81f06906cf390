/**
 * The canonical chat form: OpenAI Chat Completions, as every layer sees it.
 *
 * Front-ends translate their dialect into this shape and providers translate it into theirs.
 * Fields the gateway does not model may still be present on a request object at run time
 * (they pass through to OpenAI-format upstreams untouched); translators for other dialects
 * must reject them rather than drop them.
 *
 * Extension: `native` (on requests, responses and chunks) carries the original wire form of a
 * non-OpenAI dialect, so that same-dialect traffic (Anthropic client to Anthropic provider)
 * passes through without a lossy round trip. It never leaves the gateway in another dialect.
 */
import type { SseEvent } from "./stream.ts";

/** The three wire formats the gateway speaks, to clients and to providers. */
export type WireDialect = "openai" | "anthropic" | "gemini";

/** A client's original body, kept for a provider of the same dialect. */
export interface NativeRequest {
  dialect: WireDialect;
  body: JsonObject;
  /**
   * Paths of fields in `body` the canonical form cannot express (`top_k`,
   * `messages[0].content[1].cache_control`). A provider of another dialect refuses the request
   * with a 400 naming the first; a provider of the same dialect sends them on.
   */
  unmapped: string[];
}

/** A provider's original response body, kept for a client of the same dialect. */
export interface NativeResponse {
  dialect: WireDialect;
  body: JsonObject;
}

/** A provider's original stream event, kept for a client of the same dialect. */
export interface NativeEvent {
  dialect: WireDialect;
  event: SseEvent;
}

export type Role = "system" | "developer" | "user" | "assistant" | "tool";

export interface TextPart {
  type: "text";
  text: string;
}

export interface ImagePart {
  type: "image_url";
  image_url: { url: string; detail?: "auto" | "low" | "high" };
}

export type ContentPart = TextPart | ImagePart;

export interface ToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

export interface ChatMessage {
  role: Role;
  content: string | ContentPart[] | null;
  name?: string;
  /** Assistant messages only. */
  tool_calls?: ToolCall[];
  /** Tool messages only: the call this message answers. */
  tool_call_id?: string;
}

export interface FunctionTool {
  type: "function";
  function: { name: string; description?: string; parameters?: JsonObject; strict?: boolean };
}

export type ToolChoice =
  "none" | "auto" | "required" | { type: "function"; function: { name: string } };

export type ResponseFormat =
  | { type: "text" }
  | { type: "json_object" }
  | { type: "json_schema"; json_schema: { name: string; schema?: JsonObject; strict?: boolean } };

export interface ChatRequest {
  /** As the caller wrote it (`provider/model` or an alias) until routed; the upstream name after. */
  model: string;
  messages: ChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  max_completion_tokens?: number;
  n?: number;
  stop?: string | string[];
  presence_penalty?: number;
  frequency_penalty?: number;
  seed?: number;
  user?: string;
  tools?: FunctionTool[];
  tool_choice?: ToolChoice;
  parallel_tool_calls?: boolean;
  response_format?: ResponseFormat;
  /** Extension: the client's original body, when it spoke another dialect. */
  native?: NativeRequest;
}

export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter" | "function_call";

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number };
}

export interface ChatChoice {
  index: number;
  message: {
    role: "assistant";
    content: string | null;
    tool_calls?: ToolCall[];
    refusal?: string | null;
  };
  finish_reason: FinishReason | null;
  logprobs?: null;
}

export interface ChatResponse {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: ChatChoice[];
  usage?: Usage;
  system_fingerprint?: string | null;
  /** Extension: the provider's original body, when it spoke another dialect. */
  native?: NativeResponse;
}

export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: "function";
  function?: { name?: string; arguments?: string };
}

export interface ChunkChoice {
  index: number;
  delta: {
    role?: "assistant";
    content?: string | null;
    tool_calls?: ToolCallDelta[];
    refusal?: string | null;
  };
  finish_reason: FinishReason | null;
  logprobs?: null;
}

export interface ChatChunk {
  id: string;
  object: "chat.completion.chunk";
  created: number;
  model: string;
  choices: ChunkChoice[];
  usage?: Usage | null;
  system_fingerprint?: string | null;
  /**
   * Extension: the provider event this chunk came from, when it spoke another dialect. Parsers
   * of such dialects emit at least one chunk per event (with `choices: []` when the event has no
   * canonical content) so that a client of the same dialect can be sent every event unchanged.
   */
  native?: NativeEvent;
}

export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}
