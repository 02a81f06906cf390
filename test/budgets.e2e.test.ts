/**
 * Budgets hold as documented, against an upstream that counts tokens as providers do (the hostile
 * upstream's `metered` model: CJK one token a character, images 765, tools by their JSON, `n`
 * answers of `max_tokens` each): concurrent requests stay within a budget when each answer stays
 * within what it reserved, a burst without `max_tokens` is admitted as far as the budget can
 * plausibly pay, and a model without a price is never free under a budget.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { join } from "node:path";
import { startGateway, type TestGateway } from "./helpers/gateway.ts";
import { startHostileUpstream, type HostileUpstream } from "../bench/lib/hostile-upstream.ts";

const UP_KEY = "sk-up-provider-key-for-budgets-01";
const ADMIN = "admin-key-for-budget-tests-0001";
/** A key per kind of input the estimate must count (see "a budget under concurrent requests"). */
const KINDS: Record<string, string> = {
  cjk: "sk-sy-budget-cjk-key-000001",
  images: "sk-sy-budget-images-key-0001",
  tools: "sk-sy-budget-tools-key-00001",
  n: "sk-sy-budget-n-choices-key-01",
};
const BURST = "sk-sy-budget-burst-key-0001";
const PRICED = "sk-sy-budget-priced-key-0001";
const FREE = "sk-sy-budget-free-key-00001";
const SHRINK = "sk-sy-budget-shrink-key-0001";
const CUT = "sk-sy-budget-cut-key-000001";
const QUEUED = "sk-sy-budget-queued-key-0001";
const DENIED = "sk-sy-budget-denied-key-0001";
const AGENT = "sk-sy-budget-agent-key-00001";
const FILES = join(import.meta.dir, "fixtures/mcp/files-server.ts");
const MAX_USD = 0.05;

let up: HostileUpstream;
let gw: TestGateway;

beforeAll(async () => {
  up = startHostileUpstream(UP_KEY);
  const budget = { max_usd: MAX_USD, period: "1d" };
  gw = await startGateway({
    providers: {
      up: { type: "openai", base_url: `${up.url}/v1`, keys: [{ value: UP_KEY }] },
      mock: { type: "mock" },
      slow: { type: "mock", mock: { chunk_delay_ms: 100 } },
      lagged: { type: "mock", mock: { latency_ms: 300 } },
      // One call at a time: a second waits in the queue.
      single: { type: "mock", mock: { latency_ms: 400 }, pool: { concurrency: 1 } },
    },
    plugins: [
      {
        name: "guardrails",
        config: { deny: [{ name: "no-secrets", pattern: "forbidden", applies_to: "output" }] },
      },
    ],
    models: { fb: { targets: [{ model: "up/fail" }], fallbacks: ["up/unpriced"] } },
    storage: { sqlite_path: ":memory:" },
    governance: {
      admin_key: ADMIN,
      pricing: {
        "up/metered": { input_per_million: 1, output_per_million: 4 },
        "up/echo": { input_per_million: 1, output_per_million: 24.4 },
        "up/fail": { input_per_million: 1, output_per_million: 4 },
        "lagged/echo": { input_per_million: 1, output_per_million: 1000 },
        "slow/echo": { input_per_million: 1000, output_per_million: 1000 },
        "single/echo": { input_per_million: 1000, output_per_million: 1000 },
        "mock/echo": { input_per_million: 1000, output_per_million: 1000 },
      },
      virtual_keys: [
        ...Object.entries(KINDS).map(([name, key]) => ({ key, name, budget })),
        { key: BURST, name: "burst", budget },
        { key: PRICED, name: "priced", budget },
        { key: FREE, name: "free" },
        { key: SHRINK, name: "shrink", budget: { max_usd: 1.5, period: "1d" } },
        { key: CUT, name: "cut", budget: { max_usd: 10, period: "1d" } },
        { key: QUEUED, name: "queued", budget: { max_usd: 10, period: "1d" } },
        { key: DENIED, name: "denied", budget: { max_usd: 10, period: "1d" } },
      ],
    },
  });
});

afterAll(async () => {
  await gw.stop();
  await up.stop();
});

async function chat(key: string, body: Record<string, unknown>) {
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as { error?: { code: string } };
  return {
    status: res.status,
    code: json.error?.code,
    cost: Number(res.headers.get("x-switchyard-cost-usd") ?? 0),
  };
}

