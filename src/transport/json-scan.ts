/**
 * A pass over a JSON body's text before it is parsed, so that the parser's work is bounded before
 * any object graph is built: it stops at the first container nested deeper than `maxDepth`, at
 * the first value past `maxValues`, and at an object key that is `__proto__` once its escapes are
 * read (the parser would see `"\u005f_proto__"` as `__proto__`, so the key is checked as the
 * parser reads it, not as it is written). It does not validate JSON; the parser does that after.
 *
 * String contents are skipped with `indexOf` (native speed); only the structure between strings
 * is walked character by character.
 */

export interface JsonLimits {
  /** Deepest nesting of objects and arrays. */
  maxDepth: number;
  /**
   * Most values in one body, counted as containers opened plus separators (`{`, `[`, `,`): every
   * object, array, element and member but the first of each container, which is close enough to
   * bound the parser's work.
   */
  maxValues: number;
}

export type JsonProblem = "depth" | "values" | "proto";

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
const PROTO = "__proto__";

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Where the string opening at `start` ends (its closing quote), or -1 when it never does. */
function stringEnd(text: string, start: number): number {
  let from = start + 1;
  for (;;) {
    const q = text.indexOf('"', from);
    if (q < 0) return -1;
    let slashes = 0;
    for (let b = q - 1; b > start && text.charCodeAt(b) === BACKSLASH; b--) slashes++;
    if (slashes % 2 === 0) return q;
    from = q + 1;
  }
}

/**
 * Where the next backslash at or after a position is, found once and reused: a body without
 * backslashes is searched once in all, not once per key (which would make the scan quadratic).
 */
class Backslashes {
  private at = -2;

  constructor(private readonly text: string) {}

  /** Whether there is a backslash in `text[from..to)`. */
  within(from: number, to: number): boolean {
    if (this.at !== -1 && this.at < from) this.at = this.text.indexOf("\\", from);
    return this.at !== -1 && this.at < to;
  }
}

/** Whether the string token `text[start..end]` reads as `__proto__`. */
function isProto(text: string, start: number, end: number, slashes: Backslashes): boolean {
  const raw = end - start - 1;
  if (raw < PROTO.length) return false;
  if (raw === PROTO.length && text.startsWith(PROTO, start + 1)) return true;
  if (!slashes.within(start + 1, end)) return false;
  try {
    return JSON.parse(text.slice(start, end + 1)) === PROTO;
  } catch {
    return false; // a malformed escape: the parser will say so
  }
}

/** The first problem found, or undefined when the text is within the limits. */
export function scanJson(text: string, limits: JsonLimits): JsonProblem | undefined {
  const n = text.length;
  const slashes = new Backslashes(text);
  let depth = 0;
  let values = 1;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      if (end < 0) return undefined;
      let next = end + 1;
      while (next < n && isSpace(text.charCodeAt(next))) next++;
      if (text.charCodeAt(next) === COLON && isProto(text, i, end, slashes)) return "proto";
      i = end;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > limits.maxDepth) return "depth";
      if (++values > limits.maxValues) return "values";
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    } else if (c === COMMA) {
      if (++values > limits.maxValues) return "values";
    }
  }
  return undefined;
}
