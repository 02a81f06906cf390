/** Gemini `generationConfig` and `toolConfig` -> canonical sampling, format and tool settings. */
import type { ChatRequest, JsonObject } from "../../core/chat.ts";
import { invalidField, isRecord } from "../fields.ts";
import { extraKeys, field } from "./casing.ts";
import { toJsonSchema } from "./schema.ts";

const NUMBERS = {
  temperature: "temperature",
  topP: "top_p",
  maxOutputTokens: "max_tokens",
  candidateCount: "n",
  presencePenalty: "presence_penalty",
  frequencyPenalty: "frequency_penalty",
  seed: "seed",
} as const;

const FORMAT_KEYS = ["responseMimeType", "responseSchema", "responseJsonSchema"];

function readFormat(
  config: Record<string, unknown>,
  path: string,
  req: ChatRequest,
  unmapped: string[],
) {
  const mime = field(config, "responseMimeType");
  const jsonSchema = field(config, "responseJsonSchema");
  const openApiSchema = field(config, "responseSchema");
  const schema = jsonSchema.value !== undefined ? jsonSchema : openApiSchema;
  const schemaPath = `${path}.${schema.key}`;
  if (jsonSchema.value !== undefined && openApiSchema.value !== undefined)
    unmapped.push(`${path}.${openApiSchema.key}`);
  if (mime.value === undefined || mime.value === "text/plain") {
    if (schema.value !== undefined) unmapped.push(schemaPath);
    return;
  }
  if (mime.value !== "application/json") return void unmapped.push(`${path}.${mime.key}`);
  if (schema.value === undefined) {
    req.response_format = { type: "json_object" };
    return;
  }
  if (!isRecord(schema.value)) throw invalidField(schemaPath, "must be an object");
  req.response_format = {
    type: "json_schema",
    json_schema: {
      name: "response",
      schema: toJsonSchema(schema.value as JsonObject) as JsonObject,
    },
  };
}

export function readGenerationConfig(
  value: unknown,
  path: string,
  req: ChatRequest,
  unmapped: string[],
) {
  if (!isRecord(value)) throw invalidField(path, "must be an object");
  for (const key of extraKeys(value, [...Object.keys(NUMBERS), "stopSequences", ...FORMAT_KEYS]))
    unmapped.push(`${path}.${key}`);
  for (const [camel, canonical] of Object.entries(NUMBERS)) {
    const f = field(value, camel);
    if (f.value === undefined) continue;
    if (typeof f.value !== "number" || !Number.isFinite(f.value))
      throw invalidField(`${path}.${f.key}`, "must be a number");
    req[canonical] = f.value;
  }
  const stop = field(value, "stopSequences");
  if (stop.value !== undefined) {
    if (!Array.isArray(stop.value) || stop.value.some((s) => typeof s !== "string"))
      throw invalidField(`${path}.${stop.key}`, "must be an array of strings");
    req.stop = stop.value as string[];
  }
  readFormat(value, path, req, unmapped);
}

export function readToolConfig(value: unknown, path: string, req: ChatRequest, unmapped: string[]) {
  if (!isRecord(value)) throw invalidField(path, "must be an object");
  for (const key of extraKeys(value, ["functionCallingConfig"])) unmapped.push(`${path}.${key}`);
  const fcc = field(value, "functionCallingConfig");
  if (fcc.value === undefined) return;
  const p = `${path}.${fcc.key}`;
  if (!isRecord(fcc.value)) throw invalidField(p, "must be an object");
  const mode = fcc.value.mode ?? "AUTO";
  const allowed = field(fcc.value, "allowedFunctionNames");
  const names = allowed.value;
  if (names !== undefined && (!Array.isArray(names) || names.some((n) => typeof n !== "string")))
    throw invalidField(`${p}.${allowed.key}`, "must be an array of strings");
  if (mode === "AUTO" || mode === "MODE_UNSPECIFIED") req.tool_choice = "auto";
  else if (mode === "NONE") req.tool_choice = "none";
  else if (mode === "ANY") {
    const list = (names ?? []) as string[];
    if (list.length === 1) req.tool_choice = { type: "function", function: { name: list[0]! } };
    else req.tool_choice = "required";
    if (list.length > 1) unmapped.push(`${p}.${allowed.key}`);
    return;
  } else if (mode === "VALIDATED") {
    unmapped.push(`${p}.mode`);
  } else {
    throw invalidField(`${p}.mode`, "must be AUTO, ANY, NONE or VALIDATED");
  }
  if (names !== undefined) unmapped.push(`${p}.${allowed.key}`);
}
