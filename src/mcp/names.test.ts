import { describe, expect, it } from "bun:test";
import { toolNames } from "./names.ts";

describe("provider-safe tool names", () => {
  it("joins server and tool with __ and replaces what providers refuse", () => {
    const n = toolNames(["files/read_file", "web.search/find-all v2"]);
    expect(n.safe("files/read_file")).toBe("files__read_file");
    expect(n.safe("web.search/find-all v2")).toBe("web_search__find-all_v2");
    expect(n.qualified("web_search__find-all_v2")).toBe("web.search/find-all v2");
    expect(n.qualified("get_weather")).toBeUndefined();
  });

  it("keeps names within 64 characters and apart when they would collide", () => {
    const long = `s/${"x".repeat(80)}`;
    const n = toolNames([long, "a.b/c", "a_b/c"], new Set(["mine__tool"]));
    expect(n.safe(long).length).toBeLessThanOrEqual(64);
    expect(n.safe("a.b/c")).not.toBe(n.safe("a_b/c"));
    expect(n.qualified(n.safe("a_b/c"))).toBe("a_b/c");
    const taken = toolNames(["mine/tool"], new Set(["mine__tool"]));
    expect(taken.safe("mine/tool")).not.toBe("mine__tool");
  });
});
