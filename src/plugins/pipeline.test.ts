import { describe, expect, it } from "bun:test";
import type { ChatChunk, ChatRequest } from "../core/chat.ts";
import { responseChunks } from "../core/assemble.ts";
import { pluginHarness, textResponse } from "./testing.ts";
import { definePlugin, type Plugin } from "./index.ts";

const req = (extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model: "mock/echo",
  messages: [{ role: "user", content: "hello" }],
  ...extra,
});

/** A plugin that records its hook calls into a shared log. */
function recorder(name: string, log: string[], extra: Partial<Plugin> = {}): Plugin {
  return definePlugin({
    name,
    preHook: () => void log.push(`${name}.pre`),
    postHook: () => void log.push(`${name}.post`),
    ...extra,
  });
}

describe("plugin pipeline", () => {
  it("runs pre-hooks in config order and post-hooks in reverse", async () => {
    const log: string[] = [];
    const h = await pluginHarness([recorder("a", log), recorder("b", log), recorder("c", log)]);
    const r = await h.chat(req());
    expect(r.status).toBe(200);
    expect(log).toEqual(["a.pre", "b.pre", "c.pre", "c.post", "b.post", "a.post"]);
  });

  it("short-circuits with a response: later plugins and the provider are skipped, earlier post-hooks run", async () => {
    const log: string[] = [];
    const answer = definePlugin({
      name: "answer",
      preHook: () => ({ response: textResponse("from the plugin") }),
      postHook: () => void log.push("answer.post"),
    });
    const h = await pluginHarness([recorder("a", log), answer, recorder("c", log)]);
    const r = await h.chat(req());
    expect(r.response?.choices[0]?.message.content).toBe("from the plugin");
    expect(r.upstreamRequest).toBeUndefined();
    expect(log).toEqual(["a.pre", "answer.post", "a.post"]);
  });

  it("short-circuits with an error carrying the plugin's status, type and Retry-After", async () => {
    const seen: (number | undefined)[] = [];
    const deny = definePlugin({
      name: "deny",
      preHook: () => ({
        error: { status: 403, message: "no", type: "permission_error", retryAfter: 3 },
      }),
    });
    const watch = definePlugin({
      name: "watch",
      postHook: (_c, _r, err) => void seen.push(err?.status),
    });
    const h = await pluginHarness([watch, deny]);
    const r = await h.chat(req());
    expect(r.status).toBe(403);
    expect(r.error?.code).toBe("PLUGIN_REJECTED");
    expect(r.error?.upstreamType).toBe("permission_error");
    expect(r.error?.retryAfter).toBe(3);
    expect(seen).toEqual([403]);
  });

  it("lets a pre-hook change the request the provider receives", async () => {
    const h = await pluginHarness(
      definePlugin({ name: "temp", preHook: (_c, r) => void (r.temperature = 0.1) }),
    );
    const r = await h.chat(req());
    expect(r.upstreamRequest?.temperature).toBe(0.1);
  });

  it("lets a post-hook replace an upstream error with a response", async () => {
    const rescue = definePlugin({
      name: "rescue",
      postHook: (_c, _res, err) => (err ? { response: textResponse("rescued") } : undefined),
    });
    const h = await pluginHarness(rescue);
    const r = await h.chat(req(), { answer: { error: { status: 502, message: "down" } } });
    expect(r.status).toBe(200);
    expect(r.response?.choices[0]?.message.content).toBe("rescued");
  });

  it("gives the post-hooks before one that turned an answer into an error both (it was paid)", async () => {
    const seen: { content: unknown; status: number | undefined }[] = [];
    const watch = definePlugin({
      name: "watch",
      postHook: (_c, res, err) =>
        void seen.push({ content: res?.choices[0]?.message.content, status: err?.status }),
    });
    const refuse = definePlugin({
      name: "refuse",
      postHook: () => ({ error: { status: 422, message: "not this answer" } }),
    });
    const h = await pluginHarness([watch, refuse]);
    const r = await h.chat(req());
    expect(r.status).toBe(422);
    expect(seen).toEqual([{ content: "ok", status: 422 }]);
  });

  it("fails the request with PLUGIN_FAILED when a hook throws, and counts it", async () => {
    const log: string[] = [];
    const boom = definePlugin({
      name: "boom",
      preHook: () => {
        throw new Error("secret-ish detail");
      },
    });
    const h = await pluginHarness([recorder("a", log), boom]);
    const r = await h.chat(req());
    expect(r.status).toBe(500);
    expect(r.error?.code).toBe("PLUGIN_FAILED");
    expect(r.error?.message).not.toContain("secret-ish");
    expect(r.upstreamRequest).toBeUndefined();
    expect(log).toEqual(["a.pre", "a.post"]);
    expect(await h.metrics()).toContain(
      'switchyard_plugin_failures_total{plugin="boom",hook="preHook",kind="error"} 1',
    );
  });

  it("skips an optional plugin that throws", async () => {
    const boom = definePlugin({
      name: "boom",
      preHook: () => {
        throw new Error("x");
      },
    });
    const h = await pluginHarness(boom, { optional: true });
    const r = await h.chat(req());
    expect(r.status).toBe(200);
    expect(r.upstreamRequest).toBeDefined();
  });

  it("fails a hook that outlives its time budget", async () => {
    const slow = definePlugin({
      name: "slow",
      preHook: () => new Promise<void>((resolve) => setTimeout(resolve, 200)),
    });
    const h = await pluginHarness(slow, { timeoutMs: 20 });
    const r = await h.chat(req());
    expect(r.error?.code).toBe("PLUGIN_FAILED");
    expect(r.error?.message).toContain("20 ms");
    expect(await h.metrics()).toContain('kind="timeout"} 1');
  });

  it("rewrites and drops stream chunks, and gives the post-hook the assembled stream", async () => {
    let assembled: string | null | undefined;
    const plugin = definePlugin({
      name: "shout",
      onStreamChunk: (_c, chunk) => {
        const delta = chunk.choices[0]?.delta;
        if (delta?.content === "drop") return null;
        if (delta?.content) delta.content = delta.content.toUpperCase();
      },
      postHook: (_c, res) => void (assembled = res?.choices[0]?.message.content),
    });
    const base = responseChunks(textResponse("x"));
    const chunk = (content: string): ChatChunk => ({
      ...base[0]!,
      choices: [{ index: 0, delta: { content }, finish_reason: null }],
    });
    const h = await pluginHarness(plugin);
    const r = await h.chat(req({ stream: true }), {
      answer: [chunk("hello "), chunk("drop"), chunk("world"), base[1]!],
    });
    const text = r.chunks!.map((c) => c.choices[0]?.delta.content ?? "").join("");
    expect(text).toBe("HELLO WORLD");
    expect(assembled).toBe("HELLO WORLD");
  });

  it("runs asynchronous and synchronous chunk hooks in config order", async () => {
    const suffix = (name: string, wait: boolean) =>
      definePlugin({
        name,
        onStreamChunk: async (_c, chunk) => {
          if (wait) await Bun.sleep(1);
          const delta = chunk.choices[0]?.delta;
          if (delta?.content) delta.content += `<${name}>`;
        },
      });
    const sync = definePlugin({
      name: "sync",
      onStreamChunk: (_c, chunk) => {
        const delta = chunk.choices[0]?.delta;
        if (delta?.content) delta.content += "<sync>";
      },
    });
    const h = await pluginHarness([suffix("a", true), sync, suffix("b", false)]);
    const r = await h.chat(req({ stream: true }), { answer: textResponse("x") });
    expect(r.chunks!.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("x<a><sync><b>");
  });

  it("sends the chunks onStreamEnd returns, through the chunk hooks of the plugins after it", async () => {
    const tail = definePlugin({
      name: "tail",
      onStreamEnd: () => [
        {
          ...responseChunks(textResponse("x"))[0]!,
          choices: [{ index: 0, delta: { content: "tail" }, finish_reason: null }],
        },
      ],
    });
    const upper = definePlugin({
      name: "upper",
      onStreamChunk: (_c, chunk) => {
        const delta = chunk.choices[0]?.delta;
        if (delta?.content) delta.content = delta.content.toUpperCase();
      },
    });
    let assembled: string | null | undefined;
    const watch = definePlugin({
      name: "watch",
      postHook: (_c, res) => void (assembled = res?.choices[0]?.message.content),
    });
    const h = await pluginHarness([watch, tail, upper]);
    const r = await h.chat(req({ stream: true }), { answer: textResponse("body ") });
    expect(r.chunks!.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("BODY TAIL");
    expect(assembled).toBe("BODY TAIL");
  });

  it("replays a short-circuit response as a stream to a streaming caller", async () => {
    const h = await pluginHarness(
      definePlugin({ name: "answer", preHook: () => ({ response: textResponse("cached") }) }),
    );
    const r = await h.chat(req({ stream: true }));
    expect(r.chunks!.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("cached");
    expect(r.chunks!.some((c) => c.choices[0]?.finish_reason === "stop")).toBe(true);
  });

  it("drops a native request body that a pre-hook made stale", async () => {
    const native = { dialect: "anthropic" as const, body: { messages: [] }, unmapped: [] };
    const h = await pluginHarness(
      definePlugin({ name: "edit", preHook: (_c, r) => void (r.messages[0]!.content = "edited") }),
    );
    const r = await h.chat(req({ native }), { dialect: "anthropic" });
    expect(r.upstreamRequest?.native).toBeUndefined();
    expect(r.upstreamRequest?.messages[0]?.content).toBe("edited");
    const untouched = await pluginHarness(definePlugin({ name: "look", preHook: () => {} }));
    expect((await untouched.chat(req({ native }))).upstreamRequest?.native).toEqual(native);
  });

  it("rejects a plugin config that does not match the plugin's schema, naming the field", async () => {
    const { Type } = await import("./index.ts");
    const typed = definePlugin({
      name: "typed",
      configSchema: Type.Object({ limit: Type.Integer({ minimum: 1 }) }),
    });
    await expect(pluginHarness(typed, { config: { limit: 0 } })).rejects.toThrow(
      "typed.config.limit",
    );
  });
});
