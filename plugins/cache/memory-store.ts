/**
 * An in-process LRU bounded by entry count and by bytes (the JSON size of the responses), with
 * a TTL per entry. A Map keeps insertion order; a hit moves its entry to the end.
 */
import type { ChatResponse } from "../../src/plugins/index.ts";
import type { CacheStore } from "./store.ts";

interface Entry {
  json: string;
  expiresAt: number;
}

export function createMemoryStore(
  maxEntries: number,
  maxBytes: number,
): CacheStore & { size(): number } {
  const entries = new Map<string, Entry>();
  let bytes = 0;

  const remove = (key: string, entry: Entry) => {
    entries.delete(key);
    bytes -= entry.json.length;
  };

  return {
    async get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.expiresAt <= Date.now()) {
        remove(key, entry);
        return undefined;
      }
      entries.delete(key);
      entries.set(key, entry);
      return JSON.parse(entry.json) as ChatResponse;
    },
    async set(key, response, ttlSeconds) {
      const json = JSON.stringify(response);
      if (json.length > maxBytes) return;
      const old = entries.get(key);
      if (old) remove(key, old);
      entries.set(key, { json, expiresAt: Date.now() + ttlSeconds * 1000 });
      bytes += json.length;
      for (const [k, e] of entries) {
        if (entries.size <= maxEntries && bytes <= maxBytes) break;
        remove(k, e);
      }
    },
    async close() {
      entries.clear();
      bytes = 0;
    },
    size: () => entries.size,
  };
}
