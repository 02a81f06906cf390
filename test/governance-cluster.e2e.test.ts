/**
 * Governance across instances: two gateway processes share the real Redis (limits) and the real
 * PostgreSQL (keys and usage, in a schema of this run's own). A key limited to N requests a
 * minute gets exactly N answers across both; concurrent streams whose answers stay within what
 * they reserved never pass a budget; a key revoked through one instance's admin API is locked out of the other.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import OpenAI from "openai";
import { startGatewayProcess, type GatewayProcess } from "./helpers/gateway-process.ts";
import { REDIS_URL, useTestSchema } from "./helpers/postgres-schema.ts";

const RUN = crypto.randomUUID().replaceAll("-", "").slice(0, 12);
const schema = useTestSchema("sy_cluster");
const ADMIN = `admin-${RUN}-0123456789`;
const KEYS = {
  limited: `sk-sy-limited-${RUN}`,
  budget: `sk-sy-budget-${RUN}`,
  revoked: `sk-sy-revoked-${RUN}`,
};
const RPM = 10;
const MAX_USD = 0.1;
const PRICE = { input_per_million: 1_000, output_per_million: 2_000 };

let a: GatewayProcess;
let b: GatewayProcess;

beforeAll(async () => {
  const doc = {
    providers: { mock: { type: "mock", models: ["echo"], mock: { chunk_delay_ms: 20 } } },
    logging: { level: "warn" },
    storage: { redis_url: REDIS_URL, postgres_url: schema.url },
    governance: {
      admin_key: ADMIN,
      pricing: { "mock/echo": PRICE },
      virtual_keys: [
        { key: KEYS.limited, name: "limited", rate_limit: { requests_per_minute: RPM } },
        { key: KEYS.budget, name: "budget", budget: { max_usd: MAX_USD, period: "1d" } },
        { key: KEYS.revoked, name: "revoked" },
      ],
    },
  };
  [a, b] = await Promise.all([startGatewayProcess(doc), startGatewayProcess(doc)]);
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

const client = (g: GatewayProcess, key: string) =>
  new OpenAI({ baseURL: `${g.url}/v1`, apiKey: key, maxRetries: 0 });
const outcome = (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    (e: unknown) => (e instanceof OpenAI.APIError ? `${e.status} ${e.type}` : String(e)),
  );

async function admin(g: GatewayProcess, path: string, method = "GET") {
  const r = await fetch(`${g.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN}` },
  });
  return (await r.json()) as Record<string, unknown>;
}

async function idOf(name: string): Promise<string> {
  const list = (await admin(a, "/admin/keys")).data as { id: string; name: string }[];
  return list.find((k) => k.name === name)!.id;
}

describe("two instances sharing Redis and PostgreSQL", () => {
  it(`answer exactly ${RPM} of 30 concurrent requests for a key limited to ${RPM} a minute`, async () => {
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        outcome(
          client(i % 2 ? a : b, KEYS.limited).chat.completions.create({
            model: "mock/echo",
            max_tokens: 10,
            messages: [{ role: "user", content: `hello ${i}` }],
          }),
        ),
      ),
    );
    expect(results.filter((r) => r === "ok").length).toBe(RPM);
    expect(results.filter((r) => r === "429 rate_limit_error").length).toBe(30 - RPM);
  });

  it("never let concurrent streams pass a budget when each stays within its reservation", async () => {
    const one = async (i: number) => {
      const stream = await client(i % 2 ? a : b, KEYS.budget).chat.completions.create({
        model: "mock/echo",
        max_tokens: 20,
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: "user", content: "hello" }],
      });
      let cost = 0;
      for await (const chunk of stream) {
        if (chunk.usage)
          cost = (chunk.usage.prompt_tokens * 1_000 + chunk.usage.completion_tokens * 2_000) / 1e6;
      }
      return cost;
    };
    const results = await Promise.allSettled(Array.from({ length: 16 }, (_, i) => one(i)));
    const served = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    const refused = results.flatMap((r) =>
      r.status === "rejected" && r.reason instanceof OpenAI.APIError ? [r.reason.type] : [],
    );
    expect(served.length).toBeGreaterThan(0);
    expect(served.length + refused.length).toBe(16);
    expect(new Set(refused)).toEqual(new Set(["budget_exceeded"]));
    await Bun.sleep(100); // settlements are written just after each stream's end
    const budget = await admin(b, `/admin/keys/${await idOf("budget")}/budget`);
    const [level] = budget.levels as { spent_usd: number; reserved_usd: number }[];
    expect(level!.reserved_usd).toBe(0);
    expect(level!.spent_usd).toBeCloseTo(
      served.reduce((s, c) => s + c, 0),
      6,
    );
    expect(level!.spent_usd).toBeLessThanOrEqual(MAX_USD);
  });

  it("lock a key revoked through one instance's admin API out of the other within a second", async () => {
    const onB = client(b, KEYS.revoked);
    const ask = () =>
      outcome(
        onB.chat.completions.create({
          model: "mock/echo",
          messages: [{ role: "user", content: "hi" }],
        }),
      );
    expect(await ask()).toBe("ok");
    await admin(a, `/admin/keys/${await idOf("revoked")}`, "DELETE");
    await Bun.sleep(1000);
    expect(await ask()).toBe("401 authentication_error");
  });

  it("roll both instances' usage up in one place", async () => {
    const usage = await admin(a, `/admin/usage?key=${await idOf("limited")}`);
    const rows = usage.data as { requests: number }[];
    expect(rows.reduce((n, r) => n + r.requests, 0)).toBe(RPM);
  });
});
