/**
 * The OpenAI-compatible factory. The canonical form *is* the OpenAI wire format, so the
 * transforms are close to identity: the model name is swapped for the upstream one, unknown
 * fields pass through untouched, and streams ask for usage so the gateway can count tokens.
 */
import type { ChatChunk, ChatRequest, ChatResponse } from "../../core/chat.ts";
import type { EmbeddingsRequest, EmbeddingsResponse } from "../../core/embeddings.ts";
import { GatewayError } from "../../core/errors.ts";
import { isRecord, openAiErrorInfo, upstreamError } from "../errors.ts";
import type { Capabilities, ProviderAdapter, SseEvent, StreamStep } from "../types.ts";

export interface OpenAiCompatibleOptions {
  id: string;
  defaultBaseUrl?: string;
  /** Keyless local servers (Ollama, LM Studio, vLLM) set this to false. */
  requiresKey?: boolean;
  capabilities?: Partial<Capabilities>;
}

const DONE: StreamStep = "done";

function invalid(what: string): GatewayError {
  return new GatewayError("UPSTREAM_INVALID_RESPONSE", `upstream sent a malformed ${what}`);
}

function toChatBody(req: ChatRequest, model: string): ChatRequest {
  const body: ChatRequest = { ...req, model };
  if (req.stream) body.stream_options = { ...req.stream_options, include_usage: true };
  return body;
}

function fromChatBody(body: unknown): ChatResponse {
  if (!isRecord(body) || !Array.isArray(body.choices)) throw invalid("chat completion");
  return body as unknown as ChatResponse;
}

interface OpenAiStreamState {
  finished: boolean;
}

/** An error event carries no status; its type says what it would have been. */
function inStreamStatus(type: string | undefined, code: string | undefined): number {
  if (
    type === "rate_limit_error" ||
    type === "requests" ||
    type === "tokens" ||
    code === "rate_limit_exceeded"
  ) {
    return 429;
  }
  if (type === "invalid_request_error") return 400;
  return 500;
}

function parseChunk(event: SseEvent, state: OpenAiStreamState): StreamStep {
  const data = event.data;
  if (data === "[DONE]") return DONE;
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    throw invalid("stream event");
  }
  if (!isRecord(parsed)) throw invalid("stream event");
  if (parsed.error !== undefined) {
    const info = openAiErrorInfo(500, parsed);
    throw upstreamError(inStreamStatus(info.type, info.code), info);
  }
  if (!Array.isArray(parsed.choices)) throw invalid("stream chunk");
  const chunk = parsed as unknown as ChatChunk;
  if (chunk.choices.some((c) => c.finish_reason)) state.finished = true;
  return [chunk];
}

/** Without `[DONE]`, a stream that reached a finish reason is whole; one that did not was cut. */
function endOfStream(state: OpenAiStreamState): readonly ChatChunk[] {
  if (!state.finished) throw invalid("stream: it ended before a finish reason");
  return [];
}

function fromEmbeddingsBody(body: unknown): EmbeddingsResponse {
  if (!isRecord(body) || !Array.isArray(body.data)) throw invalid("embeddings response");
  return body as unknown as EmbeddingsResponse;
}

export function openAiCompatible(options: OpenAiCompatibleOptions): ProviderAdapter {
  const adapter = {
    id: options.id,
    requiresKey: options.requiresKey ?? true,
    capabilities: {
      stream: true,
      tools: true,
      images: true,
      embeddings: true,
      ...options.capabilities,
    },
    headers(apiKey: string | undefined): Record<string, string> {
      return apiKey === undefined
        ? { "content-type": "application/json" }
        : { "content-type": "application/json", authorization: `Bearer ${apiKey}` };
    },
    chat: {
      url: (baseUrl: string) => `${baseUrl}/chat/completions`,
      toRequest: toChatBody,
      fromResponse: fromChatBody,
      stream: {
        init: (): OpenAiStreamState => ({ finished: false }),
        parse: parseChunk,
        end: endOfStream,
      },
    },
    embeddings: {
      url: (baseUrl: string) => `${baseUrl}/embeddings`,
      toRequest: (req: EmbeddingsRequest, model: string) => ({ ...req, model }),
      fromResponse: fromEmbeddingsBody,
    },
    mapError: (status: number, body: unknown, retryAfter?: number) =>
      upstreamError(status, openAiErrorInfo(status, body), retryAfter),
  } satisfies ProviderAdapter;
  return options.defaultBaseUrl === undefined
    ? adapter
    : { ...adapter, defaultBaseUrl: options.defaultBaseUrl };
}
