import { describe, expect, it } from "bun:test";
import type { ChatResponse } from "../core/chat.ts";
import { GatewayError } from "../core/errors.ts";
import type { UpstreamExecutor, UpstreamJob, UpstreamResult } from "./job.ts";
import { ProviderPool, type PoolLimits } from "./pool.ts";

/** One call the fake executor has started, finished by the test when it chooses. */
interface Started {
  name: string;
  signal: AbortSignal;
  done: () => void;
  /** Answers and ends the exchange. */
  finish(): void;
  /** Answers but keeps the exchange open, as a stream still being read does. */
  answer(): void;
}

const LONG = 60_000;

function job(name: string): UpstreamJob {
  const wire = { model: name, messages: [{ role: "user" as const, content: "hi" }] };
  return { op: "chat", keyIndex: -1, model: name, wire, stream: false };
}

function resultFor(name: string): UpstreamResult {
  const response: ChatResponse = {
    id: `chatcmpl-${name}`,
    object: "chat.completion",
    created: 0,
    model: name,
    choices: [],
  };
  return { kind: "chat", response };
}

function fakePool(limits: PoolLimits) {
  const started: Started[] = [];
  const executor: UpstreamExecutor = {
    execute(j, signal, done) {
      const { promise, resolve } = Promise.withResolvers<UpstreamResult>();
      const answer = () => resolve(resultFor(j.model));
      started.push({ name: j.model, signal, done, answer, finish: () => (done(), answer()) });
      return promise;
    },
  };
  const pool = new ProviderPool("openai", limits, executor);
  const names = () => started.map((s) => s.name);
  return { pool, started, names };
}

/** Resolves once the signal has aborted (at once if it already has). */
function abortOf(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener("abort", () => resolve(), { once: true }),
  );
}

/** Lets queued waiters that were handed a slot reach the executor. */
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

async function rejection(promise: Promise<unknown>): Promise<GatewayError> {
  const err: unknown = await promise.then(
    () => new Error("expected the submit to be rejected"),
    (e: unknown) => e,
  );
  if (err instanceof GatewayError) return err;
  throw err;
}

/** Submits a job; a rejection nobody awaits (a test that stops early) is not reported as unhandled. */
function submit(
  pool: ProviderPool,
  name: string,
  signal = new AbortController().signal,
  timeoutMs = LONG,
): Promise<UpstreamResult> {
  const promise = pool.submit(job(name), signal, timeoutMs);
  promise.catch(() => {});
  return promise;
}

describe("ProviderPool concurrency", () => {
  it("runs at most `concurrency` jobs at once and queues the rest", async () => {
    const { pool, names } = fakePool({ concurrency: 2, queueSize: 10 });
    for (const name of ["a", "b", "c", "d", "e"]) void submit(pool, name);
    await settle();
    expect(names()).toEqual(["a", "b"]);
    expect(pool.stats()).toMatchObject({ inFlight: 2, queued: 3, rejected: 0 });
  });

  it("starts queued jobs in FIFO order as slots free", async () => {
    const { pool, started, names } = fakePool({ concurrency: 2, queueSize: 10 });
    for (const name of ["a", "b", "c", "d", "e"]) void submit(pool, name);
    await settle();
    started[1]!.finish();
    await settle();
    expect(names()).toEqual(["a", "b", "c"]);
    started[0]!.finish();
    await settle();
    expect(names()).toEqual(["a", "b", "c", "d"]);
    started[2]!.finish();
    await settle();
    expect(names()).toEqual(["a", "b", "c", "d", "e"]);
    expect(pool.stats()).toMatchObject({ inFlight: 2, queued: 0 });
  });

  it("resolves each submit with its own job's result", async () => {
    const { pool, started } = fakePool({ concurrency: 1, queueSize: 1 });
    const first = submit(pool, "a");
    const second = submit(pool, "b");
    await settle();
    started[0]!.finish();
    await settle();
    started[1]!.finish();
    expect(await first).toEqual(resultFor("a"));
    expect(await second).toEqual(resultFor("b"));
    expect(pool.stats()).toMatchObject({ inFlight: 0, queued: 0 });
  });

  it("holds the slot after the result arrives until the exchange is done", async () => {
    const { pool, started, names } = fakePool({ concurrency: 1, queueSize: 1 });
    const streaming = submit(pool, "stream");
    void submit(pool, "next");
    await settle();
    started[0]!.answer();
    await streaming;
    await settle();
    expect(names()).toEqual(["stream"]);
    started[0]!.done();
    await settle();
    expect(names()).toEqual(["stream", "next"]);
  });

  it("reports its provider and limits", () => {
    const { pool } = fakePool({ concurrency: 3, queueSize: 9 });
    expect(pool.stats()).toEqual({
      provider: "openai",
      workers: 0,
      inFlight: 0,
      queued: 0,
      concurrency: 3,
      queueSize: 9,
      rejected: 0,
    });
  });
});

