/**
 * The dialect matrix: the three official SDKs (openai, @anthropic-ai/sdk, @google/genai) through
 * the gateway to the project's three mock upstreams (OpenAI, Anthropic and Gemini wire formats
 * over HTTP), each cell plain, streamed, with a tool call and with a tool-result round trip.
 *
 * Every cell checks both ends: what the upstream received (the system prompt and the user's text
 * where its API puts them, tool results tied to their calls) and what the client's SDK handed
 * back (the upstream's exact text and usage, and the stop reason in the client's vocabulary).
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import type { ChatRequest, WireDialect } from "../src/core/chat.ts";
import { messageText } from "../src/core/tokens.ts";
import { anthropic } from "../src/dialects/anthropic/index.ts";
import { gemini } from "../src/dialects/gemini/index.ts";
import { openai } from "../src/dialects/openai/index.ts";
import type { DialectCodec } from "../src/dialects/types.ts";
import { planReply } from "../src/providers/mock/index.ts";
import { startGateway, type TestGateway } from "./helpers/gateway.ts";
import { startMockUpstream, type MockUpstream } from "./helpers/mock-upstream.ts";
import {
  anthropicDriver,
  geminiDriver,
  openAiDriver,
  type ClientDriver,
  type Conversation,
  type Said,
} from "./helpers/sdk-clients.ts";

const UPSTREAM_KEY = "upstream-secret-key-0123456789";
const DIALECTS: WireDialect[] = ["openai", "anthropic", "gemini"];
const CODECS: Record<WireDialect, DialectCodec> = { openai, anthropic, gemini };
const MODELS: Record<WireDialect, string> = {
  openai: "up-openai/gpt-mock",
  anthropic: "up-anthropic/claude-mock",
  gemini: "up-gemini/gemini-mock",
};

const upstreams = {} as Record<WireDialect, MockUpstream>;
const drivers = {} as Record<WireDialect, ClientDriver>;
let gw: TestGateway;

beforeAll(async () => {
  const providers: Record<string, unknown> = {};
  for (const dialect of DIALECTS) {
    upstreams[dialect] = startMockUpstream({ apiKeys: [UPSTREAM_KEY] }, dialect);
    providers[`up-${dialect}`] = {
      type: dialect,
      base_url: upstreams[dialect].url,
      keys: [{ value: UPSTREAM_KEY }],
    };
  }
  gw = await startGateway({ providers });
  drivers.openai = openAiDriver(gw.url, "caller-key");
  drivers.anthropic = anthropicDriver(gw.url, "caller-key");
  drivers.gemini = geminiDriver(gw.url, "caller-key");
});

afterAll(async () => {
  await gw.stop();
  await Promise.all(DIALECTS.map((d) => upstreams[d].stop()));
});

/** The last request an upstream received, read back into canonical form with its own dialect. */
function lastSeen(dialect: WireDialect): ChatRequest {
  const seen = upstreams[dialect].seen.at(-1)!;
  const target = /models\/(.+):(\w+)$/.exec(seen.path);
  return CODECS[dialect].requestIn(
    seen.body,
    target ? { model: target[1]!, stream: target[2] === "streamGenerateContent" } : {},
  );
}

/** What the mock upstream answered to that request: the text and usage the client must see. */
function upstreamAnswer(dialect: WireDialect) {
  return planReply({ ...lastSeen(dialect), stream: false });
}

function expectPromptArrived(dialect: WireDialect, c: Conversation): void {
  const seen = lastSeen(dialect);
  expect(seen.messages[0]!.role).toBe("system");
  expect(messageText(seen.messages[0]!)).toBe(c.system);
  const user = seen.messages.find((m) => m.role === "user");
  expect(messageText(user!)).toBe(c.user);
}

/** The client got exactly what the upstream answered: text, usage, and a natural stop. */
function expectUpstreamAnswer(client: WireDialect, upstream: WireDialect, said: Said): void {
  const answer = upstreamAnswer(upstream);
  expect(said.text).toBe(answer.content!);
  expect(said.usage).toEqual({
    input: answer.usage.prompt_tokens,
    output: answer.usage.completion_tokens,
  });
  expect(said.stop).toBe(drivers[client].stops.stop);
}

for (const client of DIALECTS) {
  for (const upstream of DIALECTS) {
    describe(`${client} SDK -> ${upstream} upstream`, () => {
      const model = MODELS[upstream];
      const c: Conversation = {
        system: `You are terse. (${client} to ${upstream})`,
        user: `Hello from the ${client} SDK, over to ${upstream}.`,
      };

      it("answers a plain request with the upstream's text, usage and stop reason", async () => {
        const said = await drivers[client].plain(model, c);
        expectPromptArrived(upstream, c);
        expectUpstreamAnswer(client, upstream, said);
      });

      it("streams the same text, with usage and stop reason", async () => {
        const said = await drivers[client].stream(model, c);
        expectPromptArrived(upstream, c);
        expect(lastSeen(upstream).stream).toBe(true);
        expectUpstreamAnswer(client, upstream, said);
      });

      it("hands back the upstream's tool call with its arguments", async () => {
        const called = await drivers[client].toolCall(model, c);
        const seen = lastSeen(upstream);
        expect(seen.tools?.[0]?.function.name).toBe("get_weather");
        expect(seen.tools?.[0]?.function.parameters).toMatchObject({
          type: "object",
          required: ["city"],
        });
        const answer = upstreamAnswer(upstream);
        const expected = answer.toolCalls[0]!.function;
        expect(called.name).toBe(expected.name);
        expect(called.args).toEqual(JSON.parse(expected.arguments));
        expect(called.stop).toBe(drivers[client].stops.tool);
      });

      it("carries a tool result back to the upstream, tied to its call", async () => {
        const result = `It is sunny in Lisbon (${client}/${upstream}).`;
        const said = await drivers[client].toolResult(model, {
          ...c,
          call: { id: "call_lisbon_1", name: "get_weather", args: { city: "Lisbon" } },
          result,
        });
        const seen = lastSeen(upstream);
        const assistant = seen.messages.find((m) => m.role === "assistant");
        const tool = seen.messages.find((m) => m.role === "tool");
        expect(assistant?.tool_calls?.[0]?.function.name).toBe("get_weather");
        expect(JSON.parse(assistant!.tool_calls![0]!.function.arguments)).toEqual({
          city: "Lisbon",
        });
        expect(tool?.tool_call_id).toBe(assistant!.tool_calls![0]!.id);
        expect(messageText(tool!)).toContain(result);
        expect(said.text).toBe(upstreamAnswer(upstream).content!);
        expect(said.stop).toBe(drivers[client].stops.stop);
      });
    });
  }
}
