/**
 * Provider pools on Bun worker threads (`pool.workers`): the same answers as in process, streams
 * with backpressure, a crashed worker failing its requests at once with a 502 and being replaced,
 * and the `on_full: "wait"` queue policy.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import OpenAI from "openai";
import { startGateway, type TestGateway } from "./helpers/gateway.ts";
import { startMockUpstream, type MockUpstream } from "./helpers/mock-upstream.ts";

let up: MockUpstream;
let gw: TestGateway;
let client: OpenAI;

async function health() {
  return (await (await fetch(`${gw.url}/health`)).json()) as {
    in_flight: number;
    pools: { provider: string; workers: number; inFlight: number; queued: number }[];
  };
}

beforeAll(async () => {
  up = startMockUpstream({ chunkDelayMs: 5 });
  gw = await startGateway({
    providers: {
      threaded: {
        type: "openai",
        base_url: up.url,
        pool: { workers: 2 },
        retry: { max_attempts: 1 },
      },
      waiting: {
        type: "openai",
        base_url: up.url,
        pool: { workers: 1, concurrency: 1, queue_size: 0, on_full: "wait" },
      },
      refusing: {
        type: "openai",
        base_url: up.url,
        pool: { workers: 1, concurrency: 1, queue_size: 0 },
        retry: { max_attempts: 1 },
      },
    },
  });
  client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "caller", maxRetries: 0 });
});

afterAll(async () => {
  await gw.gateway.shutdown();
  await up.stop();
});

describe("worker-thread pools", () => {
  it("answer plain and streamed requests as the in-process pool does", async () => {
    const plain = await client.chat.completions.create({
      model: "threaded/gpt",
      messages: [{ role: "user", content: "over a thread" }],
    });
    expect(plain.choices[0]!.message.content).toContain("over a thread");
    const stream = await client.chat.completions.create({
      model: "threaded/gpt",
      messages: [{ role: "user", content: "streamed over a thread" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let usage = 0;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      usage += chunk.usage?.total_tokens ?? 0;
    }
    expect(text).toBe("This is the Switchyard mock. You said: streamed over a thread");
    expect(usage).toBeGreaterThan(0);
    expect((await health()).pools.find((p) => p.provider === "threaded")!.workers).toBe(2);
  });

  it("keeps 200 concurrent streams apart", async () => {
    const results = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const stream = await client.chat.completions.create({
          model: "threaded/gpt",
          messages: [{ role: "user", content: `tag-${i}` }],
          stream: true,
        });
        let text = "";
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
        return text;
      }),
    );
    results.forEach((text, i) =>
      expect(text).toBe(`This is the Switchyard mock. You said: tag-${i}`),
    );
  });

  it("fails the requests of a worker that dies with a 502 at once, and replaces the worker", async () => {
    const pending = client.chat.completions
      .create({ model: "threaded/stall", messages: [{ role: "user", content: "x" }] })
      .catch((err: unknown) => err);
    const other = client.chat.completions
      .create({ model: "threaded/stall", messages: [{ role: "user", content: "y" }] })
      .catch((err: unknown) => err);
    await Bun.sleep(100);
    const workers = gw.gateway.workers.get("threaded")!;
    workers.kill(0);
    workers.kill(1);
    const errors = await Promise.all([pending, other]);
    for (const err of errors) {
      expect(err).toBeInstanceOf(OpenAI.APIError);
      expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    }
    await Bun.sleep(100);
    const h = await health();
    expect(h.pools.find((p) => p.provider === "threaded")).toMatchObject({
      workers: 2,
      inFlight: 0,
    });
    const again = await client.chat.completions.create({
      model: "threaded/gpt",
      messages: [{ role: "user", content: "after the crash" }],
    });
    expect(again.choices[0]!.message.content).toContain("after the crash");
  });

  it("aborts the upstream and frees the slot when a streaming client goes away", async () => {
    const aborted = up.aborted;
    const controller = new AbortController();
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "threaded/slow-stream",
        stream: true,
        messages: [{ role: "user", content: "a b c d e f g h i j k l m n o p" }],
      }),
      signal: controller.signal,
    });
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    await Bun.sleep(200);
    expect(up.aborted).toBeGreaterThan(aborted);
    const h = await health();
    expect(h.in_flight).toBe(0);
    expect(h.pools.find((p) => p.provider === "threaded")!.inFlight).toBe(0);
  });

  it("lets a request wait for a slot with on_full: wait, and refuses it with 429 otherwise", async () => {
    const slow = { messages: [{ role: "user" as const, content: "x" }] };
    const [a, b] = await Promise.all([
      client.chat.completions.create({ model: "waiting/slow-200", ...slow }),
      client.chat.completions.create({ model: "waiting/slow-200", ...slow }),
    ]);
    expect(a.choices[0]!.message.content).toBeTruthy();
    expect(b.choices[0]!.message.content).toBeTruthy();

    const first = client.chat.completions.create({ model: "refusing/slow-200", ...slow });
    await Bun.sleep(50);
    const refused = await client.chat.completions
      .create({ model: "refusing/slow-200", ...slow })
      .catch((e: unknown) => e);
    expect((refused as InstanceType<typeof OpenAI.APIError>).status).toBe(429);
    await first;
  });
});
