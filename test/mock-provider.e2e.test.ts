/**
 * The built-in `mock` provider, in-process, through the official SDK: the offline quick start.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import OpenAI from "openai";
import { startGateway, type TestGateway } from "./helpers/gateway.ts";

let gw: TestGateway;
let client: OpenAI;
const hi = [{ role: "user" as const, content: "hi there" }];

beforeAll(async () => {
  gw = await startGateway({
    providers: {
      mock: { type: "mock", models: ["echo"] },
      sleepy: { type: "mock", timeout_ms: 100, mock: { latency_ms: 400 } },
      drip: { type: "mock", timeout_ms: 150, mock: { chunk_delay_ms: 60 } },
    },
    models: { default: "mock/echo" },
  });
  client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "none", maxRetries: 0 });
});

afterAll(() => gw.stop());

describe("the built-in mock provider", () => {
  it("answers deterministically without a key or a network", async () => {
    const a = await client.chat.completions.create({ model: "default", messages: hi });
    const b = await client.chat.completions.create({ model: "mock/echo", messages: hi });
    expect(a.choices[0]!.message.content).toBe("This is the Switchyard mock. You said: hi there");
    expect(b.choices[0]!.message.content).toBe(a.choices[0]!.message.content);
    expect(b.usage).toEqual(a.usage!);
  });

  it("streams the same text it answers plainly", async () => {
    const stream = await client.chat.completions.create({
      model: "mock/echo",
      messages: hi,
      stream: true,
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe("This is the Switchyard mock. You said: hi there");
  });

  it("calls the tool it is given", async () => {
    const res = await client.chat.completions.create({
      model: "mock/echo",
      messages: hi,
      tools: [
        {
          type: "function",
          function: {
            name: "lookup",
            parameters: { type: "object", properties: { q: { type: "string" } } },
          },
        },
      ],
    });
    const call = res.choices[0]!.message.tool_calls![0]!;
    if (call.type !== "function") throw new Error("expected a function call");
    expect(call.function.name).toBe("lookup");
    expect(JSON.parse(call.function.arguments)).toEqual({ q: "mock" });
  });

  it("rehearses upstream failures by model name", async () => {
    const err = await client.chat.completions
      .create({ model: "mock/fail-503", messages: hi })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
  });

  it("waits latency_ms before answering, so a shorter timeout_ms gives a 504", async () => {
    const err = await client.chat.completions
      .create({ model: "sleepy/echo", messages: hi })
      .catch((e: unknown) => e);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(504);
    expect(gw.gateway.engine.poolStats().find((p) => p.provider === "sleepy")!.inFlight).toBe(0);
  });

  it("waits chunk_delay_ms between chunks, so a stream longer than timeout_ms ends in an error event", async () => {
    const stream = await client.chat.completions.create({
      model: "drip/echo",
      messages: hi,
      stream: true,
    });
    let text = "";
    const err = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect(text.length).toBeGreaterThan(0);
    expect(text).not.toBe("This is the Switchyard mock. You said: hi there");
  });

  it("lists its models and the alias", async () => {
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toEqual(["mock/echo", "default"]);
  });
});
