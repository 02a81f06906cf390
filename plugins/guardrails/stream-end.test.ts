import { describe, expect, it } from "bun:test";
import type { ChatChunk, ChatRequest } from "../../src/plugins/index.ts";
import { pluginHarness } from "../../src/plugins/testing.ts";
import guardrails from "./index.ts";

const req: ChatRequest = {
  model: "mock/echo",
  stream: true,
  messages: [{ role: "user", content: "hi" }],
};
const chunk = (content: string): ChatChunk => ({
  id: "chatcmpl-1",
  object: "chat.completion.chunk",
  created: 0,
  model: "echo",
  choices: [{ index: 0, delta: { content }, finish_reason: null }],
});

describe("guardrails at the end of a stream without a finish reason", () => {
  it("sends the held text, redacted, in a last chunk", async () => {
    const h = await pluginHarness(guardrails);
    // No finish chunk at all: the source just ends (an upstream sending [DONE] without one).
    const r = await h.chat(req, { answer: [chunk("Write to bob@"), chunk("example.com soon")] });
    const text = r.chunks!.map((c) => c.choices[0]?.delta.content ?? "").join("");
    expect(text).toBe("Write to [REDACTED:email] soon");
    expect(await h.metrics()).toContain(
      'switchyard_guardrails_total{rule="email",action="redact",direction="output"} 1',
    );
  });
});
