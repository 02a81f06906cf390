import { describe, expect, it } from "bun:test";
import { scanJson } from "./json-scan.ts";

const limits = { maxDepth: 4, maxValues: 20 };

describe("scanJson", () => {
  it("passes a body within the limits, strings with brackets and escapes included", () => {
    const body = JSON.stringify({
      model: "m",
      messages: [{ role: "user", content: 'a "[{quoted}]" \\ text' }],
    });
    expect(scanJson(body, limits)).toBeUndefined();
  });

  it("stops at the first container nested deeper than the limit", () => {
    expect(scanJson("[[[[1]]]]", limits)).toBeUndefined();
    expect(scanJson("[[[[[1]]]]]", limits)).toBe("depth");
    expect(scanJson(`{"a":{"b":{"c":{"d":{"e":1}}}}}`, limits)).toBe("depth");
  });

  it("does not count brackets inside strings as nesting", () => {
    expect(scanJson(JSON.stringify({ a: "[[[[[[[[[[" }), limits)).toBeUndefined();
  });

  it("stops past the most values a body may hold", () => {
    expect(scanJson(JSON.stringify(Array(19).fill(1)), limits)).toBeUndefined();
    expect(scanJson(JSON.stringify(Array(25).fill(1)), limits)).toBe("values");
  });

  it("finds a __proto__ key however it is escaped, and only as a key", () => {
    expect(scanJson(`{"__proto__":{}}`, limits)).toBe("proto");
    expect(scanJson(`{"\\u005f_proto__" : 1}`, limits)).toBe("proto");
    expect(scanJson(`{"a":{"__pro\\u0074o__":1}}`, limits)).toBe("proto");
    expect(scanJson(`{"a":"__proto__"}`, limits)).toBeUndefined();
    expect(scanJson(`{"__proto_x":1, "x\\"__proto__":2}`, limits)).toBeUndefined();
  });

  it("leaves malformed text to the parser", () => {
    expect(scanJson(`{"a": "never closed`, limits)).toBeUndefined();
  });
});
