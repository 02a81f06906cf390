/**
 * The three official SDKs behind one small interface, so that the dialect matrix can drive each
 * the way its users do: a plain call, a stream, a tool call and a tool-result round trip. Each
 * driver reports what its SDK handed back, in the SDK's own vocabulary (stop reasons included).
 */
import Anthropic from "@anthropic-ai/sdk";
import { GoogleGenAI, type Content } from "@google/genai";
import OpenAI from "openai";

export interface Said {
  text: string;
  stop: string;
  usage: { input: number; output: number };
}

export interface Called {
  id: string;
  name: string;
  args: Record<string, unknown>;
  stop: string;
}

export interface Conversation {
  system: string;
  user: string;
}

export interface ToolTurn extends Conversation {
  call: { id: string; name: string; args: Record<string, unknown> };
  result: string;
}

export interface ClientDriver {
  name: "openai" | "anthropic" | "gemini";
  /** What this SDK calls a natural stop, a tool call stop. */
  stops: { stop: string; tool: string };
  plain(model: string, c: Conversation): Promise<Said>;
  stream(model: string, c: Conversation): Promise<Said>;
  toolCall(model: string, c: Conversation): Promise<Called>;
  toolResult(model: string, t: ToolTurn): Promise<Said>;
}

export const WEATHER = {
  name: "get_weather",
  description: "Current weather for a city",
  parameters: {
    type: "object" as const,
    properties: { city: { type: "string" }, days: { type: "integer" } },
    required: ["city"],
  },
};

