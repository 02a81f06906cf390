/**
 * Keeping `native` honest. A request or response may carry its original wire body (`native`) so
 * that same-dialect traffic passes through unchanged; once a plugin has changed the canonical
 * form, that body would send the old content. The guard remembers both forms before the hooks
 * run; afterwards, a canonical form that changed while the native body did not loses `native`
 * and is translated from the canonical form instead. (A plugin that rewrites both, as the
 * guardrails plugin does, keeps the passthrough.)
 */

interface WithNative {
  native?: { body: unknown } | undefined;
}

export interface NativeGuard<T extends WithNative> {
  /** `value` without `native` if its canonical form changed and its native body did not. */
  settle(value: T): T;
}

function canonicalJson(value: WithNative): string {
  const { native: _, ...rest } = value;
  return JSON.stringify(rest);
}

export function nativeGuard<T extends WithNative>(original: T): NativeGuard<T> | undefined {
  if (!original.native) return undefined;
  const canonical = canonicalJson(original);
  const body = JSON.stringify(original.native.body);
  return {
    settle(value) {
      if (!value.native) return value;
      if (canonicalJson(value) === canonical) return value;
      if (JSON.stringify(value.native.body) !== body) return value;
      const { native: _, ...rest } = value;
      return rest as T;
    },
  };
}
