import { describe, expect, it } from "bun:test";
import { BUILTIN, ibanValid, luhn } from "./detectors.ts";
import { spans } from "./rules.ts";

const found = (name: string, text: string) =>
  spans(text, [BUILTIN[name]!]).map((s) => text.slice(s.start, s.end));

describe("built-in detectors", () => {
  it("find emails, and not handles or domains", () => {
    expect(found("email", "mail jane.doe+tag@mail.example.co.uk now")).toEqual([
      "jane.doe+tag@mail.example.co.uk",
    ]);
    expect(found("email", "@handle and example.com and a@b")).toEqual([]);
  });

  it("find phone numbers with separators or a +, and not years, amounts or plain numbers", () => {
    expect(found("phone", "call +44 20 7946 0958 or (415) 555-2671 or 030 1234567")).toEqual([
      "+44 20 7946 0958",
      "(415) 555-2671",
      "030 1234567",
    ]);
    expect(found("phone", "in 2024 we sold 1500 units for 12.50 each, order 123456")).toEqual([]);
  });

  it("find card numbers that pass Luhn, and not other long numbers", () => {
    expect(luhn("4111 1111 1111 1111")).toBe(true);
    expect(found("credit_card", "card 4111 1111 1111 1111, and 5500-0000-0000-0004")).toEqual([
      "4111 1111 1111 1111",
      "5500-0000-0000-0004",
    ]);
    expect(found("credit_card", "order 4111 1111 1111 1112")).toEqual([]);
  });

  it("find IBANs with a valid checksum, with or without spaces", () => {
    expect(ibanValid("GB82 WEST 1234 5698 7654 32")).toBe(true);
    expect(found("iban", "pay GB82 WEST 1234 5698 7654 32 or DE89370400440532013000")).toEqual([
      "GB82 WEST 1234 5698 7654 32",
      "DE89370400440532013000",
    ]);
    expect(found("iban", "not GB83 WEST 1234 5698 7654 32")).toEqual([]);
  });

  it("find API keys and tokens, and not ordinary words", () => {
    const text = [
      "sk-proj-abcdefghijklmnopqrstuvwx",
      "sk-ant-api03-abcdefghijklmnop",
      "AKIAIOSFODNN7EXAMPLE",
      "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
      "AIzaSyA-abcdefghijklmnopqrstuvwxyz01234",
      "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
      "Bearer abcdefghijklmnopqrstuvwxyz",
    ];
    expect(found("api_key", text.join(" and "))).toEqual(text);
    expect(found("api_key", "a skeleton key, sk-short, task-force")).toEqual([]);
  });
});