describe("ProviderPool when full", () => {
  it("rejects with POOL_FULL, 429 and Retry-After 1 when the queue is full, and counts it", async () => {
    const { pool, names } = fakePool({ concurrency: 1, queueSize: 1 });
    void submit(pool, "a");
    void submit(pool, "b");
    const err = await rejection(submit(pool, "c"));
    expect(err.code).toBe("POOL_FULL");
    expect(err.status).toBe(429);
    expect(err.retryAfter).toBe(1);
    expect(err.provider).toBe("openai");
    expect(pool.stats()).toMatchObject({ rejected: 1, queued: 1, inFlight: 1 });
    await settle();
    expect(names()).toEqual(["a"]);
  });

  it("rejects at once when busy with a queue size of zero", async () => {
    const { pool, started, names } = fakePool({ concurrency: 1, queueSize: 0 });
    void submit(pool, "a");
    expect((await rejection(submit(pool, "b"))).code).toBe("POOL_FULL");
    expect(pool.stats().rejected).toBe(1);
    started[0]!.finish();
    await settle();
    void submit(pool, "c");
    await settle();
    expect(names()).toEqual(["a", "c"]);
  });
});

describe("ProviderPool cancellation", () => {
  it("refuses a request whose client has already gone, without running it", async () => {
    const { pool, names } = fakePool({ concurrency: 1, queueSize: 1 });
    const err = await rejection(submit(pool, "a", AbortSignal.abort()));
    expect(err.code).toBe("CLIENT_CLOSED");
    expect(names()).toEqual([]);
    expect(pool.stats().inFlight).toBe(0);
  });

  it("removes a queued request whose client leaves and runs the next one instead", async () => {
    const { pool, started, names } = fakePool({ concurrency: 1, queueSize: 4 });
    const client = new AbortController();
    void submit(pool, "a");
    const leaving = submit(pool, "b", client.signal);
    void submit(pool, "c");
    expect(pool.stats().queued).toBe(2);
    client.abort();
    expect((await rejection(leaving)).code).toBe("CLIENT_CLOSED");
    expect(pool.stats().queued).toBe(1);
    started[0]!.finish();
    await settle();
    expect(names()).toEqual(["a", "c"]);
    expect(pool.stats()).toMatchObject({ inFlight: 1, queued: 0 });
  });

  it("gives the queue place of a request that left to a new one", async () => {
    const { pool, started, names } = fakePool({ concurrency: 1, queueSize: 1 });
    const client = new AbortController();
    void submit(pool, "a");
    const leaving = submit(pool, "b", client.signal);
    client.abort();
    await rejection(leaving);
    const next = submit(pool, "c");
    expect(pool.stats()).toMatchObject({ queued: 1, rejected: 0 });
    started[0]!.finish();
    await settle();
    started[1]!.finish();
    expect(await next).toEqual(resultFor("c"));
    expect(names()).toEqual(["a", "c"]);
  });

  it("aborts the executor's signal with CLIENT_CLOSED when the client leaves mid-call", async () => {
    const { pool, started } = fakePool({ concurrency: 1, queueSize: 0 });
    const client = new AbortController();
    void submit(pool, "a", client.signal);
    await settle();
    client.abort();
    expect(started[0]!.signal.aborted).toBe(true);
    expect((started[0]!.signal.reason as GatewayError).code).toBe("CLIENT_CLOSED");
  });
});

