import { describe, expect, it } from "bun:test";
import type { ChatChunk } from "../core/chat.ts";
import type { StreamEncoder } from "../core/stream.ts";
import { sseBody, type StreamSummary } from "./sse.ts";

const chunk: ChatChunk = {
  id: "c1",
  object: "chat.completion.chunk",
  created: 0,
  model: "m",
  choices: [{ index: 0, delta: { content: "hi" }, finish_reason: null }],
};

/** Writes each chunk as its text; `throwOnPush` makes it fail as an encoder meeting odd input. */
function encoder(throwOnPush = false): StreamEncoder {
  return {
    push(c) {
      if (throwOnPush) throw new TypeError("cannot write this chunk");
      return [{ data: JSON.stringify(c.choices[0]?.delta) }];
    },
    end: () => [{ data: "[DONE]" }],
    fail: (err) => [{ event: "error", data: err.code }],
  };
}

async function run(chunks: ReadableStream<ChatChunk>, dialect: StreamEncoder) {
  let summary: StreamSummary | undefined;
  const text = await new Response(sseBody(chunks, dialect, (s) => (summary = s))).text();
  return { text, summary: summary! };
}

describe("an SSE body whose source or encoder fails", () => {
  it("says a chunk the caller's encoder cannot write is the provider's malformed stream", async () => {
    const source = new ReadableStream<ChatChunk>({
      start(c) {
        c.enqueue(chunk);
        c.close();
      },
    });
    const { text, summary } = await run(source, encoder(true));
    expect(summary.error?.code).toBe("UPSTREAM_INVALID_RESPONSE");
    expect(text).toContain("UPSTREAM_INVALID_RESPONSE");
  });

  it("says a failure of the gateway's own chunk source is the gateway's, not the provider's", async () => {
    const source = new ReadableStream<ChatChunk>({
      pull() {
        throw new TypeError("a bug in a transform");
      },
    });
    const { text, summary } = await run(source, encoder());
    expect(summary.error?.code).toBe("INTERNAL");
    expect(text).toContain("INTERNAL");
  });
});
