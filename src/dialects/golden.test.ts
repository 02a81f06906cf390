/**
 * Golden-file tests for every dialect transform. Each file under `src/dialects/<dialect>/golden/`
 * holds one case, `{ "transform", "input", "output" }` (plus `target` for `requestIn` and `model`
 * for `requestOut`), written in the real wire formats. Stream cases list events or chunks in
 * order; event `data` is written as JSON for reading. Timestamps are zeroed, and a `native` copy
 * of the input is written as "$input" / "$event", so the files show only what a transform decides.
 *
 *   UPDATE_GOLDEN=1 bun test src/dialects   # rewrites the outputs: review every diff by eye
 */
import { describe, expect, it } from "bun:test";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ChatChunk, ChatRequest, ChatResponse } from "../core/chat.ts";
import { GatewayError } from "../core/errors.ts";
import type { SseEvent } from "../core/stream.ts";
import { anthropic } from "./anthropic/index.ts";
import { gemini } from "./gemini/index.ts";
import { openai } from "./openai/index.ts";
import type { DialectCodec, RequestTarget } from "./types.ts";

interface GoldenCase {
  transform: "requestIn" | "requestOut" | "responseIn" | "responseOut" | "streamIn" | "streamOut";
  target?: RequestTarget;
  model?: string;
  /** For streamOut: the client request the encoder answers. */
  request?: ChatRequest;
  input: unknown;
  output: unknown;
}

const CODECS: DialectCodec[] = [openai, anthropic, gemini];
const UPDATE = process.env.UPDATE_GOLDEN === "1";

type Wire = { event?: string; data: unknown };
const toSse = (e: Wire): SseEvent => ({
  ...(e.event === undefined ? {} : { event: e.event }),
  data: typeof e.data === "string" ? e.data : JSON.stringify(e.data),
});
const fromSse = (e: SseEvent): Wire => {
  let data: unknown = e.data;
  try {
    data = JSON.parse(e.data);
  } catch {
    // `[DONE]` and other plain data stay strings
  }
  return e.event === undefined ? { data } : { event: e.event, data };
};

/** Zeroes timestamps and replaces verbatim native copies, so outputs show decisions only. */
function normalise(value: unknown, input: unknown): unknown {
  const json = JSON.parse(JSON.stringify(value ?? null)) as unknown;
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
  return walk(json);
}

function run(codec: DialectCodec, c: GoldenCase): unknown {
  try {
    switch (c.transform) {
      case "requestIn":
        return codec.requestIn(structuredClone(c.input), c.target ?? {});
      case "requestOut":
        return codec.requestOut(
          structuredClone(c.input) as ChatRequest,
          c.model ?? "upstream-model",
        );
      case "responseIn":
        return codec.responseIn(structuredClone(c.input));
      case "responseOut":
        return codec.responseOut(structuredClone(c.input) as ChatResponse);
      case "streamIn": {
        const state = codec.streamIn.init();
        const out: unknown[] = [];
        for (const e of c.input as Wire[]) {
          const step = codec.streamIn.parse(toSse(e), state);
          out.push(step === "done" ? "done" : step);
        }
        return out;
      }
      case "streamOut": {
        const encoder = codec.streamOut(c.request ?? { model: "client-model", messages: [] });
        const out = (c.input as ChatChunk[]).flatMap((chunk) => encoder.push(chunk));
        return [...out, ...encoder.end()].map(fromSse);
      }
    }
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    return { error: { code: err.code, status: err.status, param: err.param ?? null } };
  }
}

for (const codec of CODECS) {
  const dir = join(import.meta.dir, codec.dialect, "golden");
  let files: string[] = [];
  try {
    files = readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .sort();
  } catch {
    files = [];
  }
  describe(`${codec.dialect} golden files`, () => {
    it("has golden files", () => {
      expect(files.length).toBeGreaterThan(0);
    });
    for (const file of files) {
      it(file.replace(/\.json$/, "").replaceAll("-", " "), () => {
        const path = join(dir, file);
        const c = JSON.parse(readFileSync(path, "utf8")) as GoldenCase;
        const got = normalise(run(codec, c), c.input);
        if (UPDATE) writeFileSync(path, `${JSON.stringify({ ...c, output: got }, null, 2)}\n`);
        else expect(got).toEqual(c.output as never);
      });
    }
  });
}
