import { describe, expect, it } from "bun:test";
import { GatewayError } from "../core/errors.ts";
import { openai } from "../dialects/openai/index.ts";
import { sseChunkStream } from "./sse-stream.ts";

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
    );
    const reader = chunks.getReader();
    expect((await reader.read()).value?.choices[0]?.delta.content).toBe("hi");
    controller.abort(new GatewayError("UPSTREAM_TIMEOUT", "deadline"));
    await Bun.sleep(10);
    expect(released).toBe(1);
    expect(cancelled).toBe(true);
  });
});
