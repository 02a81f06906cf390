/**
 * The official `openai` SDK, pointed at the gateway, against the project's mock OpenAI upstream
 * over real sockets: everything a service that only changed its base URL would do.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import OpenAI from "openai";
import type { ChatCompletionCreateParamsNonStreaming } from "openai/resources/chat/completions";
import { mockEmbedding } from "../src/providers/mock/index.ts";
import { startGateway, type TestGateway } from "./helpers/gateway.ts";
import { startMockUpstream, type MockUpstream } from "./helpers/mock-upstream.ts";

const KEY_A = "sk-upstream-key-aaaaaaaaaaaa";
const KEY_B = "sk-upstream-key-bbbbbbbbbbbb";

let upstream: MockUpstream;
let gw: TestGateway;
let client: OpenAI;

const weatherTool = {
  type: "function" as const,
  function: {
    name: "get_weather",
    description: "Current weather for a city",
    parameters: {
      type: "object",
      properties: {
        city: { type: "string" },
        unit: { type: "string", enum: ["celsius", "fahrenheit"] },
      },
      required: ["city"],
    },
  },
};

function lastSeenBody(): Record<string, unknown> {
  return upstream.seen[upstream.seen.length - 1]!.body as Record<string, unknown>;
}

beforeAll(async () => {
  upstream = startMockUpstream({ apiKeys: [KEY_A, KEY_B], models: ["gpt-4o-mini"] });
  gw = await startGateway(
    {
      providers: {
        openai: {
          base_url: upstream.url,
          keys: [
            { value: "env.TEST_KEY_A", models: ["gpt-4o*"] },
            { value: KEY_B, models: ["text-embedding-*"] },
          ],
          models: ["gpt-4o-mini"],
        },
      },
      models: { fast: "openai/gpt-4o-mini" },
    },
    { TEST_KEY_A: KEY_A },
  );
  client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "client-key", maxRetries: 0 });
});

afterAll(async () => {
  await gw.stop();
  await upstream.stop();
});

describe("chat completions through the gateway", () => {
  it("answers a plain request with the upstream's reply, usage and routing headers", async () => {
    const { data, response } = await client.chat.completions
      .create({
        model: "openai/gpt-4o-mini",
        messages: [{ role: "user", content: "Hello gateway" }],
      })
      .withResponse();
    expect(data.choices[0]!.message.content).toBe(
      "This is the Switchyard mock. You said: Hello gateway",
    );
    expect(data.choices[0]!.finish_reason).toBe("stop");
    expect(data.usage!.total_tokens).toBe(
      data.usage!.prompt_tokens + data.usage!.completion_tokens,
    );
    expect(response.headers.get("x-switchyard-provider")).toBe("openai");
    expect(response.headers.get("x-switchyard-model")).toBe("gpt-4o-mini");
    expect(response.headers.get("x-switchyard-tokens-in")).toBe(String(data.usage!.prompt_tokens));
    expect(response.headers.get("x-switchyard-tokens-out")).toBe(
      String(data.usage!.completion_tokens),
    );
    expect(Number(response.headers.get("x-switchyard-latency-ms"))).toBeGreaterThan(0);
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("sends the upstream model name and the provider key, never the caller's key", async () => {
    await client.chat.completions.create({
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: "x" }],
    });
    const seen = upstream.seen[upstream.seen.length - 1]!;
    expect((seen.body as { model: string }).model).toBe("gpt-4o-mini");
    expect(seen.headers.get("authorization")).toBe(`Bearer ${KEY_A}`);
  });

  it("reuses one upstream connection for sequential requests", async () => {
    const from = upstream.clientPorts.length;
    for (let i = 0; i < 5; i++) {
      await client.chat.completions.create({
        model: "openai/gpt-4o-mini",
        messages: [{ role: "user", content: `n${i}` }],
      });
    }
    const ports = new Set(upstream.clientPorts.slice(from));
    expect(upstream.clientPorts.length - from).toBe(5);
    expect(ports.size).toBe(1);
  });

  it("echoes the caller's x-request-id", async () => {
    const { response } = await client.chat.completions
      .create(
        { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "x" }] },
        { headers: { "x-request-id": "trace-123" } },
      )
      .withResponse();
    expect(response.headers.get("x-request-id")).toBe("trace-123");
  });

  it("routes an alias from the config", async () => {
    const { data, response } = await client.chat.completions
      .create({ model: "fast", messages: [{ role: "user", content: "via alias" }] })
      .withResponse();
    expect(data.choices[0]!.message.content).toContain("via alias");
    expect(response.headers.get("x-switchyard-model")).toBe("gpt-4o-mini");
  });

  it("serves the same API under /openai/v1", async () => {
    const other = new OpenAI({ baseURL: `${gw.url}/openai/v1`, apiKey: "k", maxRetries: 0 });
    const res = await other.chat.completions.create({
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: "prefixed" }],
    });
    expect(res.choices[0]!.message.content).toContain("prefixed");
  });

  it("streams chunk by chunk and ends with usage when include_usage is set", async () => {
    const stream = await client.chat.completions.create({
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: "stream please" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let chunks = 0;
    let usage: OpenAI.CompletionUsage | undefined | null;
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe("This is the Switchyard mock. You said: stream please");
    expect(chunks).toBeGreaterThan(5);
    expect(finish).toBe("stop");
    expect(usage!.completion_tokens).toBeGreaterThan(0);
    expect(usage!.total_tokens).toBe(usage!.prompt_tokens + usage!.completion_tokens);
  });

  it("does not send a usage chunk the client did not ask for, while still counting tokens", async () => {
    const stream = await client.chat.completions.create({
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: "no usage" }],
      stream: true,
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((c) => c.choices.length === 1)).toBe(true);
    expect(chunks.some((c) => c.usage)).toBe(false);
    expect((lastSeenBody().stream_options as { include_usage: boolean }).include_usage).toBe(true);
  });

  it("returns a tool call with arguments that follow the tool's schema", async () => {
    const res = await client.chat.completions.create({
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: "Weather in Paris?" }],
      tools: [weatherTool],
    });
    const call = res.choices[0]!.message.tool_calls![0]!;
    expect(res.choices[0]!.finish_reason).toBe("tool_calls");
    expect(call.type).toBe("function");
    if (call.type !== "function") throw new Error("expected a function call");
    expect(call.function.name).toBe("get_weather");
    expect(JSON.parse(call.function.arguments)).toEqual({ city: "mock", unit: "celsius" });
    expect((lastSeenBody().tools as unknown[]).length).toBe(1);
  });

  it("streams a tool call whose argument fragments reassemble", async () => {
    const runner = client.chat.completions.stream({
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: "Weather in Paris?" }],
      tools: [weatherTool],
    });
    const final = await runner.finalChatCompletion();
    const call = final.choices[0]!.message.tool_calls![0]!;
    if (call.type !== "function") throw new Error("expected a function call");
    expect(call.function.name).toBe("get_weather");
    expect(JSON.parse(call.function.arguments)).toEqual({ city: "mock", unit: "celsius" });
    expect(final.choices[0]!.finish_reason).toBe("tool_calls");
  });

  it("carries a tool result back to the model", async () => {
    const res = await client.chat.completions.create({
      model: "openai/gpt-4o-mini",
      tools: [weatherTool],
      messages: [
        { role: "user", content: "Weather in Paris?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            {
              id: "call_1",
              type: "function",
              function: { name: "get_weather", arguments: '{"city":"Paris"}' },
            },
          ],
        },
        { role: "tool", tool_call_id: "call_1", content: "18C and sunny" },
      ],
    });
    expect(res.choices[0]!.message.content).toBe("The tool returned: 18C and sunny");
    const sent = lastSeenBody().messages as { role: string; tool_call_id?: string }[];
    expect(sent[2]).toMatchObject({ role: "tool", tool_call_id: "call_1" });
  });

  it("passes images as content parts through to the upstream", async () => {
    const image =
      "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
    const res = await client.chat.completions.create({
      model: "openai/gpt-4o-mini",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is this?" },
            { type: "image_url", image_url: { url: image, detail: "low" } },
          ],
        },
      ],
    });
    expect(res.choices[0]!.message.content).toBe(
      "This is the Switchyard mock. You said: What is this? (with 1 image)",
    );
    const sent = (lastSeenBody().messages as { content: unknown }[])[0]!.content;
    expect(sent).toEqual([
      { type: "text", text: "What is this?" },
      { type: "image_url", image_url: { url: image, detail: "low" } },
    ]);
  });

  it("honours response_format with a JSON schema", async () => {
    const res = await client.chat.completions.create({
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: "give me json" }],
      response_format: {
        type: "json_schema",
        json_schema: {
          name: "answer",
          schema: {
            type: "object",
            properties: { ok: { type: "boolean" }, n: { type: "integer" } },
          },
        },
      },
    });
    expect(JSON.parse(res.choices[0]!.message.content!)).toEqual({ ok: true, n: 1 });
    expect((lastSeenBody().response_format as { type: string }).type).toBe("json_schema");
  });

  it("passes fields it does not model through to the upstream untouched", async () => {
    const params = {
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: "extras" }],
      metadata: { team: "search" },
      service_tier: "flex",
      logit_bias: { "50256": -100 },
      custom_vendor_flag: { nested: [1, 2, 3] },
    } as unknown as ChatCompletionCreateParamsNonStreaming;
    await client.chat.completions.create(params);
    const body = lastSeenBody();
    expect(body.metadata).toEqual({ team: "search" });
    expect(body.service_tier).toBe("flex");
    expect(body.logit_bias).toEqual({ "50256": -100 });
    expect(body.custom_vendor_flag).toEqual({ nested: [1, 2, 3] });
  });
});

describe("embeddings and models", () => {
  it("returns embeddings the SDK decodes from base64, with the key the globs choose", async () => {
    const res = await client.embeddings.create({
      model: "openai/text-embedding-3-small",
      input: ["alpha", "beta"],
    });
    expect(res.data).toHaveLength(2);
    expect(res.data[0]!.embedding).toHaveLength(8);
    expect(res.data[0]!.embedding[0]).toBeCloseTo(mockEmbedding("alpha", 8)[0]!, 6);
    expect(res.data[1]!.embedding[3]).toBeCloseTo(mockEmbedding("beta", 8)[3]!, 6);
    const seen = upstream.seen[upstream.seen.length - 1]!;
    expect(seen.path).toBe("/embeddings");
    expect(seen.headers.get("authorization")).toBe(`Bearer ${KEY_B}`);
  });

  it("returns float embeddings with the requested dimensions", async () => {
    const res = await client.embeddings.create({
      model: "openai/text-embedding-3-small",
      input: "gamma",
      encoding_format: "float",
      dimensions: 16,
    });
    expect(res.data[0]!.embedding).toHaveLength(16);
    expect(res.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it("lists configured models and aliases", async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(["openai/gpt-4o-mini", "fast"]);
  });
});

describe("what the gateway exposes about itself", () => {
  it("reports requests, tokens and pool gauges in Prometheus text", async () => {
    await client.chat.completions.create({
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: "count me" }],
    });
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    expect(text).toMatch(
      /switchyard_requests_total\{dialect="openai",provider="openai",model="gpt-4o-mini",status="200"\} \d+/,
    );
    expect(text).toMatch(
      /switchyard_tokens_total\{provider="openai",model="gpt-4o-mini",direction="output"\} \d+/,
    );
    expect(text).toMatch(/switchyard_request_duration_seconds_bucket\{.*provider="openai"/);
    expect(text).toMatch(
      /switchyard_stream_ttfb_seconds_count\{provider="openai",model="gpt-4o-mini"\} [1-9]/,
    );
    expect(text).toContain('switchyard_pool_in_flight{provider="openai"} 0');
    expect(text).toContain('switchyard_pool_queue_depth{provider="openai"} 0');
  });

  it("never puts a provider key in metrics or logs", async () => {
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    const logs = gw.logs.join("\n");
    for (const key of [KEY_A, KEY_B]) {
      expect(text).not.toContain(key);
      expect(logs).not.toContain(key);
    }
    expect(gw.logs.length).toBeGreaterThan(0);
  });

  it("answers /health with per-provider pool state", async () => {
    const res = await fetch(`${gw.url}/health`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      status: string;
      pools: { provider: string; concurrency: number }[];
    };
    expect(body.status).toBe("ok");
    expect(body.pools).toEqual([
      expect.objectContaining({ provider: "openai", concurrency: 256, inFlight: 0 }),
    ]);
  });

  it("publishes an OpenAPI document describing the chat request schema", async () => {
    const spec = (await (await fetch(`${gw.url}/docs/json`)).json()) as {
      paths: Record<
        string,
        {
          post?: {
            requestBody?: {
              content: Record<string, { schema: { properties: Record<string, unknown> } }>;
            };
          };
        }
      >;
    };
    const post = spec.paths["/v1/chat/completions"]!.post!;
    const schema = Object.values(post.requestBody!.content)[0]!.schema;
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(["model", "messages", "stream", "tools"]),
    );
    expect(spec.paths["/openai/v1/embeddings"]).toBeDefined();
    const ui = await fetch(`${gw.url}/docs`);
    expect(ui.status).toBe(200);
    expect(ui.headers.get("content-type")).toContain("text/html");
  });
});
