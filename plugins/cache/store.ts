/** Where cached responses live: in this process (LRU) or in Redis (shared by instances). */
import type { ChatResponse } from "../../src/plugins/index.ts";

export interface CacheStore {
  /** The response stored under `key`, if it is there and fresh. */
  get(key: string): Promise<ChatResponse | undefined>;
  set(key: string, response: ChatResponse, ttlSeconds: number): Promise<void>;
  close(): Promise<void>;
}
