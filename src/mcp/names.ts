/**
 * Tool names providers accept: `server/tool` becomes `server__tool` with anything outside
 * `[A-Za-z0-9_-]` replaced by `_`, at most 64 characters (OpenAI's and Gemini's limit), made
 * unique with a short hash when two would collide. The map works both ways for one request.
 */
export interface ToolNames {
  safe(qualified: string): string;
  /** The `server/tool` behind a provider-side name, if it is one of ours. */
  qualified(safe: string): string | undefined;
}

const MAX = 64;

function shortHash(text: string): string {
  return new Bun.CryptoHasher("sha256").update(text).digest("hex").slice(0, 8);
}

export function toolNames(
  qualifiedNames: readonly string[],
  taken: ReadonlySet<string> = new Set(),
): ToolNames {
  const toSafe = new Map<string, string>();
  const toQualified = new Map<string, string>();
  for (const q of qualifiedNames) {
    let name = q.replace("/", "__").replace(/[^A-Za-z0-9_-]/g, "_");
    if (name.length > MAX || toQualified.has(name) || taken.has(name)) {
      name = `${name.slice(0, MAX - 9)}_${shortHash(q)}`;
    }
    toSafe.set(q, name);
    toQualified.set(name, q);
  }
  return {
    safe: (q) => toSafe.get(q) ?? q,
    qualified: (s) => toQualified.get(s),
  };
}
