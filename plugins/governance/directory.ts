/**
 * Finding a caller's key: by the SHA-256 of what it sent, through a short per-instance cache
 * (`key_cache_ms`, at most a second), so that a key revoked or changed through any instance's
 * admin API takes effect on every instance within that time, without a store read per request.
 *
 * When the store cannot be read (PostgreSQL down or not answering within `storage.timeout_ms`):
 * with `on_store_error: "open"` a key this instance has seen keeps working on its last known
 * record (a change made meanwhile takes effect when the store is back); a key it has not seen,
 * and every key with `"closed"`, is refused with a 503 (`KeysUnavailable`), never a 401.
 */
import { hashKey } from "./keys.ts";
import type { GovernanceStore, KeyRecord } from "./store/types.ts";

/** The store could not be read and the key is not known here (or `on_store_error` is closed). */
export class KeysUnavailable extends Error {}

export interface KeyDirectory {
  find(credential: string): Promise<KeyRecord | undefined>;
  /** The key from this instance's cache when it is fresh there; undefined when it must be read. */
  cached(credential: string): { key: KeyRecord | undefined } | undefined;
  /** Forgets this instance's copy at once (after a change made here). */
  forget(): void;
}

/** Keys remembered per instance; past it the cache starts again. */
const MAX_CACHED = 10_000;

export function createDirectory(
  store: GovernanceStore,
  ttlMs: number,
  onStoreError: "open" | "closed" = "open",
): KeyDirectory {
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
      let key: KeyRecord | undefined;
      try {
        key = await store.keyByHash(hash);
      } catch (err) {
        const known = cache.get(hash);
        if (onStoreError === "open" && known) return known.key;
        throw new KeysUnavailable("keys cannot be read right now", { cause: err });
      }
      if (cache.size > MAX_CACHED) cache.clear();
      cache.set(hash, { key, until: now + ttlMs });
      return key;
    },
    forget: () => cache.clear(),
  };
}
