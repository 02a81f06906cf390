/**
 * What a detector is: something that finds the places in a text to redact. Built-ins and custom
 * patterns alike.
 */

/** Where a match is: `text.slice(start, end)`. */
export interface Range {
  start: number;
  end: number;
}

export interface Detector {
  readonly name: string;
  /** Every match in `text`, in order, not overlapping. */
  find(text: string): Range[];
}

/** A detector from a global pattern; `valid` confirms a match (else every non-empty one counts). */
export function regexDetector(
  name: string,
  pattern: RegExp,
  valid?: (match: string) => boolean,
): Detector {
  return {
    name,
    find(text) {
      const out: Range[] = [];
      for (const m of text.matchAll(pattern)) {
        if (m[0] === "" || (valid && !valid(m[0]))) continue;
        out.push({ start: m.index, end: m.index + m[0].length });
      }
      return out;
    },
  };
}
