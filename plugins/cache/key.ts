/**
 * The cache key: a SHA-256 of the normalised request. Normalised means the fields that do not
 * change the answer are left out (`stream`, `stream_options`, `user`), object keys are sorted,
 * and the caller's original body counts too when it holds fields only its dialect has (`top_k`).
 */
import type { ChatRequest } from "../../src/plugins/index.ts";

const IGNORED = new Set(["stream", "stream_options", "user", "native"]);

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort())
    out[key] = sorted((value as Record<string, unknown>)[key]);
  return out;
}

export function cacheKey(req: ChatRequest, scope: string): string {
  const canonical: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(req)) if (!IGNORED.has(k)) canonical[k] = v;
  const native = req.native && req.native.unmapped.length > 0 ? req.native.body : undefined;
  const { stream: _, ...nativeRest } = (native ?? {}) as Record<string, unknown>;
  const doc = JSON.stringify(sorted({ scope, canonical, native: native ? nativeRest : null }));
  return new Bun.CryptoHasher("sha256").update(doc).digest("hex");
}
