/**
 * The built-in detectors. Each is a global regular expression, with a check for the numbers that
 * carry one (Luhn for cards, mod-97 for IBANs), so that ordinary numbers are not taken for them.
 */
export interface Detector {
  name: string;
  pattern: RegExp;
  /** Confirms a match; without it every match counts. */
  valid?(match: string): boolean;
}

function digits(s: string): string {
  return s.replace(/\D/g, "");
}

export function luhn(number: string): boolean {
  const d = digits(number);
  if (d.length < 13 || d.length > 19) return false;
  let sum = 0;
  for (let i = 0; i < d.length; i++) {
    let n = Number(d[d.length - 1 - i]);
    if (i % 2 === 1) {
      n *= 2;
      if (n > 9) n -= 9;
    }
    sum += n;
  }
  return sum % 10 === 0;
}

export function ibanValid(text: string): boolean {
  const s = text.replace(/\s/g, "").toUpperCase();
  if (s.length < 15 || s.length > 34) return false;
  const moved = s.slice(4) + s.slice(0, 4);
  let rest = 0;
  for (const ch of moved) {
    const v = ch >= "A" && ch <= "Z" ? String(ch.charCodeAt(0) - 55) : ch;
    for (const digit of v) rest = (rest * 10 + Number(digit)) % 97;
  }
  return rest === 1;
}

export const BUILTIN: Readonly<Record<string, Detector>> = {
  email: {
    name: "email",
    pattern: /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g,
  },
  // +44 20 7946 0958, (415) 555-2671, 415-555-2671, 030 1234567: at least 7 digits with a
  // separator or a leading +, so plain numbers (years, amounts) stay.
  phone: {
    name: "phone",
    pattern:
      /(?<![\w+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)[\s.-]?)?\d{2,4}(?:[\s.-]\d{2,8}){1,4}(?![\w])|\+\d{8,15}\b/g,
    valid: (m) => {
      const n = digits(m).length;
      return n >= 7 && n <= 15 && !luhn(m) && (m.startsWith("+") || /[\s().-]/.test(m.trim()));
    },
  },
  credit_card: { name: "credit_card", pattern: /\b\d(?:[ -]?\d){12,18}\b/g, valid: luhn },
  iban: {
    name: "iban",
    pattern: /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b/g,
    valid: ibanValid,
  },
  api_key: {
    name: "api_key",
    pattern:
      /\b(?:sk-(?:ant-|proj-)?[A-Za-z0-9_-]{16,}|AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}|xox[baprs]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{35}|eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})|Bearer [A-Za-z0-9._~+/-]{16,}=*/g,
  },
};

/** The names of the built-in detectors, in the order they run (keys before numbers). */
export const BUILTIN_NAMES = ["api_key", "email", "iban", "credit_card", "phone"] as const;
