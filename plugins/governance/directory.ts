/**
 * Finding a caller's key: by the SHA-256 of what it sent, through a short per-instance cache
 * (`key_cache_ms`, at most a second), so that a key revoked or changed through any instance's
 * admin API takes effect on every instance within that time, without a store read per request.
 */
import { hashKey } from "./keys.ts";
import type { GovernanceStore, KeyRecord } from "./store/types.ts";

export interface KeyDirectory {
  find(credential: string): Promise<KeyRecord | undefined>;
  /** The key from this instance's cache when it is fresh there; undefined when it must be read. */
  cached(credential: string): { key: KeyRecord | undefined } | undefined;
  /** Forgets this instance's copy at once (after a change made here). */
  forget(): void;
}

export function createDirectory(store: GovernanceStore, ttlMs: number): KeyDirectory {
  const cache = new Map<string, { key: KeyRecord | undefined; until: number }>();
  const fresh = (hash: string) => {
    const hit = cache.get(hash);
    return hit && hit.until > Date.now() ? hit : undefined;
  };
  return {
    cached: (credential) => fresh(hashKey(credential)),
    async find(credential) {
      const hash = hashKey(credential);
      const now = Date.now();
      const hit = fresh(hash);
      if (hit) return hit.key;
      const key = await store.keyByHash(hash);
      if (cache.size > 10_000) cache.clear();
      cache.set(hash, { key, until: now + ttlMs });
      return key;
    },
    forget: () => cache.clear(),
  };
}
