/**
 * The detectors for numbers that carry a checksum: payment cards (Luhn) and IBANs (mod 97).
 * Only numbers that pass are redacted, so order numbers and amounts stay.
 */
import type { Detector, Range } from "./detector.ts";

function digitsOf(s: string): string {
  return s.replace(/\D/g, "");
}

/** The Luhn check, over the digits of `number` (separators ignored). */
export function luhn(number: string): boolean {
  const d = digitsOf(number);
  let sum = 0;
  for (let i = 0; i < d.length; i++) {
    let n = Number(d[d.length - 1 - i]);
    if (i % 2 === 1) {
      n *= 2;
      if (n > 9) n -= 9;
    }
    sum += n;
  }
  return d.length > 0 && sum % 10 === 0;
}

/** A card number: 13 to 19 digits, starting 2 to 6 (the card networks), passing Luhn. */
export function cardValid(number: string): boolean {
  const d = digitsOf(number);
  return d.length >= 13 && d.length <= 19 && /^[2-6]/.test(d) && luhn(d);
}

/** Runs of digit groups joined by one space or dash, not glued to a word. */
const DIGIT_RUN = /(?<!\w)\d+(?:[ -]\d+)*(?!\w)/g;

/**
 * The longest card number made of whole groups, starting at group `from`: so a card followed by
 * its security code (`4111 1111 1111 1111 123`) or after another number is still found.
 */
function cardAt(text: string, groups: readonly Range[], from: number): number | undefined {
  let best: number | undefined;
  let digits = 0;
  for (let to = from; to < groups.length && digits <= 19; to++) {
    digits += groups[to]!.end - groups[to]!.start;
    const candidate = text.slice(groups[from]!.start, groups[to]!.end);
    if (digits >= 13 && digits <= 19 && cardValid(candidate)) best = to;
  }
  return best;
}

export const creditCard: Detector = {
  name: "credit_card",
  find(text) {
    const out: Range[] = [];
    for (const run of text.matchAll(DIGIT_RUN)) {
      const groups = [...run[0].matchAll(/\d+/g)].map((g) => ({
        start: run.index + g.index,
        end: run.index + g.index + g[0].length,
      }));
      for (let i = 0; i < groups.length; i++) {
        const last = cardAt(text, groups, i);
        if (last === undefined) continue;
        out.push({ start: groups[i]!.start, end: groups[last]!.end });
        i = last;
      }
    }
    return out;
  },
};

/** The IBAN check: country, check digits and account, moved and taken mod 97, leave 1. */
export function ibanValid(text: string): boolean {
  const s = text.replace(/ /g, "").toUpperCase();
  if (s.length < 15 || s.length > 34 || !/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(s)) return false;
  let rest = 0;
  for (const ch of s.slice(4) + s.slice(0, 4)) {
    const value = ch >= "A" && ch <= "Z" ? String(ch.charCodeAt(0) - 55) : ch;
    for (const digit of value) rest = (rest * 10 + Number(digit)) % 97;
  }
  return rest === 1;
}

/** `GB82 WEST 1234 5698 7654 32` or `DE89370400440532013000`: in groups of four, or not. */
const IBAN = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b/g;

export const iban: Detector = {
  name: "iban",
  find(text) {
    const out: Range[] = [];
    for (const m of text.matchAll(IBAN)) {
      // A group of capitals or digits after the IBAN may have been taken in: drop trailing
      // groups until the checksum holds.
      let candidate = m[0];
      while (candidate !== "" && !ibanValid(candidate)) {
        candidate = candidate.slice(0, Math.max(0, candidate.lastIndexOf(" ")));
      }
      if (candidate !== "") out.push({ start: m.index, end: m.index + candidate.length });
    }
    return out;
  },
};
