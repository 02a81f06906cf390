/**
 * Canonical request -> Gemini generateContent body (the model and streaming go in the URL).
 *
 * - `system` / `developer` messages join `systemInstruction`, in order.
 * - Assistant turns are `model` contents with `text` and `functionCall` parts; `tool` messages are
 *   `functionResponse` parts (named after the call they answer; consecutive ones share a turn),
 *   their content parsed as the response object when it is a JSON object, else `{"content": text}`.
 * - Images: data URLs become `inlineData`, other URLs `fileData` with a MIME type guessed from the
 *   file extension (`image/jpeg` when there is none).
 * - Tools are sent as `parametersJsonSchema` (plain JSON Schema); `tool_choice` as `toolConfig`.
 * - `stream_options` is not sent: Gemini streams always carry usage.
 * - Tool-call ids the gateway made up for Gemini calls that had none are not sent back; other ids
 *   go out as `functionCall.id` / `functionResponse.id` (v1beta accepts them; v1 and Vertex do not).
 * - Gemini 3 and later refuse a replayed `functionCall` without the `thoughtSignature` that the
 *   canonical form cannot carry, so for those models the first call of each model turn gets
 *   Google's documented placeholder `skip_thought_signature_validator`.
 * - An unknown `tool_call_id` is a 400 naming `messages[i].tool_call_id`.
 * - Refused (400 naming the field): `n` > 1, `parallel_tool_calls: false`, `strict` tools, message
 *   `name`s, non-text system or tool content, and every field not in KNOWN (`user`, `logprobs`, ...).
 */
import type { ChatMessage, ChatRequest, ContentPart, JsonObject } from "../../core/chat.ts";
import {
  invalidField,
  isRecord,
  parseArguments,
  parseDataUrl,
  knownFields,
  rejectUnknownFields,
  untranslatable,
} from "../fields.ts";
import { SYNTHETIC_ID } from "./request-in.ts";

const TARGET = "Gemini";
const KNOWN = knownFields("presence_penalty", "frequency_penalty", "seed");

const MIME: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  heic: "image/heic",
  heif: "image/heif",
};

type Part = Record<string, unknown>;
interface Content {
  role: "user" | "model";
  parts: Part[];
}

function text(content: ChatMessage["content"], path: string): string {
  if (content === null) return "";
  if (typeof content === "string") return content;
  return content
    .map((p, j) =>
      p.type === "text"
        ? p.text
        : (() => {
            throw untranslatable(`${path}.content[${j}]`, TARGET);
          })(),
    )
    .join("");
}

