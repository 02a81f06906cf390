/**
 * W3C Trace Context `traceparent`: `00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>`.
 * A valid incoming header keeps its trace id and flags; anything else starts a new trace.
 */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export interface TraceContext {
  traceId: string;
  spanId: string;
  /** The caller's span, when it sent one. */
  parentId?: string;
  flags: string;
}

function randomHex(bytes: number): string {
  const buf = crypto.getRandomValues(new Uint8Array(bytes));
  let out = "";
  for (const b of buf) out += b.toString(16).padStart(2, "0");
  return out;
}

function nonZero(hex: string): boolean {
  return /[^0]/.test(hex);
}

export function traceFrom(header: string | null): TraceContext {
  const m = header === null ? null : TRACEPARENT.exec(header.trim().toLowerCase());
  if (m && m[1] !== "ff" && nonZero(m[2]!) && nonZero(m[3]!)) {
    return { traceId: m[2]!, parentId: m[3]!, spanId: randomHex(8), flags: m[4]! };
  }
  return { traceId: randomHex(16), spanId: randomHex(8), flags: "01" };
}

export function traceparent(t: TraceContext): string {
  return `00-${t.traceId}-${t.spanId}-${t.flags}`;
}
