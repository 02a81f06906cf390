/**
 * The MCP manager against real MCP servers written with the SDK: `files` over stdio (its own
 * process) and `search` over Streamable HTTP. Discovery, list_changed, a crash and reconnect,
 * direct calls and schema rejection; tools offered to models through all three front-ends with
 * the agent loop run by the gateway against the mock model (which calls the first tool it is
 * given), a cycle, the iteration limit; and an SDK MCP client on `/mcp`, behind governance.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import { GoogleGenAI } from "@google/genai";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import OpenAI from "openai";
import { join } from "node:path";
import { startLegacyServer } from "./fixtures/mcp/legacy-server.ts";
import { startSearchServer } from "./fixtures/mcp/search-server.ts";
import { startGateway, type TestGateway } from "./helpers/gateway.ts";

const FILES = join(import.meta.dir, "fixtures/mcp/files-server.ts");
const KEY = "sk-sy-mcp-caller-0001-wx";
const NARROW = "sk-sy-mcp-narrow-0001-wx";

let search: ReturnType<typeof startSearchServer>;
let legacy: Awaited<ReturnType<typeof startLegacyServer>>;
let gw: TestGateway;

beforeAll(async () => {
  search = startSearchServer();
  legacy = await startLegacyServer();
  gw = await startGateway({
    providers: { mock: { type: "mock", models: ["echo"] } },
    storage: { sqlite_path: ":memory:" },
    mcp: {
      servers: [
        { name: "files", transport: "stdio", command: "bun", args: [FILES] },
        { name: "search", transport: "http", url: search.url },
        { name: "legacy", transport: "sse", url: legacy.url },
      ],
      tools: ["files/read_file", "files/add", "search/*", "files/late_tool"],
      agent: { auto_execute: ["files/read_file"], max_iterations: 3, timeout_ms: 10_000 },
    },
    governance: {
      virtual_keys: [
        { key: KEY, name: "mcp-caller" },
        { key: NARROW, name: "narrow", mcp_tools: ["search/*"] },
      ],
    },
  });
});

afterAll(async () => {
  await gw.stop();
  search.stop();
  legacy.stop();
});

const auth = (key = KEY) => ({
  authorization: `Bearer ${key}`,
  "content-type": "application/json",
});

async function tools(
  key = KEY,
): Promise<{ server: string; name: string; input_schema: unknown }[]> {
  const r = await fetch(`${gw.url}/v1/mcp/tools`, { headers: auth(key) });
  expect(r.status).toBe(200);
  return ((await r.json()) as { data: { server: string; name: string; input_schema: unknown }[] })
    .data;
}

async function call(name: string, args: unknown, key = KEY) {
  const r = await fetch(`${gw.url}/v1/mcp/tools/call`, {
    method: "POST",
    headers: auth(key),
    body: JSON.stringify({ name, arguments: args }),
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await Bun.sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const names = async (key = KEY) => (await tools(key)).map((t) => `${t.server}/${t.name}`);

describe("discovery and direct calls", () => {
  it("lists every tool of both servers with its schema", async () => {
    const list = await tools();
    expect(list.map((t) => `${t.server}/${t.name}`)).toEqual(
      expect.arrayContaining([
        "files/read_file",
        "files/add",
        "files/crash",
        "search/search",
        "legacy/search",
      ]),
    );
    expect(list.find((t) => t.name === "add")?.input_schema).toMatchObject({
      required: ["a", "b"],
    });
  });

  it("runs a tool and returns its MCP result, over Streamable HTTP and over SSE", async () => {
    const r = await call("search/search", { query: "bun" });
    expect(r.status).toBe(200);
    expect(r.body.content).toEqual([{ type: "text", text: "results for bun" }]);
    const old = await call("legacy/search", { query: "sse" });
    expect(old.body.content).toEqual([{ type: "text", text: "results for sse" }]);
  });

  it("checks arguments against the tool's schema, naming the field", async () => {
    const wrongType = await call("files/add", { a: "one", b: 2 });
    expect(wrongType.status).toBe(400);
    expect((wrongType.body.error as { param: string }).param).toBe("arguments.a");
    const missing = await call("files/add", { a: 1 });
    expect((missing.body.error as { param: string }).param).toBe("arguments.b");
    expect((await call("files/nope", {})).status).toBe(404);
  });

  it("needs a virtual key, and shows a key only the tools it may use", async () => {
    const r = await fetch(`${gw.url}/v1/mcp/tools`);
    expect(r.status).toBe(401);
    expect(await names(NARROW)).toEqual(["search/search"]);
    expect((await call("files/read_file", { path: "x" }, NARROW)).status).toBe(403);
  });

  it("picks up tools a server adds (notifications/tools/list_changed)", async () => {
    expect(await names()).not.toContain("files/late_tool");
    expect((await call("files/add_tool", {})).status).toBe(200);
    await until(async () => (await names()).includes("files/late_tool"), "late_tool to appear");
  });

  it("drops a crashed server's tools and brings them back when it reconnects", async () => {
    await call("files/crash", {});
    await until(async () => !(await names()).includes("files/read_file"), "files to go away");
    const health = (await (await fetch(`${gw.url}/health`)).json()) as {
      mcp: { server: string }[];
    };
    expect(health.mcp.map((s) => s.server)).toEqual(["files", "search", "legacy"]);
    await until(async () => (await names()).includes("files/read_file"), "files to come back");
    expect((await call("files/read_file", { path: "again" })).body.content).toEqual([
      { type: "text", text: "contents of again" },
    ]);
  });
});

describe("agent mode through each front-end", () => {
  const expected = "The tool returned: contents of mock";

  it("runs the auto-executed tool for the OpenAI SDK, plain and streamed", async () => {
    await until(async () => (await names()).includes("files/read_file"), "files");
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: KEY, maxRetries: 0 });
    const { data, response } = await client.chat.completions
      .create({ model: "mock/echo", messages: [{ role: "user", content: "read it" }] })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe(expected);
    expect(response.headers.get("x-switchyard-agent-iterations")).toBe("2");
    let streamed = "";
    const stream = await client.chat.completions.create({
      model: "mock/echo",
      stream: true,
      messages: [{ role: "user", content: "read it" }],
    });
    for await (const chunk of stream) streamed += chunk.choices[0]?.delta.content ?? "";
    expect(streamed).toBe(expected);
  });

  it("runs it for the Anthropic and Gemini SDKs", async () => {
    const anthropic = new Anthropic({ baseURL: gw.url, apiKey: KEY, maxRetries: 0 });
    const msg = await anthropic.messages.create({
      model: "mock/echo",
      max_tokens: 100,
      messages: [{ role: "user", content: "read it" }],
    });
    expect(msg.content.map((b) => (b.type === "text" ? b.text : "")).join("")).toBe(expected);
    const ai = new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: gw.url } });
    const res = await ai.models.generateContent({ model: "mock/echo", contents: "read it" });
    expect(res.text).toBe(expected);
  });

  it("returns a call of a tool that is not auto-executed to the caller, under its MCP name", async () => {
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: KEY, maxRetries: 0 });
    const res = await client.chat.completions.create(
      { model: "mock/echo", messages: [{ role: "user", content: "find it" }] },
      { headers: { "x-switchyard-mcp-tools": "search/*" } },
    );
    expect(res.choices[0]?.finish_reason).toBe("tool_calls");
    const tc = res.choices[0]?.message.tool_calls?.[0];
    expect(tc?.type === "function" && tc.function.name).toBe("search/search");
  });

  it("offers no tools with x-switchyard-mcp-tools: none", async () => {
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: KEY, maxRetries: 0 });
    const res = await client.chat.completions.create(
      { model: "mock/echo", messages: [{ role: "user", content: "just talk" }] },
      { headers: { "x-switchyard-mcp-tools": "none" } },
    );
    expect(res.choices[0]?.message.content).toBe(
      "This is the Switchyard mock. You said: just talk",
    );
  });

  it("stops a model that repeats the same call, and one that never stops, with clear errors", async () => {
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: KEY, maxRetries: 0 });
    const cycle = (await client.chat.completions
      .create({ model: "mock/echo", messages: [{ role: "user", content: "[mock:repeat] read" }] })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(cycle.status).toBe(422);
    expect(cycle.code).toBe("agent_cycle");
    expect(cycle.headers?.get("x-switchyard-agent-iterations")).toBe("2");
    const endless = (await client.chat.completions
      .create({ model: "mock/echo", messages: [{ role: "user", content: "[mock:chain] read" }] })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(endless.status).toBe(422);
    expect(endless.code).toBe("agent_max_iterations");
    expect(endless.headers?.get("x-switchyard-agent-iterations")).toBe("3");
  });

  it("answers a cycle in the Anthropic and Gemini formats too", async () => {
    const anthropic = new Anthropic({ baseURL: gw.url, apiKey: KEY, maxRetries: 0 });
    const a = await anthropic.messages
      .create({
        model: "mock/echo",
        max_tokens: 50,
        messages: [{ role: "user", content: "[mock:repeat] go" }],
      })
      .catch((e: unknown) => e);
    expect(a).toBeInstanceOf(Anthropic.UnprocessableEntityError);
    expect((a as Error).message).toContain("same arguments");
    const g = await fetch(`${gw.url}/v1beta/models/mock/echo:generateContent`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-goog-api-key": KEY },
      body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "[mock:repeat] go" }] }] }),
    });
    expect(g.status).toBe(422);
    expect(((await g.json()) as { error: { message: string } }).error.message).toContain(
      "same arguments",
    );
  });

  it("counts and logs every tool execution", async () => {
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(
      /switchyard_mcp_tool_calls_total\{server="files",tool="read_file",outcome="ok"\} [1-9]/,
    );
    expect(
      gw.logs.some((l) => l.includes('"msg":"mcp tool call"') && l.includes("files/read_file")),
    ).toBe(true);
  });
});

describe("Switchyard as an MCP server", () => {
  async function connect(key: string): Promise<Client> {
    const client = new Client({ name: "test-client", version: "1.0.0" });
    const transport = new StreamableHTTPClientTransport(new URL(`${gw.url}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${key}` } },
    });
    await client.connect(transport);
    return client;
  }

  it("lets an SDK client list and run the aggregated tools", async () => {
    const client = await connect(KEY);
    const { tools: list } = await client.listTools();
    expect(list.map((t) => t.name)).toEqual(
      expect.arrayContaining(["files__read_file", "search__search"]),
    );
    const result = await client.callTool({ name: "search__search", arguments: { query: "mcp" } });
    expect(result.content).toEqual([{ type: "text", text: "results for mcp" }]);
    await client.close();
  });

  it("applies the key's tool permissions and refuses callers without a key", async () => {
    const narrow = await connect(NARROW);
    expect((await narrow.listTools()).tools.map((t) => t.name)).toEqual(["search__search"]);
    await narrow.close();
    await expect(connect("sk-sy-not-a-key-wxyz0123")).rejects.toThrow();
  });

  it("reads its bodies within the gateway's bounds: an escaped __proto__ key is refused", async () => {
    const r = await fetch(`${gw.url}/mcp`, {
      method: "POST",
      headers: { ...auth(), accept: "application/json, text/event-stream" },
      body: `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"search__search","arguments":{"\\u005f_proto__":{"x":1}}}}`,
    });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: { param: string } }).error.param).toBe("__proto__");
  });
});

describe("agent mode time limit", () => {
  /** A gateway whose agent loop has 150 ms, and what a chat through it ended with. */
  async function timedOut(provider: object, tool: string, prompt: string) {
    const gateway = await startGateway({
      providers: { mock: { type: "mock", models: ["echo"], ...provider } },
      mcp: {
        servers: [{ name: "files", transport: "stdio", command: "bun", args: [FILES] }],
        tools: [tool],
        agent: { auto_execute: ["files/*"], timeout_ms: 150 },
      },
    });
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: "k", maxRetries: 0 });
    const err = (await client.chat.completions
      .create({ model: "mock/echo", messages: [{ role: "user", content: prompt }] })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    return { gateway, err };
  }

  it("stops the loop at timeout_ms with a 504 agent_timeout, cancelling the tool", async () => {
    const { gateway, err } = await timedOut({}, "files/slow", "be slow");
    try {
      expect(err.status).toBe(504);
      expect(err.code).toBe("agent_timeout");
      expect(err.headers?.get("x-switchyard-agent-iterations")).toBe("1");
    } finally {
      await gateway.stop();
    }
  });

  it("cancels a slow model call the loop gave up on, freeing its pool slot", async () => {
    const { gateway, err } = await timedOut(
      { mock: { latency_ms: 3_000 } },
      "files/read_file",
      "hello",
    );
    try {
      expect(err.status).toBe(504);
      expect(err.code).toBe("agent_timeout");
      type Pools = { pools: { provider: string; inFlight: number }[] };
      const inFlight = async () =>
        ((await (await fetch(`${gateway.url}/health`)).json()) as Pools).pools.find(
          (p) => p.provider === "mock",
        )!.inFlight;
      // The mock would answer after 3 s; the slot must be free long before that.
      for (let i = 0; i < 40 && (await inFlight()) > 0; i++) await Bun.sleep(25);
      expect(await inFlight()).toBe(0);
    } finally {
      await gateway.stop();
    }
  });
});

describe("a server that cannot be reached", () => {
  it("does not stop the gateway: it starts without that server's tools and keeps retrying", async () => {
    const lonely = await startGateway({
      providers: { mock: { type: "mock", models: ["echo"] } },
      mcp: { servers: [{ name: "gone", transport: "http", url: "http://127.0.0.1:1/mcp" }] },
    });
    try {
      const health = (await (await fetch(`${lonely.url}/health`)).json()) as { mcp: unknown };
      expect(health.mcp).toEqual([{ server: "gone", connected: false, tools: 0 }]);
      const list = (await (await fetch(`${lonely.url}/v1/mcp/tools`)).json()) as {
        data: unknown[];
      };
      expect(list.data).toEqual([]);
      expect(lonely.logs.some((l) => l.includes("mcp server unreachable"))).toBe(true);
    } finally {
      await lonely.stop();
    }
  });
});
