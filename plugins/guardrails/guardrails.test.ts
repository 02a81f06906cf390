import { describe, expect, it } from "bun:test";
import type { ChatChunk, ChatRequest } from "../../src/plugins/index.ts";
import { pluginHarness, textResponse } from "../../src/plugins/testing.ts";
import guardrails from "./index.ts";
import { redact, redactionRules, spans } from "./rules.ts";

const req = (
  content: ChatRequest["messages"][number]["content"],
  extra: Partial<ChatRequest> = {},
): ChatRequest => ({ model: "mock/echo", messages: [{ role: "user", content }], ...extra });

const streamReq = (content = "hi") => req(content, { stream: true });

const chunk = (delta: ChatChunk["choices"][number]["delta"], finish: "stop" | null = null) => ({
  id: "chatcmpl-1",
  object: "chat.completion.chunk" as const,
  created: 0,
  model: "echo",
  choices: [{ index: 0, delta, finish_reason: finish }],
});

/** A streamed answer: a role chunk, one chunk per piece, and a finish chunk. */
const stream = (pieces: string[]): ChatChunk[] => [
  chunk({ role: "assistant", content: "" }),
  ...pieces.map((content) => chunk({ content })),
  chunk({}, "stop"),
];

const contents = (chunks: ChatChunk[]) => chunks.map((c) => c.choices[0]?.delta.content ?? "");
const joined = (chunks: ChatChunk[]) => contents(chunks).join("");
const expected = (text: string) => {
  const rules = redactionRules(["api_key", "email", "iban", "credit_card", "phone"], []);
  return redact(text, spans(text, rules), "[REDACTED:{name}]");
};

describe("guardrails on requests", () => {
  it("redacts prompts before the provider, in text parts and in a native Anthropic body it keeps", async () => {
    const h = await pluginHarness(guardrails);
    const native = {
      dialect: "anthropic" as const,
      body: {
        model: "mock/echo",
        system: "Agent key: sk-ant-api03-abcdefghijklmnop",
        messages: [{ role: "user", content: [{ type: "text", text: "I am bob@example.com" }] }],
        top_k: 3,
      },
      unmapped: ["top_k"],
    };
    const r = await h.chat(
      {
        model: "mock/echo",
        messages: [
          { role: "system", content: "Agent key: sk-ant-api03-abcdefghijklmnop" },
          { role: "user", content: [{ type: "text", text: "I am bob@example.com" }] },
        ],
        native,
      },
      { dialect: "anthropic" },
    );
    const sent = r.upstreamRequest!;
    expect(sent.messages[0]?.content).toBe("Agent key: [REDACTED:api_key]");
    expect(sent.messages[1]?.content).toEqual([{ type: "text", text: "I am [REDACTED:email]" }]);
    expect(sent.native?.body).toEqual({
      ...native.body,
      system: "Agent key: [REDACTED:api_key]",
      messages: [{ role: "user", content: [{ type: "text", text: "I am [REDACTED:email]" }] }],
    });
    const metrics = await h.metrics();
    // Counted once, though the text is in the canonical request and the native body.
    expect(metrics).toContain(
      'switchyard_guardrails_total{rule="email",action="redact",direction="input"} 1',
    );
    expect(metrics).toContain(
      'switchyard_guardrails_total{rule="api_key",action="redact",direction="input"} 1',
    );
  });

  it("leaves tool-call arguments alone", async () => {
    const h = await pluginHarness(guardrails);
    const call = {
      id: "call_1",
      type: "function" as const,
      function: { name: "send", arguments: '{"to":"bob@example.com"}' },
    };
    const r = await h.chat({
      model: "mock/echo",
      messages: [
        { role: "user", content: "mail bob@example.com" },
        { role: "assistant", content: null, tool_calls: [call] },
      ],
    });
    expect(r.upstreamRequest?.messages[0]?.content).toBe("mail [REDACTED:email]");
    expect(r.upstreamRequest?.messages[1]?.tool_calls).toEqual([call]);
  });

  it("blocks a request matching a deny rule with a 400 naming the rule, without calling the provider", async () => {
    const h = await pluginHarness(guardrails, {
      config: {
        deny: [{ name: "no-drop-table", pattern: "drop\\s+table", flags: "i", message: "No SQL." }],
      },
    });
    const r = await h.chat(req([{ type: "text", text: "please DROP  TABLE users" }]));
    expect(r.status).toBe(400);
    expect(r.error?.message).toBe("Request blocked by guardrail rule 'no-drop-table': No SQL.");
    expect(r.upstreamRequest).toBeUndefined();
    expect(await h.metrics()).toContain(
      'switchyard_guardrails_total{rule="no-drop-table",action="deny",direction="input"} 1',
    );
  });

  it("lets a request through when only output deny rules match it", async () => {
    const h = await pluginHarness(guardrails, {
      config: { deny: [{ name: "codename", pattern: "bluebird", applies_to: "output" }] },
    });
    const r = await h.chat(req("tell me about bluebird"));
    expect(r.status).toBe(200);
    expect(r.upstreamRequest?.messages[0]?.content).toBe("tell me about bluebird");
  });

  it("applies custom patterns with their flags and the configured replacement", async () => {
    const h = await pluginHarness(guardrails, {
      config: {
        redact: {
          builtins: [],
          custom: [{ name: "ticket", pattern: "tck-\\d+", flags: "i" }],
          replacement: "<{name}>",
        },
      },
    });
    const r = await h.chat(req("see TCK-1234, tck-5 and bob@example.com"));
    expect(r.upstreamRequest?.messages[0]?.content).toBe(
      "see <ticket>, <ticket> and bob@example.com",
    );
  });

  it("sends prompts unchanged when input redaction is off", async () => {
    const h = await pluginHarness(guardrails, { config: { redact: { input: false } } });
    const r = await h.chat(req("I am bob@example.com"));
    expect(r.upstreamRequest?.messages[0]?.content).toBe("I am bob@example.com");
  });

  it("stops start-up on a bad pattern, naming the rule", async () => {
    await expect(
      pluginHarness(guardrails, {
        config: { redact: { custom: [{ name: "broken", pattern: "(" }] } },
      }),
    ).rejects.toThrow("redact rule 'broken' has an invalid pattern");
    await expect(
      pluginHarness(guardrails, { config: { deny: [{ name: "bad-deny", pattern: "[a-" }] } }),
    ).rejects.toThrow("deny rule 'bad-deny' has an invalid pattern");
  });
});

