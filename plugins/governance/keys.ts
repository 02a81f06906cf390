/**
 * Virtual keys: made with 32 random bytes (`sk-sy-` + base64url), stored as their SHA-256 hash
 * with a short display prefix; the key itself is shown once, when it is made.
 */
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
