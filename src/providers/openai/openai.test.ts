import { describe, expect, it } from "bun:test";
import type { ChatRequest } from "../../core/chat.ts";
import { runProviderSuite } from "../../../test/helpers/provider-conformance.ts";
import type { ProviderAdapter } from "../types.ts";
import { openAiFixtures } from "./fixtures.ts";
import { openai, openAiPresets } from "./presets.ts";

function preset(id: string): ProviderAdapter {
  const adapter = openAiPresets.find((a) => a.id === id);
  if (!adapter) throw new Error(`no preset "${id}"`);
  return adapter;
}

runProviderSuite(openai, openAiFixtures);
// Presets share the OpenAI wire format, so the OpenAI recordings apply to them as they are.
runProviderSuite(preset("groq"), openAiFixtures);
runProviderSuite(preset("ollama"), openAiFixtures);

const hello: ChatRequest = { model: "fast", messages: [{ role: "user", content: "hello" }] };

describe("openai adapter", () => {
  it("asks a streaming upstream to report usage, even when the caller turned it off", () => {
    const req = { ...hello, stream: true, stream_options: { include_usage: false } };
    const body = openai.chat.toRequest(req, "gpt-4o-mini") as ChatRequest;
    expect(body.stream_options).toEqual({ include_usage: true });
  });

  it("adds no stream options to a request that does not stream", () => {
    const body = openai.chat.toRequest(hello, "gpt-4o-mini") as ChatRequest;
    expect(body).not.toHaveProperty("stream_options");
  });

  it("posts chats and embeddings to the OpenAI paths under the base URL", () => {
    const base = "https://api.openai.com/v1";
    expect(openai.chat.url(base, "gpt-4o", true)).toBe(`${base}/chat/completions`);
    expect(openai.embeddings!.url(base, "text-embedding-3-small")).toBe(`${base}/embeddings`);
  });

  it("reads the message of a string error body, and a generic one for an empty body", () => {
    expect(openai.mapError(502, "upstream connect error").message).toContain(
      "upstream connect error",
    );
    expect(openai.mapError(400, "").message).toBe("upstream returned status 400");
  });

  it("keeps a numeric upstream error code as a string", () => {
    const err = openai.mapError(400, { error: { message: "bad", code: 1234 } });
    expect(err.upstreamCode).toBe("1234");
  });
});

describe("openai presets", () => {
  it("have distinct ids, each with an http(s) default base URL", () => {
    const ids = openAiPresets.map((a) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const adapter of openAiPresets) expect(adapter.defaultBaseUrl).toMatch(/^https?:\/\//);
  });

  it("require a key for hosted services but not for local servers", () => {
    expect(preset("openai").requiresKey).toBe(true);
    expect(preset("groq").requiresKey).toBe(true);
    expect(preset("ollama").requiresKey).toBe(false);
    expect(preset("lmstudio").requiresKey).toBe(false);
    expect(preset("vllm").requiresKey).toBe(false);
  });
});
