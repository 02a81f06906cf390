/**
 * Every way a request reaches a model passes the caller's model permissions (governance's
 * `allowed_models`): request fallbacks (body and header), an alias's operator-defined targets
 * and fallbacks, each turn of the MCP agent loop, and embeddings. The provider a key may not use
 * is a real socket that counts what reaches it: it must see nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { join } from "node:path";
import OpenAI from "openai";
import { startGateway, type TestGateway } from "./helpers/gateway.ts";
import { startHostileUpstream, type HostileUpstream } from "../bench/lib/hostile-upstream.ts";
import { startMockUpstream, type MockUpstream } from "./helpers/mock-upstream.ts";

const FILES = join(import.meta.dir, "fixtures/mcp/files-server.ts");
const UP_KEY = "sk-up-provider-key-0123456789";
const ANTH_KEY = "sk-anth-provider-key-0123456789";
const NARROW = "sk-sy-narrow-caller-key-0001";
const ALIASED = "sk-sy-aliased-caller-key-0001";
const ANTH_ONLY = "sk-sy-anth-only-caller-key-0001";

let up: HostileUpstream;
let anth: MockUpstream;
let gw: TestGateway;

beforeAll(async () => {
  up = startHostileUpstream(UP_KEY);
  anth = startMockUpstream({ apiKeys: [ANTH_KEY] }, "anthropic");
  gw = await startGateway({
    providers: {
      up: {
        type: "openai",
        base_url: `${up.url}/v1`,
        keys: [{ value: UP_KEY }],
        retry: { max_attempts: 1 },
      },
      anth: { type: "anthropic", base_url: anth.url, keys: [{ value: ANTH_KEY }] },
    },
    models: {
      smart: { targets: [{ model: "up/fail" }], fallbacks: ["anth/claude-opus-4-1"] },
      agentic: { targets: [{ model: "up/tool-then-fail" }], fallbacks: ["anth/claude-opus-4-1"] },
    },
    storage: { sqlite_path: ":memory:" },
    mcp: {
      servers: [{ name: "files", transport: "stdio", command: "bun", args: [FILES] }],
      tools: ["files/read_file"],
      agent: { auto_execute: ["files/read_file"] },
    },
    governance: {
      virtual_keys: [
        { key: NARROW, name: "narrow", allowed_models: ["up/*"] },
        { key: ALIASED, name: "aliased", allowed_models: ["smart"] },
        { key: ANTH_ONLY, name: "anth-only", allowed_models: ["anth/*"] },
      ],
    },
  });
});

afterAll(async () => {
  await gw.stop();
  await up.stop();
  await anth.stop();
});

const client = (key: string) => new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: key, maxRetries: 0 });
const hello = [{ role: "user" as const, content: "hello" }];
const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("expected a failure");
    },
    (e: unknown) => e as InstanceType<typeof OpenAI.APIError>,
  );

describe("a key allowed up/* only", () => {
  it("is refused a request fallback to another provider, named in the body", async () => {
    const err = await failure(
      client(NARROW).chat.completions.create({
        model: "up/fail",
        messages: hello,
        // @ts-expect-error the gateway's own field
        fallbacks: ["anth/claude-opus-4-1"],
      }),
    );
    expect(err.status).toBe(403);
    expect(err.code).toBe("model_not_allowed");
    expect(err.param).toBe("fallbacks");
    expect(anth.seen).toHaveLength(0);
  });

  it("is refused the same fallback in x-switchyard-fallbacks", async () => {
    const err = await failure(
      client(NARROW).chat.completions.create(
        { model: "up/fail", messages: hello },
        { headers: { "x-switchyard-fallbacks": "anth/claude-opus-4-1" } },
      ),
    );
    expect(err.status).toBe(403);
    expect(anth.seen).toHaveLength(0);
  });

  it("reaching an alias through its first target, never gets the alias's other fallbacks", async () => {
    const err = await failure(
      client(NARROW).chat.completions.create({ model: "smart", messages: hello }),
    );
    expect(err.status).toBe(502);
    expect(anth.seen).toHaveLength(0);
  });

  it("never reaches another provider from a later turn of the MCP agent loop", async () => {
    const err = await failure(
      client(NARROW).chat.completions.create({ model: "agentic", messages: hello }),
    );
    expect(err.status).toBe(502);
    expect(up.seen.get("tool-then-fail")).toBe(2); // the tool call, then the failing turn
    expect(anth.seen).toHaveLength(0);
  });

  it("is refused embeddings from a model it may not use", async () => {
    const err = await failure(
      client(NARROW).embeddings.create({ model: "anth/claude-opus-4-1", input: "hi" }),
    );
    expect(err.status).toBe(403);
    expect(err.code).toBe("model_not_allowed");
  });
});

describe("a key allowed the alias by name", () => {
  it("gets the operator's fallback when the alias's target fails", async () => {
    const { data, response } = await client(ALIASED)
      .chat.completions.create({ model: "smart", messages: hello })
      .withResponse();
    expect(data.choices[0]!.finish_reason).toBe("stop");
    expect(response.headers.get("x-switchyard-provider")).toBe("anth");
    expect(anth.seen.length).toBeGreaterThan(0);
  });
});

describe("a key allowed only an alias's fallback, by its provider/model", () => {
  it("is answered by that fallback, and the target it may not use is never tried", async () => {
    const failedBefore = up.seen.get("fail") ?? 0;
    const anthBefore = anth.seen.length;
    const { data, response } = await client(ANTH_ONLY)
      .chat.completions.create({ model: "smart", messages: hello })
      .withResponse();
    expect(data.choices[0]!.finish_reason).toBe("stop");
    expect(response.headers.get("x-switchyard-provider")).toBe("anth");
    expect(up.seen.get("fail") ?? 0).toBe(failedBefore);
    expect(anth.seen.length).toBeGreaterThan(anthBefore);
  });

  it("is refused a model it may not use, naming it, before any upstream call", async () => {
    const failedBefore = up.seen.get("fail") ?? 0;
    const err = await failure(
      client(ANTH_ONLY).chat.completions.create({ model: "up/fail", messages: hello }),
    );
    expect(err.status).toBe(403);
    expect(err.code).toBe("model_not_allowed");
    expect(err.message).toContain("up/fail");
    expect(up.seen.get("fail") ?? 0).toBe(failedBefore);
  });
});