async function spent(name: string, url = gw.url): Promise<number> {
  const headers = { authorization: `Bearer ${ADMIN}` };
  const keys = (await (await fetch(`${url}/admin/keys`, { headers })).json()) as {
    data: { id: string; name: string }[];
  };
  const id = keys.data.find((k) => k.name === name)!.id;
  const budget = (await (await fetch(`${url}/admin/keys/${id}/budget`, { headers })).json()) as {
    levels: { spent_usd: number }[];
  };
  return budget.levels[0]!.spent_usd;
}

const IMAGE = "data:image/png;base64,iVBORw0KGgo=";
const TOOL = {
  type: "function",
  function: {
    name: "lookup",
    description: "Looks a word up in the dictionary",
    parameters: { type: "object", properties: { word: { type: "string" } } },
  },
};

describe("a budget under concurrent requests", () => {
  // Each kind of input on a key of its own, sized so that it is most of what a request costs: an
  // estimate that missed it (CJK as characters/4, images or tools as nothing, one answer for n)
  // would admit the whole burst and spend several budgets.
  const say = (content: unknown) => [{ role: "user", content }];
  const kinds: [string, Record<string, unknown>][] = [
    [
      "cjk",
      { max_tokens: 5, messages: say("請把這段文字翻譯成英文，並解釋每一個詞的意思。".repeat(80)) },
    ],
    [
      "images",
      {
        max_tokens: 5,
        messages: say([
          { type: "text", text: "What do these show?" },
          ...Array.from({ length: 4 }, () => ({ type: "image_url", image_url: { url: IMAGE } })),
        ]),
      },
    ],
    [
      "tools",
      {
        max_tokens: 5,
        tools: Array.from({ length: 40 }, (_, i) => ({
          ...TOOL,
          function: { ...TOOL.function, name: `lookup_${i}` },
        })),
        messages: say("Look up 'budget'."),
      },
    ],
    ["n", { max_tokens: 100, n: 8, messages: say("Name a colour.") }],
  ];
  for (const [kind, extra] of kinds) {
    it(`is not passed by ${kind}, and is nearly all used`, async () => {
      const body = { model: "up/metered", ...extra };
      const key = KINDS[kind]!;
      const results = await Promise.all(Array.from({ length: 64 }, () => chat(key, body)));
      const refused = results.filter((r) => r.status !== 200);
      expect(refused.length).toBeGreaterThan(0);
      expect(new Set(refused.map((r) => r.code))).toEqual(new Set(["budget_exceeded"]));
      // What the burst's reservations held back is free again once they settle: one at a time,
      // the rest of the budget is used until the next answer could not be paid.
      const served = results.filter((r) => r.status === 200);
      for (let i = 0; i < 64; i++) {
        const next = await chat(key, body);
        if (next.status !== 200) break;
        served.push(next);
      }
      await Bun.sleep(50); // settlements land just after each answer
      const total = await spent(kind);
      expect(total).toBeCloseTo(
        served.reduce((sum, r) => sum + r.cost, 0),
        6,
      );
      expect(total).toBeLessThanOrEqual(MAX_USD);
      expect(MAX_USD - total).toBeLessThan(2 * served[0]!.cost);
    });
  }

  it("admits a burst without max_tokens as far as the budget can plausibly pay", async () => {
    // 1,024 output tokens (the default reservation) cost half the budget; the answers cost little.
    const hello = { model: "up/echo", messages: [{ role: "user", content: "hi" }] };
    expect((await chat(BURST, hello)).status).toBe(200); // the model's answers are now known
    // 128 at once (the test's own fetch shares one process with the gateway and its upstream).
    const results = await Promise.all(Array.from({ length: 128 }, () => chat(BURST, hello)));
    expect(results.filter((r) => r.status === 200).length).toBe(128);
    expect(await spent("burst")).toBeLessThanOrEqual(MAX_USD);
  });
});

