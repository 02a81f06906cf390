import { describe, expect, it } from "bun:test";
import { compileGlob, globMatcher } from "./glob.ts";

describe("compileGlob", () => {
  it("matches a literal name exactly, not as a prefix or suffix", () => {
    const re = compileGlob("gpt-4o");
    expect(re.test("gpt-4o")).toBe(true);
    expect(re.test("gpt-4o-mini")).toBe(false);
    expect(re.test("my-gpt-4o")).toBe(false);
  });

  it("lets * match any run of characters, including none and slashes", () => {
    const re = compileGlob("gpt-4o*");
    expect(re.test("gpt-4o")).toBe(true);
    expect(re.test("gpt-4o-mini-2024-07-18")).toBe(true);
    expect(re.test("gpt-4")).toBe(false);
    expect(compileGlob("anthropic/*").test("anthropic/claude-3.5/beta")).toBe(true);
  });

  it("lets ? match exactly one character", () => {
    const re = compileGlob("o?-mini");
    expect(re.test("o1-mini")).toBe(true);
    expect(re.test("o3-mini")).toBe(true);
    expect(re.test("o-mini")).toBe(false);
    expect(re.test("o10-mini")).toBe(false);
  });

  it("takes regex metacharacters literally", () => {
    expect(compileGlob("llama-3.1").test("llama-3x1")).toBe(false);
    expect(compileGlob("llama-3.1").test("llama-3.1")).toBe(true);
    expect(compileGlob("a+b").test("aab")).toBe(false);
    expect(compileGlob("a+b").test("a+b")).toBe(true);
    expect(compileGlob("(x|y)[0]{1}^$\\").test("(x|y)[0]{1}^$\\")).toBe(true);
    expect(compileGlob("(x|y)").test("x")).toBe(false);
  });
});

describe("globMatcher", () => {
  it("matches every name when the list is empty", () => {
    const admits = globMatcher([]);
    expect(admits("gpt-4o")).toBe(true);
    expect(admits("")).toBe(true);
  });

  it("matches a name that any glob of the list matches", () => {
    const admits = globMatcher(["gpt-4o*", "o?-mini"]);
    expect(admits("gpt-4o-mini")).toBe(true);
    expect(admits("o1-mini")).toBe(true);
    expect(admits("gpt-3.5-turbo")).toBe(false);
  });
});