function imagePart(part: Extract<ContentPart, { type: "image_url" }>): Part {
  const url = part.image_url.url;
  const data = parseDataUrl(url);
  if (data) return { inlineData: { mimeType: data.mediaType, data: data.data } };
  const ext = /\.([a-z0-9]+)(?:[?#]|$)/i.exec(url)?.[1]?.toLowerCase() ?? "";
  return { fileData: { mimeType: MIME[ext] ?? "image/jpeg", fileUri: url } };
}

function userParts(content: ChatMessage["content"]): Part[] {
  if (content === null || content === "") return [{ text: "" }];
  if (typeof content === "string") return [{ text: content }];
  return content.map((p) => (p.type === "text" ? { text: p.text } : imagePart(p)));
}

function withId(part: Record<string, unknown>, id: string): Record<string, unknown> {
  return id.startsWith(SYNTHETIC_ID) ? part : { ...part, id };
}

/** Google's placeholder for a replayed call whose real thought signature is unknown. */
const SKIP_SIGNATURE = "skip_thought_signature_validator";

/** Gemini 3 and later validate thought signatures on replayed function calls. */
function checksSignatures(model: string): boolean {
  const major = /(?:^|\/)gemini-(\d+)/i.exec(model)?.[1];
  return major !== undefined && Number(major) >= 3;
}

function modelParts(m: ChatMessage, path: string, signed: boolean): Part[] {
  const parts: Part[] = [];
  const t = text(m.content, path);
  if (t !== "") parts.push({ text: t });
  m.tool_calls?.forEach((call, k) => {
    const args = parseArguments(
      call.function.arguments,
      `${path}.tool_calls[${k}].function.arguments`,
    );
    const part: Part = { functionCall: withId({ name: call.function.name, args }, call.id) };
    if (signed && k === 0) part.thoughtSignature = SKIP_SIGNATURE;
    parts.push(part);
  });
  return parts.length > 0 ? parts : [{ text: "" }];
}

function responseObject(content: string): JsonObject {
  try {
    const parsed: unknown = JSON.parse(content);
    if (isRecord(parsed)) return parsed as JsonObject;
  } catch {
    // plain text
  }
  return { content };
}

function convert(
  messages: ChatMessage[],
  signed: boolean,
): { system: string[]; contents: Content[] } {
  const system: string[] = [];
  const contents: Content[] = [];
  const names = new Map<string, string>();
  let results: Part[] | undefined;
  messages.forEach((m, i) => {
    const path = `messages[${i}]`;
    if (m.name !== undefined) throw untranslatable(`${path}.name`, TARGET);
    if (m.role !== "tool") results = undefined;
    if (m.role === "system" || m.role === "developer") system.push(text(m.content, path));
    else if (m.role === "user") contents.push({ role: "user", parts: userParts(m.content) });
    else if (m.role === "assistant") {
      for (const call of m.tool_calls ?? []) names.set(call.id, call.function.name);
      contents.push({ role: "model", parts: modelParts(m, path, signed) });
    } else {
      const id = m.tool_call_id;
      const name = id === undefined ? undefined : names.get(id);
      if (name === undefined)
        throw invalidField(
          `${path}.tool_call_id`,
          "does not match a tool call of an earlier assistant message",
        );
      const part = {
        functionResponse: withId({ name, response: responseObject(text(m.content, path)) }, id!),
      };
      if (results) results.push(part);
      else contents.push({ role: "user", parts: (results = [part]) });
    }
  });
  return { system, contents };
}

function toolConfig(req: ChatRequest): JsonObject | undefined {
  const choice = req.tool_choice;
  if (choice === undefined) return undefined;
  if (typeof choice === "object")
    return { functionCallingConfig: { mode: "ANY", allowedFunctionNames: [choice.function.name] } };
  const mode = choice === "required" ? "ANY" : choice === "none" ? "NONE" : "AUTO";
  return { functionCallingConfig: { mode } };
}

function generationConfig(req: ChatRequest): JsonObject {
  const config: JsonObject = {};
  if (req.temperature !== undefined) config.temperature = req.temperature;
  if (req.top_p !== undefined) config.topP = req.top_p;
  const max = req.max_completion_tokens ?? req.max_tokens;
  if (max !== undefined) config.maxOutputTokens = max;
  if (req.stop !== undefined)
    config.stopSequences = typeof req.stop === "string" ? [req.stop] : req.stop;
  if (req.presence_penalty !== undefined) config.presencePenalty = req.presence_penalty;
  if (req.frequency_penalty !== undefined) config.frequencyPenalty = req.frequency_penalty;
  if (req.seed !== undefined) config.seed = req.seed;
  const format = req.response_format;
  if (format?.type === "json_object") config.responseMimeType = "application/json";
  if (format?.type === "json_schema") {
    config.responseMimeType = "application/json";
    if (format.json_schema.schema) config.responseJsonSchema = format.json_schema.schema;
  }
  return config;
}

export function geminiRequestOut(req: ChatRequest, model: string): JsonObject {
  if (req.native?.dialect === "gemini") return req.native.body;
  rejectUnknownFields(req, KNOWN, TARGET);
  if (req.n !== undefined && req.n !== 1) throw untranslatable("n", TARGET);
  if (req.parallel_tool_calls === false) throw untranslatable("parallel_tool_calls", TARGET);
  const { system, contents } = convert(req.messages, checksSignatures(model));
  const body: JsonObject = { contents: contents as unknown as JsonObject[] };
  if (system.length > 0) body.systemInstruction = { parts: system.map((t) => ({ text: t })) };
  if (req.tools?.length) {
    const declarations = req.tools.map((tool, i) => {
      if (tool.function.strict) throw untranslatable(`tools[${i}].function.strict`, TARGET);
      const decl: JsonObject = { name: tool.function.name };
      if (tool.function.description !== undefined) decl.description = tool.function.description;
      if (tool.function.parameters !== undefined)
        decl.parametersJsonSchema = tool.function.parameters;
      return decl;
    });
    body.tools = [{ functionDeclarations: declarations }];
  }
  const tc = toolConfig(req);
  if (tc) body.toolConfig = tc;
  const config = generationConfig(req);
  if (Object.keys(config).length > 0) body.generationConfig = config;
  return body;
}