describe("guardrails on plain answers", () => {
  it("redacts what the model says", async () => {
    const h = await pluginHarness(guardrails);
    const r = await h.chat(req("hi"), {
      answer: textResponse("card 4111 1111 1111 1111, key sk-proj-abcdefghijklmnopqrstuvwx."),
    });
    expect(r.response?.choices[0]?.message.content).toBe(
      "card [REDACTED:credit_card], key [REDACTED:api_key].",
    );
    expect(await h.metrics()).toContain(
      'switchyard_guardrails_total{rule="credit_card",action="redact",direction="output"} 1',
    );
  });

  it("answers 400 naming the rule when an output deny rule matches", async () => {
    const h = await pluginHarness(guardrails, {
      config: { deny: [{ name: "codename", pattern: "project\\s+bluebird", applies_to: "both" }] },
    });
    const r = await h.chat(req("hi"), { answer: textResponse("The plan is project bluebird.") });
    expect(r.status).toBe(400);
    expect(r.error?.message).toContain("Response blocked by guardrail rule 'codename'");
    expect(r.error?.message).not.toContain("bluebird");
  });

  it("sends answers unchanged when output redaction is off", async () => {
    const h = await pluginHarness(guardrails, { config: { redact: { output: false } } });
    const r = await h.chat(req("hi"), { answer: textResponse("mail bob@example.com") });
    expect(r.response?.choices[0]?.message.content).toBe("mail bob@example.com");
  });
});

