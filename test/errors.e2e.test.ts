/**
 * Every failure a caller can meet, as the official `openai` SDK sees it: an OpenAI error body
 * with a fitting status, never a hang, never a provider key.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import OpenAI from "openai";
import { startGateway, type TestGateway } from "./helpers/gateway.ts";
import { startMockUpstream, type MockUpstream } from "./helpers/mock-upstream.ts";

const KEY = "sk-secret-provider-key-0123456789";

let upstream: MockUpstream;
let gw: TestGateway;
let client: OpenAI;
let leaky: ReturnType<typeof Bun.serve>;

const hello = [{ role: "user" as const, content: "hello" }];

async function caught(promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof OpenAI.APIError) return err;
    throw err;
  }
  throw new Error("expected the request to fail");
}

async function rawPost(path: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${gw.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  return {
    status: res.status,
    headers: res.headers,
    body: (await res.json()) as { error: Record<string, unknown> },
  };
}

beforeAll(async () => {
  upstream = startMockUpstream({ apiKeys: [KEY] });
  // An upstream that (wrongly) echoes the key it was given in its error message.
  leaky = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: (req) =>
      Response.json(
        {
          error: {
            message: `bad key ${req.headers.get("authorization")}`,
            type: "invalid_request_error",
            code: "invalid_api_key",
          },
        },
        { status: 401 },
      ),
  });
  const closedPort = (() => {
    const s = Bun.serve({ port: 0, fetch: () => new Response("") });
    const port = s.port;
    s.stop(true);
    return port;
  })();
  gw = await startGateway({
    server: { max_body_bytes: 4096 },
    providers: {
      openai: { base_url: upstream.url, keys: [{ value: KEY }], timeout_ms: 300 },
      narrow: {
        type: "openai",
        base_url: upstream.url,
        keys: [{ value: KEY }],
        pool: { concurrency: 1, queue_size: 0 },
      },
      roomy: { type: "openai", base_url: upstream.url, keys: [{ value: KEY }] },
      down: {
        type: "openai",
        base_url: `http://127.0.0.1:${closedPort}/v1`,
        keys: [{ value: KEY }],
      },
      leaky: {
        type: "openai",
        base_url: `http://127.0.0.1:${leaky.port}/v1`,
        keys: [{ value: KEY }],
      },
      scoped: {
        type: "openai",
        base_url: upstream.url,
        keys: [{ value: KEY, models: ["gpt-4o*"] }],
      },
      // Its own provider: a 429 sets its only key aside, which must not touch the other tests.
      limited: { type: "openai", base_url: upstream.url, keys: [{ value: KEY }] },
    },
  });
  client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "client-key", maxRetries: 0 });
});

afterAll(async () => {
  await gw.stop();
  await upstream.stop();
  await leaky.stop(true);
});

describe("requests the gateway refuses before any upstream call", () => {
  it("answers malformed JSON with a 400 invalid_json error", async () => {
    const res = await rawPost("/v1/chat/completions", '{"model": "openai/x", "messages": [');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      type: "invalid_request_error",
      code: "invalid_json",
      param: null,
    });
    expect(typeof res.body.error.message).toBe("string");
  });

  it("names the invalid field in a 400", async () => {
    const err = await caught(
      client.chat.completions.create({
        model: "openai/gpt-4o-mini",
        messages: [{ role: "wizard" as "user", content: "x" }],
      }),
    );
    expect(err.status).toBe(400);
    expect(err.param).toBe("messages[0].role");
    expect(err.message).toContain("messages[0].role");
  });

  it("rejects an empty message list and a wrongly typed temperature, naming each", async () => {
    const empty = await caught(
      client.chat.completions.create({ model: "openai/gpt-4o-mini", messages: [] }),
    );
    expect(empty.status).toBe(400);
    expect(empty.param).toBe("messages");
    const temp = await rawPost(
      "/v1/chat/completions",
      JSON.stringify({ model: "openai/x", messages: hello, temperature: "hot" }),
    );
    expect(temp.status).toBe(400);
    expect(temp.body.error.param).toBe("temperature");
  });

  it("takes numbers and booleans as JSON has them: a number or flag sent as a string is a 400", async () => {
    // OpenAI's API refuses "0.5" for temperature; a gateway that coerced it would accept a body
    // the provider itself would not.
    const before = upstream.seen.length;
    for (const [field, value] of [
      ["temperature", "0.5"],
      ["max_tokens", "16"],
      ["stream", "false"],
    ] as const) {
      const res = await rawPost(
        "/v1/chat/completions",
        JSON.stringify({ model: "openai/x", messages: hello, [field]: value }),
      );
      expect(res.status).toBe(400);
      expect(res.body.error.param).toBe(field);
    }
    expect(upstream.seen.length).toBe(before);
  });

  it("answers an unknown provider with a 404 before calling anything", async () => {
    const before = upstream.seen.length;
    const err = await caught(
      client.chat.completions.create({ model: "nowhere/gpt-4o", messages: hello }),
    );
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect(err.code).toBe("model_not_found");
    expect(err.param).toBe("model");
    expect(upstream.seen.length).toBe(before);
  });

  it("answers an unknown alias with a 404", async () => {
    const err = await caught(client.chat.completions.create({ model: "gpt-4o", messages: hello }));
    expect(err.status).toBe(404);
    expect(err.code).toBe("model_not_found");
  });

  it("answers a model no key may serve with a 404", async () => {
    const err = await caught(
      client.chat.completions.create({ model: "scoped/o1-preview", messages: hello }),
    );
    expect(err.status).toBe(404);
    expect(err.param).toBe("model");
  });

  it("answers a body over max_body_bytes with a 413, with or without Content-Length", async () => {
    const big = JSON.stringify({
      model: "openai/x",
      messages: [{ role: "user", content: "x".repeat(5000) }],
    });
    const sized = await rawPost("/v1/chat/completions", big);
    expect(sized.status).toBe(413);
    expect(sized.body.error.code).toBe("body_too_large");
    const chunked = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: new Blob([big]).stream(),
    });
    expect(chunked.status).toBe(413);
    expect(((await chunked.json()) as { error: { code: string } }).error.code).toBe(
      "body_too_large",
    );
  });

  it("refuses JSON nested deeper than 64 levels", async () => {
    const deep = "[".repeat(100) + "]".repeat(100);
    const res = await rawPost(
      "/v1/chat/completions",
      `{"model":"openai/gpt-4o","messages":${deep}}`,
    );
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_json");
  });

  it("refuses a __proto__ key, naming it, and pollutes nothing", async () => {
    const body =
      '{"model":"openai/gpt-4o","messages":[{"role":"user","content":"x"}],"__proto__":{"polluted":1}}';
    const res = await rawPost("/v1/chat/completions", body);
    expect(res.status).toBe(400);
    expect(res.body.error.param).toBe("__proto__");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("answers an unknown route with a 404 in the OpenAI format", async () => {
    const res = await rawPost("/v1/completions/legacy", "{}");
    expect(res.status).toBe(404);
    expect(res.body.error.type).toBe("invalid_request_error");
  });
});

describe("upstream failures", () => {
  it("passes an upstream 4xx through with its status and message", async () => {
    const err = await caught(
      client.chat.completions.create({ model: "openai/fail-422", messages: hello }),
    );
    expect(err.status).toBe(422);
    expect(err.message).toContain("mock failure with status 422");
    expect(err.code).toBe("mock_failure");
  });

  it("passes an upstream 429 through with Retry-After", async () => {
    const err = await caught(
      client.chat.completions.create({ model: "limited/fail-429", messages: hello }),
    );
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(err.headers?.get("retry-after")).toBe("1");
    expect(err.headers?.get("x-switchyard-error-source")).toBe("upstream");
  });

  it("turns an upstream 5xx into a 502", async () => {
    const err = await caught(
      client.chat.completions.create({ model: "openai/fail-503", messages: hello }),
    );
    expect(err.status).toBe(502);
    expect(err.message).toContain("503");
    expect(err.headers?.get("x-switchyard-provider")).toBe("openai");
  });

  it("turns a refused connection into a 502", async () => {
    const err = await caught(
      client.chat.completions.create({ model: "down/gpt-4o", messages: hello }),
    );
    expect(err.status).toBe(502);
    expect(err.code).toBe("upstream_unreachable");
  });

  it("answers a 504 when the upstream does not answer in time, and aborts the upstream call", async () => {
    const abortedBefore = upstream.aborted;
    const err = await caught(
      client.chat.completions.create({ model: "openai/stall", messages: hello }),
    );
    expect(err.status).toBe(504);
    expect(err.code).toBe("upstream_timeout");
    for (let i = 0; i < 50 && upstream.aborted === abortedBefore; i++) await Bun.sleep(10);
    expect(upstream.aborted).toBe(abortedBefore + 1);
  });

  it("answers a streamed request that times out before its first byte with a 504", async () => {
    const err = await caught(
      client.chat.completions.create({ model: "openai/stall", messages: hello, stream: true }),
    );
    expect(err.status).toBe(504);
  });

  it("never shows the provider key, even when the upstream echoes it", async () => {
    const err = await caught(
      client.chat.completions.create({ model: "leaky/gpt-4o", messages: hello }),
    );
    expect(err.status).toBe(401);
    expect(JSON.stringify(err.error)).not.toContain(KEY);
    expect(err.message).toContain("[redacted]");
    expect(gw.logs.join("\n")).not.toContain(KEY);
  });
});

describe("a full pool", () => {
  it("answers 429 with Retry-After instead of queueing without bound", async () => {
    const slow = client.chat.completions.create({ model: "narrow/slow-300", messages: hello });
    await Bun.sleep(50);
    const err = await caught(
      client.chat.completions.create({ model: "narrow/gpt-4o", messages: hello }),
    );
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(err.code).toBe("pool_full");
    expect(err.headers?.get("retry-after")).toBe("1");
    const ok = await slow;
    expect(ok.choices[0]!.message.content).toContain("hello");
    const after = await client.chat.completions.create({ model: "narrow/gpt-4o", messages: hello });
    expect(after.choices[0]!.finish_reason).toBe("stop");
  });

  it("fills only its own provider's pool, and /health and /metrics show it", async () => {
    type PoolView = { provider: string; inFlight: number; rejected: number };
    const pools = async () =>
      ((await (await fetch(`${gw.url}/health`)).json()) as { pools: PoolView[] }).pools;
    const rejectedBefore = (await pools()).find((p) => p.provider === "narrow")!.rejected;
    const slow = client.chat.completions.create({ model: "narrow/slow-300", messages: hello });
    await Bun.sleep(50);
    await caught(client.chat.completions.create({ model: "narrow/gpt-4o", messages: hello }));
    // Another provider is not held up by the full one: it answers while the slow call still runs.
    let slowDone = false;
    void slow.then(() => (slowDone = true));
    const other = await client.chat.completions.create({ model: "roomy/gpt-4o", messages: hello });
    expect(other.choices[0]!.finish_reason).toBe("stop");
    expect(slowDone).toBe(false);
    const narrow = (await pools()).find((p) => p.provider === "narrow")!;
    expect(narrow.inFlight).toBe(1);
    expect(narrow.rejected).toBe(rejectedBefore + 1);
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toContain(
      `switchyard_pool_rejected_total{provider="narrow"} ${narrow.rejected}`,
    );
    expect(metrics).toContain('switchyard_pool_in_flight{provider="narrow"} 1');
    await slow;
  });
});

describe("a client that goes away", () => {
  async function until(check: () => boolean): Promise<void> {
    for (let i = 0; i < 200 && !check(); i++) await Bun.sleep(10);
  }
  const narrowPool = () => gw.gateway.engine.poolStats().find((p) => p.provider === "narrow")!;

  it("aborts the upstream request and frees the pool slot while waiting for the answer", async () => {
    const abortedBefore = upstream.aborted;
    const controller = new AbortController();
    const pending = fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "narrow/slow-5000", messages: hello }),
      signal: controller.signal,
    }).catch((e: unknown) => e);
    await until(() => narrowPool().inFlight === 1);
    controller.abort();
    expect(await pending).toBeInstanceOf(Error);
    await until(() => upstream.aborted > abortedBefore && narrowPool().inFlight === 0);
    expect(upstream.aborted).toBe(abortedBefore + 1);
    expect(narrowPool().inFlight).toBe(0);
  });

  it("aborts the upstream stream and frees the slot when the client stops reading midway", async () => {
    const drip = startMockUpstream({ chunkDelayMs: 50, replyWords: 200 });
    const g = await startGateway({
      providers: { drip: { type: "openai", base_url: drip.url, pool: { concurrency: 1 } } },
    });
    try {
      const res = await fetch(`${g.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "drip/gpt-4o", messages: hello, stream: true }),
      });
      const reader = res.body!.getReader();
      const first = await reader.read();
      expect(new TextDecoder().decode(first.value)).toStartWith("data: {");
      const pool = () => g.gateway.engine.poolStats()[0]!;
      // The first chunk is here while the upstream is still sending: piped, not buffered whole.
      expect(pool().inFlight).toBe(1);
      await reader.cancel();
      await until(() => drip.aborted === 1 && pool().inFlight === 0);
      expect(drip.aborted).toBe(1);
      expect(pool().inFlight).toBe(0);
    } finally {
      await g.stop();
      await drip.stop();
    }
  });
});

describe("a stream that fails after its first byte", () => {
  it("ends with an OpenAI error event that the SDK raises", async () => {
    const drip = startMockUpstream({ chunkDelayMs: 40, replyWords: 200 });
    const g = await startGateway({
      providers: { drip: { type: "openai", base_url: drip.url, timeout_ms: 250 } },
    });
    const sdk = new OpenAI({ baseURL: `${g.url}/v1`, apiKey: "k", maxRetries: 0 });
    try {
      const stream = await sdk.chat.completions.create({
        model: "drip/gpt-4o",
        messages: hello,
        stream: true,
      });
      let received = "";
      const err = await (async () => {
        try {
          for await (const chunk of stream) received += chunk.choices[0]?.delta.content ?? "";
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(received.length).toBeGreaterThan(0);
      expect(err).toBeInstanceOf(OpenAI.APIError);
      expect((err as InstanceType<typeof OpenAI.APIError>).message).toContain(
        "did not answer within 250 ms",
      );
      expect(g.gateway.engine.poolStats()[0]!.inFlight).toBe(0);
    } finally {
      await g.stop();
      await drip.stop();
    }
  });
});
