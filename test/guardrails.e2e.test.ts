/**
 * Guardrails through the real gateway over a socket, with the official Anthropic SDK. The
 * built-in mock echoes the last user message ("This is the Switchyard mock. You said: …"), so
 * with input redaction off the secrets reach the model and must be redacted on the way back
 * (plain and streamed); with it on, the model never sees them. Deny rules answer 400.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import { startGateway, type TestGateway } from "./helpers/gateway.ts";

const PROMPT = "Reply to jane.doe@example.com about card 4111 1111 1111 1111 today";
const REDACTED = "Reply to [REDACTED:email] about card [REDACTED:credit_card] today";

const guarded = (redact: Record<string, unknown>) => ({
  providers: { mock: { type: "mock", models: ["echo"], mock: { chunk_delay_ms: 1 } } },
  plugins: [
    {
      name: "guardrails",
      config: {
        redact,
        deny: [
          { name: "no-passwords", pattern: "password\\s*[:=]", flags: "i" },
          { name: "codename", pattern: "project\\s+bluebird", applies_to: "output" },
        ],
      },
    },
  ],
});

let outputOnly: TestGateway;
let both: TestGateway;

beforeAll(async () => {
  outputOnly = await startGateway(guarded({ input: false }));
  both = await startGateway(guarded({}));
});
afterAll(async () => {
  await outputOnly.stop();
  await both.stop();
});

const client = (g: TestGateway) => new Anthropic({ baseURL: g.url, apiKey: "k", maxRetries: 0 });
const params = (content: string) => ({
  model: "mock/echo",
  max_tokens: 200,
  messages: [{ role: "user" as const, content }],
});
const textOf = (m: Anthropic.Message) =>
  m.content.map((b) => (b.type === "text" ? b.text : "")).join("");

async function streamed(g: TestGateway, content: string) {
  const stream = client(g).messages.stream(params(content));
  const events: string[] = [];
  stream.on("text", (t) => events.push(t));
  const final = await stream.finalMessage();
  return { events, text: events.join(""), final };
}

describe("guardrails with the Anthropic SDK", () => {
  it("redacts what the model says in a plain answer", async () => {
    const message = await client(outputOnly).messages.create(params(PROMPT));
    expect(textOf(message)).toBe(`This is the Switchyard mock. You said: ${REDACTED}`);
  });

  it("redacts what the model says in a streamed answer, never sending part of a secret", async () => {
    const { events, text, final } = await streamed(outputOnly, PROMPT);
    expect(text).toBe(`This is the Switchyard mock. You said: ${REDACTED}`);
    expect(textOf(final)).toBe(text);
    expect(final.stop_reason).toBe("end_turn");
    expect(events.length).toBeGreaterThan(1);
    for (const e of events) expect(e).not.toMatch(/jane|example\.com|4111/);
  });

  it("redacts the prompt before the provider sees it", async () => {
    const message = await client(both).messages.create(params(PROMPT));
    expect(textOf(message)).toBe(`This is the Switchyard mock. You said: ${REDACTED}`);
  });

  it("answers a denied prompt with a 400 naming the rule, plain or streamed", async () => {
    for (const call of [
      () => client(both).messages.create(params("my password: hunter2")),
      () => streamed(both, "my password: hunter2"),
    ]) {
      const err = await call().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Anthropic.BadRequestError);
      const { status, message } = err as InstanceType<typeof Anthropic.BadRequestError>;
      expect(status).toBe(400);
      expect(message).toContain("guardrail rule 'no-passwords'");
      expect(message).not.toContain("hunter2");
    }
  });

  it("answers 400 naming the rule when a plain answer matches an output deny rule", async () => {
    const err = await client(both)
      .messages.create(params("Tell them about project bluebird"))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect((err as Error).message).toContain("Response blocked by guardrail rule 'codename'");
    expect((err as Error).message).not.toContain("bluebird");
  });

  it("ends a streamed answer before an output deny match, with stop_reason refusal", async () => {
    const { text, final } = await streamed(both, "Tell them about project bluebird and more");
    expect(text).toBe("This is the Switchyard mock. You said: Tell them about ");
    expect(final.stop_reason).toBe("refusal");
  });
});
