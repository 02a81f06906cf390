/**
 * Virtual keys: made with 32 random bytes (`sk-sy-` + base64url), stored as their SHA-256 hash
 * with a short display prefix; the key itself is shown once, when it is made.
 */
import type { KeyPatch, KeyRecord } from "./store/types.ts";

export const KEY_PREFIX = "sk-sy-";

export function hashKey(key: string): string {
  return new Bun.CryptoHasher("sha256").update(key).digest("hex");
}

export function newKey(): string {
  return KEY_PREFIX + Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
}

/** What may be shown of a key: its first characters. */
export function displayPrefix(key: string): string {
  return `${key.slice(0, 10)}...`;
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
    keyPrefix: displayPrefix(secret),
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
