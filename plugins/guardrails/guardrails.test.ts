import { describe, expect, it } from "bun:test";
import type { ChatChunk, ChatRequest } from "../../src/plugins/index.ts";
import { pluginHarness, textResponse } from "../../src/plugins/testing.ts";
import { responseChunks } from "../../src/core/assemble.ts";
import guardrails from "./index.ts";
import { redact, redactionRules } from "./rules.ts";

const req = (
  content: ChatRequest["messages"][number]["content"],
  extra: Partial<ChatRequest> = {},
): ChatRequest => ({
  model: "mock/echo",
  messages: [{ role: "user", content }],
  ...extra,
});

function stream(pieces: string[]): ChatChunk[] {
  const [first, finish] = responseChunks(textResponse("x"));
  const chunk = (content: string): ChatChunk => ({
    ...first!,
    choices: [{ index: 0, delta: { content }, finish_reason: null }],
  });
  return [...pieces.map(chunk), finish!];
}
const text = (chunks: ChatChunk[]) => chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");

describe("guardrails on requests", () => {
  it("redacts prompts before the provider, in text parts and in a native Anthropic body", async () => {
    const h = await pluginHarness(guardrails);
    const native = {
      dialect: "anthropic" as const,
      body: {
        messages: [{ role: "user", content: [{ type: "text", text: "I am bob@example.com" }] }],
        top_k: 3,
      },
      unmapped: ["top_k"],
    };
    const r = await h.chat(req([{ type: "text", text: "I am bob@example.com" }], { native }), {
      dialect: "anthropic",
    });
    const sent = r.upstreamRequest!;
    expect(sent.messages[0]!.content).toEqual([{ type: "text", text: "I am [REDACTED:email]" }]);
    expect(JSON.stringify(sent.native?.body)).toContain("I am [REDACTED:email]");
    expect(sent.native?.body.top_k).toBe(3); // still passed through
    expect(await h.metrics()).toContain(
      'switchyard_guardrails_total{rule="email",action="redact",direction="input"} 2',
    );
  });

  it("blocks a request matching a deny rule with a 400 naming the rule, without calling the provider", async () => {
    const h = await pluginHarness(guardrails, {
      config: { deny: [{ name: "no-drop-table", pattern: "drop\\s+table", flags: "i" }] },
    });
    const r = await h.chat(req("please DROP  TABLE users"));
    expect(r.status).toBe(400);
    expect(r.error?.message).toContain("'no-drop-table'");
    expect(r.error?.message).not.toContain("DROP");
    expect(r.upstreamRequest).toBeUndefined();
  });

  it("applies custom patterns with their own replacement", async () => {
    const h = await pluginHarness(guardrails, {
      config: {
        redact: {
          builtins: [],
          custom: [{ name: "ticket", pattern: "TCK-\\d+" }],
          replacement: "<{name}>",
        },
      },
    });
    const r = await h.chat(req("see TCK-1234 and bob@example.com"));
    expect(r.upstreamRequest?.messages[0]?.content).toBe("see <ticket> and bob@example.com");
  });

  it("stops start-up on a bad pattern, naming the rule", async () => {
    await expect(
      pluginHarness(guardrails, {
        config: { redact: { custom: [{ name: "broken", pattern: "(" }] } },
      }),
    ).rejects.toThrow("rule 'broken'");
  });
});

describe("guardrails on answers", () => {
  it("redacts a plain answer", async () => {
    const h = await pluginHarness(guardrails);
    const r = await h.chat(req("hi"), {
      answer: textResponse("card 4111 1111 1111 1111, key sk-proj-abcdefghijklmnopqrstuvwx."),
    });
    expect(r.response?.choices[0]?.message.content).toBe(
      "card [REDACTED:credit_card], key [REDACTED:api_key].",
    );
  });

  it("redacts an email split across stream chunks, never sending part of it", async () => {
    const h = await pluginHarness(guardrails);
    const pieces = [
      "Please contact jo",
      "hn@exam",
      "ple.com now, or ",
      "call +44 20 ",
      "7946 0958 today.",
    ];
    const r = await h.chat(req("hi", { stream: true }), { answer: stream(pieces) });
    const out = r.chunks!.map((c) => c.choices[0]?.delta.content ?? "");
    const expected = redact(
      pieces.join(""),
      redactionRules(["email", "phone"], []),
      "[REDACTED:{name}]",
    );
    expect(out.join("")).toBe(expected);
    expect(expected).toBe("Please contact [REDACTED:email] now, or call [REDACTED:phone] today.");
    for (const piece of out) {
      expect(piece).not.toMatch(/jo$|hn@|@exam|7946/);
      // Words are never split: every piece but the last ends at a space.
      if (piece !== out.at(-1) && piece !== "") expect(piece).toMatch(/\s$/);
    }
  });

  it("sends everything held back with the finish chunk, losing nothing", async () => {
    const h = await pluginHarness(guardrails);
    const words = Array.from({ length: 60 }, (_, i) => `word${i}`);
    const pieces = words.map((w) => `${w} `);
    const r = await h.chat(req("hi", { stream: true }), { answer: stream(pieces) });
    expect(text(r.chunks!)).toBe(pieces.join(""));
    expect(
      r.chunks!.at(-1)?.choices[0]?.finish_reason ??
        r.chunks!.find((c) => c.choices[0]?.finish_reason)?.choices[0]?.finish_reason,
    ).toBe("stop");
  });

  it("ends a streamed answer at an output deny match with finish_reason content_filter", async () => {
    const h = await pluginHarness(guardrails, {
      config: {
        deny: [{ name: "codename", pattern: "project\\s+bluebird", applies_to: "output" }],
      },
    });
    const r = await h.chat(req("hi", { stream: true }), {
      answer: stream(["The plan is project ", "bluebird and ", "more secrets"]),
    });
    expect(text(r.chunks!)).toBe("The plan is ");
    expect(r.chunks!.some((c) => c.choices[0]?.finish_reason === "content_filter")).toBe(true);
    const plain = await h.chat(req("hi"), {
      answer: textResponse("The plan is project bluebird."),
    });
    expect(plain.response?.choices[0]).toMatchObject({
      message: { content: "The plan is " },
      finish_reason: "content_filter",
    });
  });
});
