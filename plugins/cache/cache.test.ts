import { describe, expect, it } from "bun:test";
import { pluginHarness, textResponse } from "../../src/plugins/testing.ts";
import type { ChatRequest } from "../../src/plugins/index.ts";
import cache from "./index.ts";
import { cacheKey } from "./key.ts";
import { createMemoryStore } from "./memory-store.ts";

const req = (content: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model: "mock/echo",
  messages: [{ role: "user", content }],
  ...extra,
});

describe("cache key", () => {
  it("ignores stream flags, user and key order, and tells different prompts apart", () => {
    const a = cacheKey(req("hi", { temperature: 0, stream: true, user: "u1" }), "");
    const b = cacheKey(
      { temperature: 0, messages: [{ role: "user", content: "hi" }], model: "mock/echo" },
      "",
    );
    expect(a).toBe(b);
    expect(cacheKey(req("hi!"), "")).not.toBe(cacheKey(req("hi"), ""));
    expect(cacheKey(req("hi", { temperature: 1 }), "")).not.toBe(cacheKey(req("hi"), ""));
    expect(cacheKey(req("hi"), "id:team-a")).not.toBe(cacheKey(req("hi"), "id:team-b"));
  });

  it("counts dialect-only fields of the caller's body", () => {
    const native = (top_k: number) => ({
      dialect: "anthropic" as const,
      body: { messages: [], top_k },
      unmapped: ["top_k"],
    });
    expect(cacheKey(req("hi", { native: native(5) }), "")).not.toBe(
      cacheKey(req("hi", { native: native(6) }), ""),
    );
  });
});

describe("memory store", () => {
  it("evicts the least recently used entry beyond its entry bound", async () => {
    const store = createMemoryStore(2, 1 << 20);
    await store.set("a", textResponse("A"), 60);
    await store.set("b", textResponse("B"), 60);
    await store.get("a"); // a is now the most recent
    await store.set("c", textResponse("C"), 60);
    expect(await store.get("b")).toBeUndefined();
    expect((await store.get("a"))?.choices[0]?.message.content).toBe("A");
    expect(store.size()).toBe(2);
  });

  it("evicts by bytes and forgets entries after their TTL", async () => {
    const one = JSON.stringify(textResponse("x".repeat(500))).length;
    const store = createMemoryStore(100, one * 2 + 10);
    for (const k of ["a", "b", "c"]) await store.set(k, textResponse("x".repeat(500)), 60);
    expect(store.size()).toBe(2);
    await store.set("short", textResponse("s"), 0.001);
    await Bun.sleep(5);
    expect(await store.get("short")).toBeUndefined();
  });
});

describe("cache plugin", () => {
  it("answers the second identical request from the cache without calling the provider", async () => {
    const h = await pluginHarness(cache);
    const first = await h.chat(req("same"), { answer: textResponse("fresh") });
    expect(first.headers["x-switchyard-cache"]).toBe("miss");
    const second = await h.chat(req("same"), { answer: textResponse("different") });
    expect(second.headers["x-switchyard-cache"]).toBe("hit");
    expect(second.upstreamRequest).toBeUndefined();
    expect(second.response?.choices[0]?.message.content).toBe("fresh");
    await h.close();
  });

  it("replays a cached answer as a stream, and caches a streamed answer", async () => {
    const h = await pluginHarness(cache);
    await h.chat(req("s", { stream: true }), { answer: textResponse("streamed text") });
    const again = await h.chat(req("s", { stream: true }));
    expect(again.headers["x-switchyard-cache"]).toBe("hit");
    expect(again.chunks!.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe(
      "streamed text",
    );
    await h.close();
  });

  it("stores neither errors nor unfinished answers, and skips the cache on the bypass header", async () => {
    const h = await pluginHarness(cache);
    await h.chat(req("e"), { answer: { error: { status: 502, message: "down" } } });
    expect((await h.chat(req("e"))).headers["x-switchyard-cache"]).toBe("miss");
    const partial = textResponse("cut");
    partial.choices[0]!.finish_reason = null;
    await h.chat(req("p"), { answer: partial });
    expect((await h.chat(req("p"))).headers["x-switchyard-cache"]).toBe("miss");
    const bypass = await h.chat(req("e"), { headers: { "x-switchyard-cache-bypass": "true" } });
    expect(bypass.headers["x-switchyard-cache"]).toBe("bypass");
    expect(bypass.upstreamRequest).toBeDefined();
    await h.close();
  });

  it("keeps callers apart with per_caller", async () => {
    const h = await pluginHarness(cache, { config: { per_caller: true } });
    await h.chat(req("mine"), { credential: "key-a", answer: textResponse("for a") });
    const other = await h.chat(req("mine"), { credential: "key-b", answer: textResponse("for b") });
    expect(other.headers["x-switchyard-cache"]).toBe("miss");
    expect(
      (await h.chat(req("mine"), { credential: "key-a" })).response?.choices[0]?.message.content,
    ).toBe("for a");
    await h.close();
  });

  it("refuses backend redis without storage.redis_url", async () => {
    await expect(pluginHarness(cache, { config: { backend: "redis" } })).rejects.toThrow(
      "redis_url",
    );
  });
});