export function openAiDriver(gateway: string, key: string): ClientDriver {
  const client = new OpenAI({ baseURL: `${gateway}/v1`, apiKey: key, maxRetries: 0 });
  const messages = (c: Conversation) => [
    { role: "system" as const, content: c.system },
    { role: "user" as const, content: c.user },
  ];
  return {
    name: "openai",
    stops: { stop: "stop", tool: "tool_calls" },
    async plain(model, c) {
      const res = await client.chat.completions.create({ model, messages: messages(c) });
      return {
        text: res.choices[0]!.message.content ?? "",
        stop: res.choices[0]!.finish_reason,
        usage: { input: res.usage!.prompt_tokens, output: res.usage!.completion_tokens },
      };
    },
    async stream(model, c) {
      const stream = await client.chat.completions.create({
        model,
        messages: messages(c),
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = "";
      let stop = "";
      let usage = { input: -1, output: -1 };
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? "";
        stop = chunk.choices[0]?.finish_reason ?? stop;
        if (chunk.usage)
          usage = { input: chunk.usage.prompt_tokens, output: chunk.usage.completion_tokens };
      }
      return { text, stop, usage };
    },
    async toolCall(model, c) {
      const res = await client.chat.completions.create({
        model,
        messages: messages(c),
        tools: [{ type: "function", function: WEATHER }],
      });
      const call = res.choices[0]!.message.tool_calls![0]!;
      if (call.type !== "function") throw new Error("expected a function call");
      return {
        id: call.id,
        name: call.function.name,
        args: JSON.parse(call.function.arguments) as Record<string, unknown>,
        stop: res.choices[0]!.finish_reason,
      };
    },
    async toolResult(model, t) {
      const res = await client.chat.completions.create({
        model,
        tools: [{ type: "function", function: WEATHER }],
        messages: [
          ...messages(t),
          {
            role: "assistant",
            content: null,
            tool_calls: [
              {
                id: t.call.id,
                type: "function",
                function: { name: t.call.name, arguments: JSON.stringify(t.call.args) },
              },
            ],
          },
          { role: "tool", tool_call_id: t.call.id, content: t.result },
        ],
      });
      return {
        text: res.choices[0]!.message.content ?? "",
        stop: res.choices[0]!.finish_reason,
        usage: { input: res.usage!.prompt_tokens, output: res.usage!.completion_tokens },
      };
    },
  };
}

export function anthropicDriver(gateway: string, key: string): ClientDriver {
  const client = new Anthropic({ baseURL: gateway, apiKey: key, maxRetries: 0 });
  const tool = {
    name: WEATHER.name,
    description: WEATHER.description,
    input_schema: WEATHER.parameters,
  };
  const said = (msg: Anthropic.Message): Said => ({
    text: msg.content.map((b) => (b.type === "text" ? b.text : "")).join(""),
    stop: msg.stop_reason ?? "",
    usage: { input: msg.usage.input_tokens, output: msg.usage.output_tokens },
  });
  return {
    name: "anthropic",
    stops: { stop: "end_turn", tool: "tool_use" },
    async plain(model, c) {
      return said(
        await client.messages.create({
          model,
          max_tokens: 1024,
          system: c.system,
          messages: [{ role: "user", content: c.user }],
        }),
      );
    },
    async stream(model, c) {
      const stream = client.messages.stream({
        model,
        max_tokens: 1024,
        system: c.system,
        messages: [{ role: "user", content: c.user }],
      });
      let text = "";
      stream.on("text", (delta) => (text += delta));
      const final = await stream.finalMessage();
      return { ...said(final), text };
    },
    async toolCall(model, c) {
      const msg = await client.messages.create({
        model,
        max_tokens: 1024,
        system: c.system,
        tools: [tool],
        messages: [{ role: "user", content: c.user }],
      });
      const use = msg.content.find((b) => b.type === "tool_use");
      if (!use || use.type !== "tool_use") throw new Error("expected a tool_use block");
      return {
        id: use.id,
        name: use.name,
        args: use.input as Record<string, unknown>,
        stop: msg.stop_reason ?? "",
      };
    },
    async toolResult(model, t) {
      return said(
        await client.messages.create({
          model,
          max_tokens: 1024,
          system: t.system,
          tools: [tool],
          messages: [
            { role: "user", content: t.user },
            {
              role: "assistant",
              content: [{ type: "tool_use", id: t.call.id, name: t.call.name, input: t.call.args }],
            },
            {
              role: "user",
              content: [{ type: "tool_result", tool_use_id: t.call.id, content: t.result }],
            },
          ],
        }),
      );
    },
  };
}

export function geminiDriver(gateway: string, key: string): ClientDriver {
  const ai = new GoogleGenAI({ apiKey: key, httpOptions: { baseUrl: gateway } });
  const tools = [
    {
      functionDeclarations: [
        { ...WEATHER, parametersJsonSchema: WEATHER.parameters, parameters: undefined },
      ],
    },
  ];
  const said = (res: {
    text?: string | undefined;
    candidates?: { finishReason?: string }[] | undefined;
    usageMetadata?: { promptTokenCount?: number; candidatesTokenCount?: number } | undefined;
  }): Said => ({
    text: res.text ?? "",
    stop: res.candidates?.[0]?.finishReason ?? "",
    usage: {
      input: res.usageMetadata?.promptTokenCount ?? -1,
      output: res.usageMetadata?.candidatesTokenCount ?? -1,
    },
  });
  return {
    name: "gemini",
    stops: { stop: "STOP", tool: "STOP" },
    async plain(model, c) {
      return said(
        await ai.models.generateContent({
          model,
          contents: c.user,
          config: { systemInstruction: c.system },
        }),
      );
    },
    async stream(model, c) {
      const stream = await ai.models.generateContentStream({
        model,
        contents: c.user,
        config: { systemInstruction: c.system },
      });
      let text = "";
      let last: Said = { text: "", stop: "", usage: { input: -1, output: -1 } };
      for await (const chunk of stream) {
        text += chunk.text ?? "";
        const now = said(chunk);
        last = {
          text,
          stop: now.stop || last.stop,
          usage: chunk.usageMetadata ? now.usage : last.usage,
        };
      }
      return last;
    },
    async toolCall(model, c) {
      const res = await ai.models.generateContent({
        model,
        contents: c.user,
        config: { systemInstruction: c.system, tools },
      });
      const call = res.functionCalls?.[0];
      if (!call) throw new Error("expected a function call");
      return {
        id: call.id ?? "",
        name: call.name ?? "",
        args: (call.args ?? {}) as Record<string, unknown>,
        stop: res.candidates?.[0]?.finishReason ?? "",
      };
    },
    async toolResult(model, t) {
      const contents: Content[] = [
        { role: "user", parts: [{ text: t.user }] },
        {
          role: "model",
          parts: [{ functionCall: { id: t.call.id, name: t.call.name, args: t.call.args } }],
        },
        {
          role: "user",
          parts: [
            {
              functionResponse: {
                id: t.call.id,
                name: t.call.name,
                response: { result: t.result },
              },
            },
          ],
        },
      ];
      return said(
        await ai.models.generateContent({
          model,
          contents,
          config: { systemInstruction: t.system, tools },
        }),
      );
    },
  };
}
