/**
 * The built-in detectors. Most are a global regular expression with an optional check; the
 * numbers that carry a checksum (cards, IBANs, in `numbers.ts`) are verified, so that ordinary
 * numbers are not taken for them.
 */
import { regexDetector, type Detector } from "./detector.ts";
import { creditCard, iban } from "./numbers.ts";

/** Starts only where a local part can start, so a long run without `@` is scanned once. */
const EMAIL =
  /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;

/**
 * `+44 20 7946 0958`, `+14155552671`, `(415) 555-2671`, `415.555.2671`, `030 1234567`: digit
 * groups joined by one space, dot or dash, not inside a longer run of numbers (an ISBN, a
 * version) and not glued to a word.
 */
const PHONE =
  /(?<![\w+.-])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]\d{2,8}){1,5}(?!\w|[.-]\d)|(?<![\w+])\+\d{8,15}(?!\w)/g;

/** Numbers that look like phones but are dates, IP addresses, thousands or lists of years. */
const NOT_PHONE = [
  /^\d{4}[.-]\d{1,2}[.-]\d{1,2}$/, // 2024-01-15
  /^\d{1,2}[.-]\d{1,2}[.-]\d{2,4}$/, // 15.01.2024
  /^\d{1,3}(?:\.\d{1,3}){3}$/, // 192.168.100.200
  /^\d{1,3}(?:( |\.)\d{3})(?:\1\d{3})*$/, // 12 345 678, 12.345.678
  /^(?:(?:19|20)\d\d[ .-]?)+$/, // 2000 2024 2025
];

function phoneValid(match: string): boolean {
  const digits = match.replace(/\D/g, "").length;
  if (digits < 7 || digits > 15) return false;
  if (match.startsWith("+")) return true;
  return !NOT_PHONE.some((p) => p.test(match));
}

/**
 * OpenAI (`sk-`, `sk-proj-`) and Anthropic (`sk-ant-`) keys, AWS access key ids, GitHub tokens,
 * Slack tokens, Google API keys, JWTs, and `Bearer <token>`.
 */
const API_KEY = new RegExp(
  [
    String.raw`\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{16,}`,
    String.raw`\bAKIA[0-9A-Z]{16}\b`,
    String.raw`\bgh[pousr]_[A-Za-z0-9]{30,}`,
    String.raw`\bgithub_pat_[A-Za-z0-9_]{30,}`,
    String.raw`\bxox[baprs]-[A-Za-z0-9-]{10,}`,
    String.raw`\bAIza[0-9A-Za-z_-]{35}`,
    String.raw`\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}`,
    String.raw`\b[Bb]earer [A-Za-z0-9._~+/-]{16,}=*`,
  ].join("|"),
  "g",
);

export const BUILTIN = {
  email: regexDetector("email", EMAIL),
  phone: regexDetector("phone", PHONE, phoneValid),
  credit_card: creditCard,
  iban,
  api_key: regexDetector("api_key", API_KEY),
} satisfies Record<string, Detector>;

export type BuiltinName = keyof typeof BUILTIN;

/** The built-in detectors in the order they run: where two overlap, the earlier one wins. */
export const BUILTIN_NAMES: readonly BuiltinName[] = [
  "api_key",
  "email",
  "iban",
  "credit_card",
  "phone",
];

/**
 * The longest text a built-in needs to see before it can match (an IBAN with spaces: 34
 * characters and 8 spaces; a card with separators: 19 digits and 18). Streams hold back more.
 */
export const LONGEST_BUILTIN_PREFIX = 42;
