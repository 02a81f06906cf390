/**
 * Golden files of the Anthropic dialect: each `golden/*.json` is one case,
 * `{ "transform", "input", "output" }` (plus `model` for requestOut and `request` for streamOut),
 * in the format of src/dialects/golden.test.ts, which runs them too. Stream cases list events
 * (`{event, data}` with data written as JSON) or chunks in order. Timestamps are zeroed and a
 * verbatim `native` copy of the input reads "$input" / "$event", so outputs show decisions only.
 *
 *   UPDATE_GOLDEN=1 bun test src/dialects/anthropic   # rewrites outputs: review every diff
 */
import { describe, expect, it } from "bun:test";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ChatChunk, ChatRequest, ChatResponse } from "../../core/chat.ts";
import { GatewayError } from "../../core/errors.ts";
import type { SseEvent } from "../../core/stream.ts";
import { anthropic } from "./index.ts";

interface GoldenCase {
  transform: "requestIn" | "requestOut" | "responseIn" | "responseOut" | "streamIn" | "streamOut";
  model?: string;
  request?: ChatRequest;
  input: unknown;
  output: unknown;
}

type Wire = { event?: string; data: unknown };

const toSse = (e: Wire): SseEvent => ({
  ...(e.event === undefined ? {} : { event: e.event }),
  data: typeof e.data === "string" ? e.data : JSON.stringify(e.data),
});

function fromSse(e: SseEvent): Wire {
  let data: unknown = e.data;
  try {
    data = JSON.parse(e.data);
  } catch {
    // plain data stays a string
  }
  return e.event === undefined ? { data } : { event: e.event, data };
}

function normalise(value: unknown, input: unknown): unknown {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v !== "object" || v === null) return v;
    const out: Record<string, unknown> = {};
    for (const [k, inner] of Object.entries(v)) {
      if (k === "created" && typeof inner === "number") out[k] = 0;
      else if (k === "native" && typeof inner === "object" && inner !== null) {
        const n = inner as Record<string, unknown>;
        out[k] = {
          ...n,
          ...("body" in n && Bun.deepEquals(n.body, input) ? { body: "$input" } : {}),
          ...("event" in n ? { event: "$event" } : {}),
        };
      } else out[k] = walk(inner);
    }
    return out;
  };
  return walk(JSON.parse(JSON.stringify(value ?? null)));
}

function transform(c: GoldenCase): unknown {
  const input = structuredClone(c.input);
  switch (c.transform) {
    case "requestIn":
      return anthropic.requestIn(input);
    case "requestOut":
      return anthropic.requestOut(input as ChatRequest, c.model ?? "upstream-model");
    case "responseIn":
      return anthropic.responseIn(input);
    case "responseOut":
      return anthropic.responseOut(input as ChatResponse);
    case "streamIn": {
      const state = anthropic.streamIn.init();
      return (input as Wire[]).map((e) => anthropic.streamIn.parse(toSse(e), state));
    }
    case "streamOut": {
      const encoder = anthropic.streamOut(c.request ?? { model: "client-model", messages: [] });
      const events = (input as ChatChunk[]).flatMap((chunk) => encoder.push(chunk));
      return [...events, ...encoder.end()].map(fromSse);
    }
  }
}

function run(c: GoldenCase): unknown {
  try {
    return transform(c);
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    return { error: { code: err.code, status: err.status, param: err.param ?? null } };
  }
}

const dir = join(import.meta.dir, "golden");
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".json"))
  .sort();

describe("anthropic golden files", () => {
  it("covers every transform", () => {
    const cases = files.map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as GoldenCase);
    const transforms = new Set(cases.map((c) => c.transform));
    expect([...transforms].sort()).toEqual([
      "requestIn",
      "requestOut",
      "responseIn",
      "responseOut",
      "streamIn",
      "streamOut",
    ]);
  });

  for (const file of files) {
    it(file.replace(/\.json$/, "").replaceAll("-", " "), () => {
      const path = join(dir, file);
      const c = JSON.parse(readFileSync(path, "utf8")) as GoldenCase;
      const got = normalise(run(c), c.input);
      if (process.env.UPDATE_GOLDEN === "1")
        writeFileSync(path, `${JSON.stringify({ ...c, output: got }, null, 2)}\n`);
      else expect(got).toEqual(c.output as never);
    });
  }
});
