/**
 * Guardrails through the real gateway, with the official Anthropic SDK: the built-in mock echoes
 * the prompt, so with input redaction off the email reaches the model and must be redacted on the
 * way back (plain and streamed); with it on, the model never sees it; deny rules answer 400.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import { startGateway, type TestGateway } from "./helpers/gateway.ts";

const PROMPT = "Reply to jane.doe@example.com about card 4111 1111 1111 1111 today";
let outputOnly: TestGateway;
let both: TestGateway;

const guarded = (redact: Record<string, unknown>) => ({
  providers: { mock: { type: "mock", models: ["echo"], mock: { chunk_delay_ms: 1 } } },
  plugins: [
    {
      name: "guardrails",
      config: { redact, deny: [{ name: "no-passwords", pattern: "password\\s*[:=]", flags: "i" }] },
    },
  ],
});

beforeAll(async () => {
  outputOnly = await startGateway(guarded({ input: false }));
  both = await startGateway(guarded({}));
});
afterAll(async () => {
  await outputOnly.stop();
  await both.stop();
});

const client = (g: TestGateway) => new Anthropic({ baseURL: g.url, apiKey: "k", maxRetries: 0 });
const params = {
  model: "mock/echo",
  max_tokens: 200,
  messages: [{ role: "user" as const, content: PROMPT }],
};
const textOf = (m: Anthropic.Message) =>
  m.content.map((b) => (b.type === "text" ? b.text : "")).join("");

describe("guardrails with the Anthropic SDK", () => {
  it("redacts what the model says, in a plain and in a streamed answer", async () => {
    const plain = textOf(await client(outputOnly).messages.create(params));
    expect(plain).toContain("Reply to [REDACTED:email] about card [REDACTED:credit_card] today");
    const stream = client(outputOnly).messages.stream(params);
    let streamed = "";
    stream.on("text", (t) => (streamed += t));
    const final = await stream.finalMessage();
    expect(streamed).toBe(plain);
    expect(textOf(final)).toBe(plain);
    expect(streamed).not.toContain("jane.doe");
    expect(streamed).not.toContain("4111");
  });

  it("redacts the prompt before the provider sees it", async () => {
    const echoed = textOf(await client(both).messages.create(params));
    expect(echoed).toContain(
      "You said: Reply to [REDACTED:email] about card [REDACTED:credit_card] today",
    );
  });

  it("answers a denied prompt with a 400 naming the rule", async () => {
    const err = await client(both)
      .messages.create({ ...params, messages: [{ role: "user", content: "my password: hunter2" }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect((err as Error).message).toContain("no-passwords");
    expect((err as Error).message).not.toContain("hunter2");
  });
});
