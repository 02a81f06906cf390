/**
 * Reading Gemini JSON, which the REST API accepts in camelCase and in snake_case alike
 * (`systemInstruction` / `system_instruction`).
 */

export function snake(camel: string): string {
  return camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** The value under `camel` or its snake_case spelling, with the key actually used. */
export function field(
  obj: Record<string, unknown>,
  camel: string,
): { key: string; value: unknown } {
  if (obj[camel] !== undefined) return { key: camel, value: obj[camel] };
  const alt = snake(camel);
  return { key: obj[alt] !== undefined ? alt : camel, value: obj[alt] };
}

/** Keys of `obj` that are neither a `known` camelCase name nor its snake_case spelling. */
export function extraKeys(obj: Record<string, unknown>, known: readonly string[]): string[] {
  const names = new Set(known.flatMap((k) => [k, snake(k)]));
  return Object.keys(obj).filter((k) => !names.has(k));
}
