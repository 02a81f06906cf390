/**
 * Redacting a stream without sending half a secret. Text is held back and sent only up to a
 * safe cut: at a space, at least HOLD characters before the end of what has arrived (so a number
 * written with spaces, the longest being an IBAN, is still whole when it is checked), and never
 * inside a match. Words are never split, and a secret split across chunks is redacted whole.
 * The rest goes out with the chunk that carries the finish reason.
 */
import type { Detector } from "./detectors.ts";
import { redact, spans } from "./rules.ts";

/** Longer than any built-in pattern written with separators (an IBAN: 34 characters + 8 spaces). */
export const HOLD = 48;

export interface Held {
  text: string;
}

/** Takes `incoming`, returns what may be sent now (redacted); `final` sends everything. */
export function release(
  held: Held,
  incoming: string,
  final: boolean,
  rules: readonly Detector[],
  replacement: string,
): string {
  const text = held.text + incoming;
  const found = spans(text, rules);
  if (final) {
    held.text = "";
    return redact(text, rules, replacement, found);
  }
  let cut =
    Math.max(
      text.lastIndexOf(" ", text.length - HOLD),
      text.lastIndexOf("\n", text.length - HOLD),
    ) + 1;
  if (cut <= 0) {
    held.text = text;
    return "";
  }
  for (const s of found) if (s.start < cut && cut < s.end) cut = s.start;
  held.text = text.slice(cut);
  return redact(
    text.slice(0, cut),
    rules,
    replacement,
    found.filter((s) => s.end <= cut),
  );
}
