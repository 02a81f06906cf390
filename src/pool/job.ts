/**
 * What crosses into a pool: plain data only, so the same job can run in-process or be posted to a
 * worker thread.
 */
import type { ChatChunk, ChatResponse } from "../core/chat.ts";
import type { EmbeddingsRequest, EmbeddingsResponse } from "../core/embeddings.ts";

export type UpstreamJob =
  | {
      op: "chat";
      /** Index into the provider's keys, -1 for none. */
      keyIndex: number;
      /** The upstream model name. */
      model: string;
      /**
       * The body as this provider takes it: translated once by the engine (which checks a target
       * can take the request by translating it), so the canonical request does not travel too.
       */
      wire: unknown;
      stream: boolean;
    }
  | { op: "embeddings"; keyIndex: number; model: string; body: EmbeddingsRequest; stream: false };

export type UpstreamResult =
  | { kind: "chat"; response: ChatResponse }
  | { kind: "embeddings"; response: EmbeddingsResponse }
  | { kind: "stream"; chunks: ReadableStream<ChatChunk> };

/** Runs one job against an upstream. `done` is called exactly once, when the exchange is over. */
export interface UpstreamExecutor {
  execute(job: UpstreamJob, signal: AbortSignal, done: () => void): Promise<UpstreamResult>;
}
