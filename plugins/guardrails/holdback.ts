/**
 * Redacting a stream without sending half a secret. A choice's text is held back and sent only
 * up to a safe cut:
 *
 *   sent ─────────────┬── held (at least HOLD characters) ──────┐
 *   "Please contact "  "john@exam"  + incoming "ple.com now, or …"
 *                     └ cut: after whitespace, never inside a match
 *
 * The cut is after a whitespace character at least HOLD characters before the end of what has
 * arrived, so words are never split; HOLD is longer than any built-in needs to see before it
 * matches, so a secret split across chunks is whole when it is checked; and a match crossing the
 * cut moves the cut to its start. Text without whitespace (CJK, long code lines) is not held
 * forever: beyond MAX_HOLD characters it is cut HOLD characters before the end, still never
 * inside a match. What is sent is redacted; the held text stays as it came.
 */
import type { Detector } from "./detector.ts";
import { redact, spans, type Span } from "./rules.ts";

/** Characters always held back: more than any built-in needs (`LONGEST_BUILTIN_PREFIX`). */
export const HOLD = 64;
/** Held text without whitespace longer than this is cut anyway (inside a word). */
export const MAX_HOLD = 512;

export interface Released {
  /** The redacted text to send now. */
  text: string;
  /** The matches redacted in it. */
  found: Span[];
}

/** Just after the last whitespace at or before `limit`; 0 when there is none. */
function afterSpace(text: string, limit: number): number {
  for (let i = limit - 1; i >= 0; i--) if (/\s/.test(text[i]!)) return i + 1;
  return 0;
}

/** Where `text` may be cut now, given its matches. */
export function safeCut(text: string, found: readonly Span[]): number {
  const limit = text.length - HOLD;
  if (limit <= 0) return 0;
  let cut = afterSpace(text, limit);
  if (text.length - cut > MAX_HOLD) cut = limit;
  for (const s of found) if (s.start < cut && cut < s.end) cut = s.start;
  return cut;
}

/**
 * Takes the held text and what came in; returns what may be sent now and what stays held.
 * `final` (the choice's finish chunk) sends everything.
 */
export function release(
  held: string,
  incoming: string,
  final: boolean,
  rules: readonly Detector[],
  replacement: string,
): Released & { held: string } {
  const text = held + incoming;
  const found = rules.length ? spans(text, rules) : [];
  const cut = final ? text.length : safeCut(text, found);
  const sent = found.filter((s) => s.end <= cut);
  return {
    text: redact(text.slice(0, cut), sent, replacement),
    found: sent,
    held: text.slice(cut),
  };
}
