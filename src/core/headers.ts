/**
 * Header text the gateway sends, made unable to fail. A `Response` refuses a header value outside
 * Latin-1 or holding a line break, and a name that is not an HTTP token; values built from
 * caller-, upstream- or plugin-supplied text are passed through `headerValue` so that building an
 * answer's headers never throws (after a paid upstream call, a throw would lose the answer).
 */

/** Visible ASCII and spaces: what a value may hold as it is. */
const PLAIN_VALUE = /^[\x20-\x7e]*$/;
/** An HTTP token (RFC 9110): what a header name may be. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** The value as it is when it is plain ASCII; else with every other character percent-encoded. */
export function headerValue(value: string): string {
  if (PLAIN_VALUE.test(value)) return value;
  let out = "";
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    out += code >= 0x20 && code < 0x7f && ch !== "%" ? ch : encodeURIComponent(ch);
  }
  return out;
}

export function isHeaderName(name: string): boolean {
  return TOKEN.test(name);
}