describe("ProviderPool timeouts", () => {
  it("times out a request while it waits in the queue, with QUEUE_TIMEOUT and 504 (the gateway's congestion, not the provider's)", async () => {
    const { pool, started, names } = fakePool({ concurrency: 1, queueSize: 2 });
    void submit(pool, "a");
    const waiting = submit(pool, "b", undefined, 10);
    const err = await rejection(waiting);
    expect(err.code).toBe("QUEUE_TIMEOUT");
    expect(err.status).toBe(504);
    expect(err.source).toBe("gateway");
    expect(err.provider).toBe("openai");
    expect(pool.stats().queued).toBe(0);
    started[0]!.finish();
    await settle();
    expect(names()).toEqual(["a"]);
    expect(pool.stats().inFlight).toBe(0);
  });

  it("aborts the executor's signal with an UPSTREAM_TIMEOUT reason while the call runs", async () => {
    const { pool, started } = fakePool({ concurrency: 1, queueSize: 0 });
    void submit(pool, "a", undefined, 10);
    await settle();
    const signal = started[0]!.signal;
    await abortOf(signal);
    expect(signal.reason).toBeInstanceOf(GatewayError);
    expect((signal.reason as GatewayError).code).toBe("UPSTREAM_TIMEOUT");
    expect((signal.reason as GatewayError).status).toBe(504);
  });

  it("stops the deadline once the exchange is done", async () => {
    const { pool, started } = fakePool({ concurrency: 1, queueSize: 0 });
    const call = submit(pool, "a", undefined, 30);
    await settle();
    started[0]!.finish();
    await call;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(started[0]!.signal.aborted).toBe(false);
  });
});

describe("ProviderPool slot release", () => {
  it("releases only one slot when done is called twice", async () => {
    const { pool, started, names } = fakePool({ concurrency: 1, queueSize: 4 });
    for (const name of ["a", "b", "c"]) void submit(pool, name);
    await settle();
    started[0]!.done();
    started[0]!.done();
    await settle();
    expect(names()).toEqual(["a", "b"]);
    expect(pool.stats()).toMatchObject({ inFlight: 1, queued: 1 });
  });

  it("releases the slot of an executor that throws, and passes its error on", async () => {
    let calls = 0;
    const failure = new GatewayError("UPSTREAM_UNREACHABLE", "connection refused");
    const executor: UpstreamExecutor = {
      execute(j, _signal, done) {
        calls++;
        if (j.model === "broken") throw failure;
        done();
        return Promise.resolve(resultFor(j.model));
      },
    };
    const pool = new ProviderPool("openai", { concurrency: 1, queueSize: 0 }, executor);
    expect(await rejection(submit(pool, "broken"))).toBe(failure);
    expect(pool.stats().inFlight).toBe(0);
    expect(await submit(pool, "ok")).toEqual(resultFor("ok"));
    expect(calls).toBe(2);
  });

  it("releases the slot of an executor whose promise rejects", async () => {
    const executor: UpstreamExecutor = {
      execute: () => Promise.reject(new GatewayError("UPSTREAM_ERROR", "boom")),
    };
    const pool = new ProviderPool("openai", { concurrency: 1, queueSize: 0 }, executor);
    expect((await rejection(submit(pool, "a"))).code).toBe("UPSTREAM_ERROR");
    expect((await rejection(submit(pool, "b"))).code).toBe("UPSTREAM_ERROR");
    expect(pool.stats()).toMatchObject({ inFlight: 0, rejected: 0 });
  });
});
