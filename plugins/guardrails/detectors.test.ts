import { describe, expect, it } from "bun:test";
import { BUILTIN, LONGEST_BUILTIN_PREFIX, type BuiltinName } from "./detectors.ts";
import { HOLD } from "./holdback.ts";
import { cardValid, ibanValid, luhn } from "./numbers.ts";

const found = (name: BuiltinName, text: string) =>
  BUILTIN[name].find(text).map((r) => text.slice(r.start, r.end));

const PROSE =
  "In 2024 we shipped 1500 units at 12.50 each; order 123456 left on 2024-01-15 from " +
  "192.168.100.200, version 1.22.333, ISBN 978-3-16-148410-0, for 12.345.678 EUR in total.";

describe("the email detector", () => {
  it("finds addresses, subdomains and tags included", () => {
    expect(found("email", "mail jane.doe+tag@mail.example.co.uk, or bob@example.com.")).toEqual([
      "jane.doe+tag@mail.example.co.uk",
      "bob@example.com",
    ]);
  });

  it("leaves handles, bare domains and addresses without a domain", () => {
    expect(found("email", "@handle, example.com, a@b and user@localhost")).toEqual([]);
  });
});

describe("the phone detector", () => {
  it("finds international and national numbers written with separators", () => {
    const text =
      "call +44 20 7946 0958, +14155552671, (415) 555-2671, 415.555.2671, " +
      "+49 (0)30 1234567 or 030 1234567";
    expect(found("phone", text)).toEqual([
      "+44 20 7946 0958",
      "+14155552671",
      "(415) 555-2671",
      "415.555.2671",
      "+49 (0)30 1234567",
      "030 1234567",
    ]);
  });

  it("leaves years, dates, amounts, addresses, versions and short numbers", () => {
    expect(found("phone", PROSE)).toEqual([]);
    expect(found("phone", "from 1999 to 2024, then 2000 2024 2025, and 12-3456")).toEqual([]);
  });
});

describe("the credit card detector", () => {
  it("finds card numbers that pass Luhn, grouped or not", () => {
    const text =
      "Visa 4111 1111 1111 1111, MC 5500-0000-0000-0004, Amex 3782 822463 10005, 6011111111111117.";
    expect(found("credit_card", text)).toEqual([
      "4111 1111 1111 1111",
      "5500-0000-0000-0004",
      "3782 822463 10005",
      "6011111111111117",
    ]);
  });

  it("finds a card next to other numbers, such as its security code", () => {
    expect(found("credit_card", "card 4111 1111 1111 1111 123 exp 12 28")).toEqual([
      "4111 1111 1111 1111",
    ]);
    expect(found("credit_card", "qty 12 4111 1111 1111 1111")).toEqual(["4111 1111 1111 1111"]);
  });

  it("leaves 16-digit numbers that fail Luhn, and other long numbers", () => {
    expect(luhn("4111 1111 1111 1112")).toBe(false);
    expect(found("credit_card", "order 4111 1111 1111 1112, ref 12345678901234567890")).toEqual([]);
    expect(cardValid("0000 0000 0000 0000")).toBe(false); // passes Luhn, no card network
    expect(found("credit_card", PROSE)).toEqual([]);
  });
});

describe("the IBAN detector", () => {
  it("finds IBANs with a valid checksum, with or without spaces", () => {
    expect(ibanValid("GB82 WEST 1234 5698 7654 32")).toBe(true);
    const text = "pay GB82 WEST 1234 5698 7654 32 or DE89370400440532013000 or NO9386011117947.";
    expect(found("iban", text)).toEqual([
      "GB82 WEST 1234 5698 7654 32",
      "DE89370400440532013000",
      "NO9386011117947",
    ]);
  });

  it("keeps a following capitalised word out of the IBAN", () => {
    expect(found("iban", "IBAN DE89 3704 0044 0532 0130 00 THEN")).toEqual([
      "DE89 3704 0044 0532 0130 00",
    ]);
  });

  it("leaves an IBAN with a wrong checksum, and capitalised prose", () => {
    expect(found("iban", "not GB83 WEST 1234 5698 7654 32, nor AB12 CDEF GHIJ KLMN")).toEqual([]);
  });
});

describe("the API key detector", () => {
  it("finds provider keys, cloud keys, tokens and bearer credentials", () => {
    const keys = [
      "sk-proj-abcdefghijklmnopqrstuvwx",
      "sk-ant-api03-abcdefghijklmnop",
      "sk-abcdefghijklmnopqrstuvwxyz012345",
      "AKIAIOSFODNN7EXAMPLE",
      "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
      "github_pat_11ABCDEFG0abcdefghijklmnopqrstuvwxyz",
      "xoxb-1234567890-abcdefghij",
      "AIzaSyA-abcdefghijklmnopqrstuvwxyz01234",
      "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
      "Bearer abcdefghijklmnopqrstuvwxyz",
    ];
    expect(found("api_key", keys.join(" and "))).toEqual(keys);
  });

  it("leaves ordinary words and short look-alikes", () => {
    expect(found("api_key", "a skeleton key, sk-short, task-force, the bearer of news")).toEqual(
      [],
    );
    expect(found("api_key", PROSE)).toEqual([]);
  });
});

describe("streams", () => {
  it("hold back more than any built-in needs to see before it matches", () => {
    expect(HOLD).toBeGreaterThan(LONGEST_BUILTIN_PREFIX);
  });
});