describe("guardrails on streamed answers", () => {
  it("redacts an email split across chunks, never sending part of it or part of a word", async () => {
    const h = await pluginHarness(guardrails);
    const pieces = [
      "Please contact jo",
      "hn@exam",
      "ple.com now",
      ", or call +44 20 ",
      "7946 0958.",
    ];
    const r = await h.chat(streamReq(), { answer: stream(pieces) });
    const out = contents(r.chunks!);
    expect(out.join("")).toBe("Please contact [REDACTED:email] now, or call [REDACTED:phone].");
    expect(out.join("")).toBe(expected(pieces.join("")));
    const sent = out.filter((piece) => piece !== "");
    for (const [i, piece] of sent.entries()) {
      expect(piece).not.toMatch(/jo$|hn@|exam|ple\.com|7946/);
      if (i < sent.length - 1) expect(piece).toMatch(/\s$/); // cut after whitespace only
    }
  });

  it("sends text before the end once enough has arrived, cut between words", async () => {
    const h = await pluginHarness(guardrails);
    const pieces = Array.from({ length: 40 }, (_, i) => `word${i} `);
    const r = await h.chat(streamReq(), { answer: stream(pieces) });
    const out = contents(r.chunks!);
    expect(out.join("")).toBe(pieces.join(""));
    const sentEarly = r.chunks!.filter((c) => !c.choices[0]?.finish_reason && contents([c])[0]);
    expect(sentEarly.length).toBeGreaterThan(10);
    for (const c of sentEarly) expect(contents([c])[0]).toMatch(/^(word\d+ )+$/);
  });

  it("loses nothing at the end: held text goes out with the finish chunk", async () => {
    const h = await pluginHarness(guardrails);
    const r = await h.chat(streamReq(), {
      answer: stream(["Short ", "answer for bob@", "ex.org"]),
    });
    expect(joined(r.chunks!)).toBe("Short answer for [REDACTED:email]");
    const last = r.chunks!.at(-1)!;
    expect(last.choices[0]).toMatchObject({
      delta: { content: "Short answer for [REDACTED:email]" },
      finish_reason: "stop",
    });
  });

  it("redacts the same as a plain answer, however the text is split", async () => {
    const h = await pluginHarness(guardrails);
    const text =
      "Hi! Reach me at jane.doe@example.com or +44 20 7946 0958. Card 4111 1111 1111 1111 " +
      "and IBAN GB82 WEST 1234 5698 7654 32 with key sk-proj-abcdefghijklmnopqrstuvwx; " +
      "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9P. ".repeat(
        2,
      );
    let seed = 7;
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647) * 9;
    for (let round = 0; round < 20; round++) {
      const pieces: string[] = [];
      for (let at = 0; at < text.length;) {
        const size = 1 + Math.floor(random());
        pieces.push(text.slice(at, at + size));
        at += size;
      }
      const r = await h.chat(streamReq(), { answer: stream(pieces) });
      expect(joined(r.chunks!)).toBe(expected(text));
    }
  });

  it("releases long text without whitespace before the end, never inside a secret", async () => {
    const h = await pluginHarness(guardrails);
    const pieces = [..."字".repeat(700).match(/.{1,10}/gsu)!, "sk-abcdefghijklmnopqrstuvwxyz"];
    const r = await h.chat(streamReq(), { answer: stream(pieces) });
    const early = r.chunks!.filter((c) => !c.choices[0]?.finish_reason && contents([c])[0]);
    expect(early.length).toBeGreaterThan(0);
    expect(joined(r.chunks!)).toBe(`${"字".repeat(700)}[REDACTED:api_key]`);
  });

  it("keeps role and tool-call chunks, and drops chunks left empty", async () => {
    const h = await pluginHarness(guardrails);
    const toolCall = chunk({
      tool_calls: [{ index: 0, id: "c1", function: { name: "f", arguments: '{"a":1}' } }],
    });
    const r = await h.chat(streamReq(), {
      answer: [...stream(["one ", "two "]).slice(0, -1), toolCall, chunk({}, "stop")],
    });
    expect(r.chunks![0]?.choices[0]?.delta.role).toBe("assistant");
    expect(r.chunks!.some((c) => c.choices[0]?.delta.tool_calls?.[0]?.id === "c1")).toBe(true);
    expect(r.chunks!.some((c) => contents([c])[0] === "one ")).toBe(false); // held, not sent alone
    expect(joined(r.chunks!)).toBe("one two ");
  });

  it("counts what it redacts in streams", async () => {
    const h = await pluginHarness(guardrails);
    await h.chat(streamReq(), { answer: stream(["mail bob", "@example.com ", "now"]) });
    expect(await h.metrics()).toContain(
      'switchyard_guardrails_total{rule="email",action="redact",direction="output"} 1',
    );
  });

  it("ends a streamed answer before an output deny match with finish_reason content_filter", async () => {
    const h = await pluginHarness(guardrails, {
      config: {
        redact: { output: false },
        deny: [{ name: "codename", pattern: "project\\s+bluebird", applies_to: "output" }],
      },
    });
    const r = await h.chat(streamReq(), {
      answer: stream(["The plan is proj", "ect ", "blue", "bird and ", "more secrets"]),
    });
    expect(joined(r.chunks!)).toBe("The plan is ");
    const finishes = r.chunks!.map((c) => c.choices[0]?.finish_reason).filter(Boolean);
    expect(finishes).toEqual(["content_filter"]);
    expect(await h.metrics()).toContain(
      'switchyard_guardrails_total{rule="codename",action="deny",direction="output"} 1',
    );
  });
});
