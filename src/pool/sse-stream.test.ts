import { describe, expect, it } from "bun:test";
import { GatewayError } from "../core/errors.ts";
import { openai } from "../dialects/openai/index.ts";
import { sseChunkStream, type StreamLimits } from "./sse-stream.ts";

const LIMITS: StreamLimits = { maxEventBytes: 64 * 1024, idleMs: 60_000, provider: "up" };
const CHUNK =
  'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}]}\n\n';

/** An upstream body: `parts` sent when pulled (a number waits that many ms), then left open. */
function upstream(parts: (string | number)[]): {
  body: ReadableStream<Uint8Array>;
  cancelled(): boolean;
} {
  let cancelled = false;
  const queue = [...parts];
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      while (typeof queue[0] === "number") await Bun.sleep(queue.shift() as number);
      const next = queue.shift();
      if (typeof next === "string") controller.enqueue(new TextEncoder().encode(next));
      else await new Promise(() => {}); // stays open and silent
    },
    cancel() {
      cancelled = true;
    },
  });
  return { body, cancelled: () => cancelled };
}

/** The chunk stream over `up`, counting how often it released its exchange. */
function chunksOf(up: ReturnType<typeof upstream>, limits: StreamLimits = LIMITS) {
  const counted = { released: 0 };
  const stream = sseChunkStream(
    up.body,
    openai.streamIn,
    new AbortController().signal,
    () => counted.released++,
    GatewayError.from,
    limits,
  );
  return { stream, counted };
}

async function failureOf(stream: ReadableStream<unknown>): Promise<GatewayError> {
  try {
    for await (const _ of stream) {
      // read to the end
    }
  } catch (err) {
    return err as GatewayError;
  }
  throw new Error("the stream ended without an error");
}

describe("sseChunkStream", () => {
  it("frees its exchange when the deadline passes, even if nobody reads the stream any more", async () => {
    const encoder = new TextEncoder();
    let cancelled = false;
    // An upstream that sends one event and then keeps the connection open.
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(
          encoder.encode(
            'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}]}\n\n',
          ),
        );
      },
      cancel() {
        cancelled = true;
      },
    });
    const controller = new AbortController();
    let released = 0;
    const chunks = sseChunkStream(
      body,
      openai.streamIn,
      controller.signal,
      () => released++,
      GatewayError.from,
      LIMITS,
    );
    const reader = chunks.getReader();
    expect((await reader.read()).value?.choices[0]?.delta.content).toBe("hi");
    controller.abort(new GatewayError("UPSTREAM_TIMEOUT", "deadline"));
    await Bun.sleep(10);
    expect(released).toBe(1);
    expect(cancelled).toBe(true);
  });
});

describe("sseChunkStream's bounds", () => {
  it("fails with UPSTREAM_TOO_LARGE on an event longer than max_event_bytes, and frees its exchange", async () => {
    const line = "data: " + "a".repeat(200 * 1024);
    const up = upstream([line.slice(0, 70_000), line.slice(70_000, 140_000), line.slice(140_000)]);
    const { stream, counted } = chunksOf(up);
    const err = await failureOf(stream);
    expect(err.code).toBe("UPSTREAM_TOO_LARGE");
    expect(err.status).toBe(502);
    expect(counted.released).toBe(1);
    expect(up.cancelled()).toBe(true);
  });

  it("fails with UPSTREAM_TIMEOUT when the upstream stays silent past the idle limit", async () => {
    const up = upstream([CHUNK]);
    const { stream, counted } = chunksOf(up, { ...LIMITS, idleMs: 100 });
    const reader = stream.getReader();
    expect((await reader.read()).value?.choices[0]?.delta.content).toBe("hi");
    const started = performance.now();
    const err = await reader.read().then(
      () => undefined,
      (e: GatewayError) => e,
    );
    expect(err?.code).toBe("UPSTREAM_TIMEOUT");
    expect(performance.now() - started).toBeGreaterThanOrEqual(90);
    expect(counted.released).toBe(1);
    expect(up.cancelled()).toBe(true);
  });

  it("does not count a slow reader's pauses as upstream silence", async () => {
    const up = upstream([CHUNK, CHUNK, 20, CHUNK, "data: [DONE]\n\n"]);
    const reader = chunksOf(up, { ...LIMITS, idleMs: 100 }).stream.getReader();
    let n = 0;
    for (;;) {
      const { done } = await reader.read();
      if (done) break;
      n++;
      await Bun.sleep(150); // longer than the idle limit, spent by the reader
    }
    expect(n).toBe(3);
  });
});

describe("sseChunkStream's idle limit and keep-alives", () => {
  it("counts keep-alive comments as silence: only events keep a stream alive", async () => {
    const pings: (string | number)[] = [];
    for (let i = 0; i < 20; i++) pings.push(30, ": ping\n\n");
    const up = upstream([CHUNK, ...pings]);
    const { stream, counted } = chunksOf(up, { ...LIMITS, idleMs: 100 });
    const err = await failureOf(stream);
    expect(err.code).toBe("UPSTREAM_TIMEOUT");
    expect(counted.released).toBe(1);
  });
});