describe("what a caller cannot do to its own budget", () => {
  it("cannot shrink its reservations with answers cut at a tiny max_tokens", async () => {
    const ask = (max?: number) =>
      chat(SHRINK, {
        model: "lagged/echo",
        ...(max === undefined ? {} : { max_tokens: max }),
        messages: [{ role: "user", content: "tell me a long story please" }],
      });
    for (let i = 0; i < 3; i++) expect((await ask(1)).status).toBe(200);
    // Without max_tokens each still reserves 1,024 output tokens ($1.02): two at once (each takes
    // 300 ms) do not fit in $1.50.
    const burst = await Promise.all([ask(), ask()]);
    expect(burst.map((r) => r.status).sort()).toEqual([200, 429]);
  });

  it("pays for a stream its own deadline cut after the first chunk", async () => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${CUT}`,
        "x-switchyard-timeout-ms": "250",
      },
      body: JSON.stringify({
        model: "slow/echo",
        stream: true,
        max_tokens: 100,
        messages: [{ role: "user", content: "one two three four five six seven eight nine ten" }],
      }),
    });
    const text = await res.text();
    expect(text).toContain("upstream_timeout");
    await Bun.sleep(50);
    // At least what it reserved: its prompt and 100 output tokens at $1,000 a million.
    expect(await spent("cut")).toBeGreaterThanOrEqual(0.1);
  });
});

describe("what a budget is charged", () => {
  it("nothing for a request that gave up while queued, never reaching the upstream", async () => {
    const ask = (timeout?: string) =>
      fetch(`${gw.url}/v1/chat/completions`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${QUEUED}`,
          ...(timeout ? { "x-switchyard-timeout-ms": timeout } : {}),
        },
        body: JSON.stringify({
          model: "single/echo",
          max_tokens: 4000,
          messages: [{ role: "user", content: "hi" }],
        }),
      });
    const first = ask();
    await Bun.sleep(50);
    const queued = await ask("150"); // waits for the only slot, then gives up
    expect(queued.status).toBe(504);
    const cost = Number((await first).headers.get("x-switchyard-cost-usd"));
    await Bun.sleep(50);
    expect(await spent("queued")).toBeCloseTo(cost, 6);
  });

  it("an answer a guardrail then refused: the upstream was paid", async () => {
    const res = await chat(DENIED, {
      model: "mock/echo",
      messages: [{ role: "user", content: "say forbidden" }],
    });
    expect(res.status).toBe(400);
    await Bun.sleep(50);
    expect(await spent("denied")).toBeGreaterThan(0);
  });

  it("the turns an agent loop had answered, when a later one fails", async () => {
    const agentic = await startGateway({
      providers: { up: { type: "openai", base_url: `${up.url}/v1`, keys: [{ value: UP_KEY }] } },
      storage: { sqlite_path: ":memory:" },
      mcp: {
        servers: [{ name: "files", transport: "stdio", command: "bun", args: [FILES] }],
        tools: ["files/read_file"],
        agent: { auto_execute: ["files/read_file"] },
      },
      governance: {
        admin_key: ADMIN,
        pricing: { "up/tool-then-fail": { input_per_million: 1000, output_per_million: 1000 } },
        virtual_keys: [{ key: AGENT, name: "agent", budget: { max_usd: 10, period: "1d" } }],
      },
    });
    try {
      const res = await fetch(`${agentic.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${AGENT}` },
        body: JSON.stringify({
          model: "up/tool-then-fail",
          messages: [{ role: "user", content: "read the notes" }],
        }),
      });
      expect(res.status).toBe(502);
      await Bun.sleep(50);
      // The first turn (5 prompt and 5 completion tokens at $1,000 a million) was paid.
      expect(await spent("agent", agentic.url)).toBeCloseTo(0.01, 6);
    } finally {
      await agentic.stop();
    }
  });
});

describe("prices under a budget", () => {
  it("prices a dated snapshot as its model", async () => {
    const res = await chat(PRICED, {
      model: "up/metered-2025-01-31",
      max_tokens: 5,
      messages: [{ role: "user", content: "hi" }],
    });
    expect(res.status).toBe(200);
    expect(res.cost).toBeGreaterThan(0);
  });

  it("refuses a model with no price to a key with a budget, and not to one without", async () => {
    const hello = { model: "up/unpriced", messages: [{ role: "user", content: "hi" }] };
    const refused = await chat(PRICED, hello);
    expect(refused.status).toBe(403);
    expect(refused.code).toBe("model_unpriced");
    expect((await chat(FREE, hello)).status).toBe(200);
    // Said at start, naming the models.
    const warning = gw.logs.find((line) => line.includes("no price for these models"));
    expect(warning).toContain("up/unpriced");
  });

  it("charges an unpriced fallback what the request reserved, never nothing", async () => {
    const res = await chat(PRICED, {
      model: "fb",
      max_tokens: 10,
      messages: [{ role: "user", content: "hi" }],
    });
    expect(res.status).toBe(200);
    expect(res.cost).toBeGreaterThan(0);
  });
});
