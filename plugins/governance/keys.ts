/**
 * Virtual keys: made with 32 random bytes (`sk-sy-` + base64url), stored as their SHA-256 hash
 * with a four-character hint; the key itself is shown once, when it is made. Keys written in the
 * config must be long and varied enough that their hash (in the store) or their id (derived from
 * it, in logs and usage) gives nothing to guess.
 */
import type { KeyPatch, KeyRecord } from "./store/types.ts";

export const KEY_PREFIX = "sk-sy-";

export function hashKey(key: string): string {
  return new Bun.CryptoHasher("sha256").update(key).digest("hex");
}

export function newKey(): string {
  return KEY_PREFIX + Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
}

/**
 * What may be shown of a key: a hint to tell keys apart, never enough to guess one. Its last four
 * characters, after the `sk-sy-` every generated key starts with.
 */
export function keyHint(key: string): string {
  const tail = key.slice(-HINT_CHARACTERS);
  return key.startsWith(KEY_PREFIX) ? `${KEY_PREFIX}…${tail}` : `…${tail}`;
}

export const HINT_CHARACTERS = 4;
/** The shortest key a config may hold, and the fewest different characters in it. */
export const MIN_KEY_LENGTH = 24;
export const MIN_KEY_CHARACTERS = 10;

/** Why a config key is too easy to guess, or undefined when it is not. */
export function weakKey(key: string): string | undefined {
  if (key.length < MIN_KEY_LENGTH)
    return `is ${key.length} characters; a virtual key needs at least ${MIN_KEY_LENGTH} (a random one: openssl rand -base64 24)`;
  if (new Set(key).size < MIN_KEY_CHARACTERS)
    return `repeats too few characters (fewer than ${MIN_KEY_CHARACTERS} different ones) to be secret; use a random one`;
  return undefined;
}

export type KeyFields = Pick<KeyRecord, "name"> &
  Pick<KeyPatch, "team" | "customer" | "allowedModels" | "mcpTools" | "rateLimit" | "budget">;

/**
 * A new key record for `secret`. A config key's id comes from its hash (the same on every start
 * and every instance); a key made through the admin API gets a random one.
 */
export function keyRecord(
  secret: string,
  source: KeyRecord["source"],
  fields: KeyFields,
  now: number,
): KeyRecord {
  const hash = hashKey(secret);
  const id =
    source === "config" ? hash.slice(0, 16) : crypto.randomUUID().replaceAll("-", "").slice(0, 16);
  return {
    id: `vk_${id}`,
    name: fields.name,
    keyHash: hash,
    keyHint: keyHint(secret),
    team: fields.team ?? null,
    customer: fields.customer ?? null,
    allowedModels: fields.allowedModels ?? [],
    mcpTools: fields.mcpTools ?? null,
    rateLimit: fields.rateLimit ?? null,
    budget: fields.budget ?? null,
    source,
    createdAt: now,
    updatedAt: now,
    revokedAt: null,
  };
}
