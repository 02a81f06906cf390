/**
 * Governance on one instance with the embedded defaults (keys and usage in SQLite, limits in
 * memory), driven with the official SDKs: who may call (401), what (403), how fast and for how
 * much (429), the cost of each answer, and the admin API.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { startGateway, type TestGateway } from "./helpers/gateway.ts";

const ADMIN = "admin-key-for-the-tests-0001";
const KEYS = {
  open: "sk-sy-test-open-0001-wxy",
  narrow: "sk-sy-test-narrow-0001-w",
  limited: "sk-sy-test-limited-0001-",
  poor: "sk-sy-test-poor-0001-wxy",
  teamA1: "sk-sy-test-team-a1-wxyz0",
  teamA2: "sk-sy-test-team-a2-wxyz0",
};
const PRICE = { input_per_million: 1_000, output_per_million: 2_000 };

let gw: TestGateway;

beforeAll(async () => {
  gw = await startGateway({
    providers: { mock: { type: "mock", models: ["echo", "other"] } },
    models: { fast: "mock/echo" },
    storage: { sqlite_path: ":memory:" },
    governance: {
      admin_key: ADMIN,
      pricing: { "mock/echo": PRICE, "mock/other": PRICE },
      teams: [{ name: "a", budget: { max_usd: 0.05, period: "1d" } }],
      virtual_keys: [
        { key: KEYS.open, name: "open" },
        { key: KEYS.narrow, name: "narrow", allowed_models: ["fast"] },
        { key: KEYS.limited, name: "limited", rate_limit: { requests_per_minute: 3 } },
        { key: KEYS.poor, name: "poor", budget: { max_usd: 0.01, period: "1d" } },
        { key: KEYS.teamA1, name: "a1", team: "a" },
        { key: KEYS.teamA2, name: "a2", team: "a" },
      ],
    },
  });
});

afterAll(() => gw.stop());

const openai = (key?: string) =>
  new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: key ?? "", maxRetries: 0 });
const ask = (client: OpenAI, model = "mock/echo") =>
  client.chat.completions
    .create({ model, max_tokens: 20, messages: [{ role: "user", content: "hello" }] })
    .withResponse();
const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );
/** A short Anthropic Messages call with `key`: what it failed with, if it did. */
const anthropicFailure = (key: string) =>
  failure(
    new Anthropic({ baseURL: gw.url, apiKey: key, maxRetries: 0 }).messages.create({
      model: "mock/echo",
      max_tokens: 5,
      messages: [{ role: "user", content: "hi" }],
    }),
  );

describe("who may call", () => {
  it("refuses a missing or unknown key with 401 in each caller's format", async () => {
    const none = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "mock/echo", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: { message: string } }).error.message).toContain(
      "Authorization: Bearer",
    );
    expect(await failure(ask(openai("sk-sy-unknown-wxyz012345")))).toBeInstanceOf(
      OpenAI.AuthenticationError,
    );
    const a = await anthropicFailure("sk-sy-unknown-wxyz012345");
    expect(a).toBeInstanceOf(Anthropic.AuthenticationError);
    const g = await fetch(`${gw.url}/v1beta/models/mock/echo:generateContent?key=sk-sy-unknown`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ contents: [{ parts: [{ text: "hi" }] }] }),
    });
    expect(g.status).toBe(401);
    expect(((await g.json()) as { error: { status: string } }).error.status).toBe(
      "UNAUTHENTICATED",
    );
  });

  it("serves a valid key with the cost of the answer in x-switchyard-cost-usd", async () => {
    const { data, response } = await ask(openai(KEYS.open));
    const u = data.usage!;
    const expected = (u.prompt_tokens * 1_000 + u.completion_tokens * 2_000) / 1e6;
    expect(Number(response.headers.get("x-switchyard-cost-usd"))).toBeCloseTo(expected, 6);
  });

  it("refuses a model the key may not use with 403, and allows its alias", async () => {
    const narrow = openai(KEYS.narrow);
    const err = await failure(ask(narrow, "mock/other"));
    expect(err).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect((err as InstanceType<typeof OpenAI.PermissionDeniedError>).code).toBe(
      "model_not_allowed",
    );
    expect((await ask(narrow, "fast")).data.choices[0]?.message.content).toContain("hello");
  });
});

describe("how fast and for how much", () => {
  it("answers exactly the requests per minute, then 429 with Retry-After and x-ratelimit headers", async () => {
    const client = openai(KEYS.limited);
    const ok = [];
    for (let i = 0; i < 3; i++) ok.push(await ask(client));
    expect(ok.map((r) => r.response.headers.get("x-ratelimit-remaining-requests"))).toEqual([
      "2",
      "1",
      "0",
    ]);
    const err = (await failure(ask(client))) as InstanceType<typeof OpenAI.RateLimitError>;
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(Number(err.headers?.get("retry-after"))).toBeGreaterThan(0);
    expect(err.headers?.get("x-ratelimit-limit-requests")).toBe("3");
    expect(err.headers?.get("x-ratelimit-remaining-requests")).toBe("0");
  });

  it("refuses a key over its budget with 429 budget_exceeded, in OpenAI and Anthropic formats", async () => {
    const client = openai(KEYS.poor);
    let refused: unknown;
    for (let i = 0; i < 20 && !refused; i++) refused = await failure(ask(client));
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    expect((refused as InstanceType<typeof OpenAI.RateLimitError>).type).toBe("budget_exceeded");
    const a = await anthropicFailure(KEYS.poor);
    expect(a).toBeInstanceOf(Anthropic.RateLimitError);
    expect(
      ((a as InstanceType<typeof Anthropic.RateLimitError>).error as { error: { type: string } })
        .error.type,
    ).toBe("budget_exceeded");
  });

  it("holds two keys of one team to the team's budget together, refusing what it cannot pay", async () => {
    const a1 = openai(KEYS.teamA1);
    const a2 = openai(KEYS.teamA2);
    let refused: unknown;
    let cost = 0;
    for (let i = 0; i < 40 && !refused; i++) {
      try {
        const answer = await ask(i % 2 ? a1 : a2);
        cost = Number(answer.response.headers.get("x-switchyard-cost-usd"));
      } catch (err) {
        refused = err;
      }
    }
    expect((refused as InstanceType<typeof OpenAI.RateLimitError>).message).toContain("team:a");
    const budget = await admin(`/admin/keys/${await idOf("a1")}/budget`);
    type Level = { scope: string; spent_usd: number; max_usd: number; remaining_usd: number };
    const team = (budget.levels as Level[]).find((l) => l.scope === "team:a")!;
    // Refused once what is left could not pay one more answer like the last; never overspent.
    expect(team.remaining_usd).toBeLessThan(cost);
    expect(team.spent_usd).toBeLessThanOrEqual(team.max_usd);
  });
});

async function admin(
  path: string,
  init: RequestInit = {},
  key = ADMIN,
): Promise<Record<string, unknown> & { status: number }> {
  const r = await fetch(`${gw.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
  });
  return { status: r.status, ...((await r.json()) as Record<string, unknown>) };
}

async function idOf(name: string): Promise<string> {
  const list = (await admin("/admin/keys")).data as { id: string; name: string }[];
  return list.find((k) => k.name === name)!.id;
}

describe("the admin API", () => {
  it("refuses callers without the admin key", async () => {
    expect((await admin("/admin/keys", {}, "wrong-key")).status).toBe(401);
    expect((await admin("/admin/keys", {}, KEYS.open)).status).toBe(401);
  });

  it("lists keys with a four-character hint, never more of a key", async () => {
    const list = (await admin("/admin/keys")) as unknown as {
      data: { name: string; key_hint: string }[];
    };
    const text = JSON.stringify(list);
    for (const secret of Object.values(KEYS)) {
      for (let i = 0; i + 8 <= secret.length - 4; i++)
        expect(text).not.toContain(secret.slice(i, i + 8));
    }
    expect(list.data.find((k) => k.name === "open")!.key_hint).toBe(
      `sk-sy-…${KEYS.open.slice(-4)}`,
    );
  });

  it("creates a key shown once, rotates it, and revokes it", async () => {
    const created = await admin("/admin/keys", {
      method: "POST",
      body: JSON.stringify({ name: "made", allowed_models: ["mock/*"] }),
    });
    expect(created.status).toBe(201);
    const first = created.key as string;
    expect(first).toStartWith("sk-sy-");
    expect((await ask(openai(first))).response.status).toBe(200);

    const rotated = await admin(`/admin/keys/${created.id}/rotate`, { method: "POST" });
    const second = rotated.key as string;
    expect(second).not.toBe(first);
    expect(await failure(ask(openai(first)))).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((await ask(openai(second))).response.status).toBe(200);

    const revoked = await admin(`/admin/keys/${created.id}`, { method: "DELETE" });
    expect(revoked.revoked_at).not.toBeNull();
    expect(await failure(ask(openai(second)))).toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it("changes a key's limits, and names the field of a bad body", async () => {
    const id = await idOf("open");
    const bad = await admin(`/admin/keys/${id}`, {
      method: "PATCH",
      body: JSON.stringify({ rate_limit: { requests_per_minute: -1 } }),
    });
    expect(bad.status).toBe(400);
    expect((bad.error as { param: string }).param).toBe("rate_limit.requests_per_minute");
    const ok = await admin(`/admin/keys/${id}`, {
      method: "PATCH",
      body: JSON.stringify({ allowed_models: ["mock/other"] }),
    });
    expect(ok.allowed_models).toEqual(["mock/other"]);
    expect(await failure(ask(openai(KEYS.open)))).toBeInstanceOf(OpenAI.PermissionDeniedError);
    await admin(`/admin/keys/${id}`, {
      method: "PATCH",
      body: JSON.stringify({ allowed_models: [] }),
    });
    expect((await admin("/admin/keys/vk_nope")).status).toBe(404);
  });

  it("reports usage rolled up per key and model, with its cost", async () => {
    const id = await idOf("open");
    const usage = await admin(`/admin/usage?key=${id}`);
    const rows = usage.data as { key: string; model: string; requests: number; cost_usd: number }[];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.key === id && r.model === "mock/echo")).toBe(true);
    expect(rows.reduce((n, r) => n + r.requests, 0)).toBeGreaterThanOrEqual(1);
    expect(usage.total_cost_usd).toBeGreaterThan(0);
    expect((await admin("/admin/usage?since=yesterday")).status).toBe(400);
  });
});

describe("with Redis unreachable", () => {
  const doc = (mode: "open" | "closed") => ({
    providers: { mock: { type: "mock", models: ["echo"] } },
    storage: { sqlite_path: ":memory:", redis_url: "redis://127.0.0.1:1" },
    governance: {
      on_redis_error: mode,
      virtual_keys: [
        { key: KEYS.limited, name: "limited", rate_limit: { requests_per_minute: 2 } },
      ],
    },
  });

  it("fails open onto this instance's own limits, logging and counting it", async () => {
    const open = await startGateway(doc("open"));
    try {
      const c = new OpenAI({ baseURL: `${open.url}/v1`, apiKey: KEYS.limited, maxRetries: 0 });
      const results = [];
      for (let i = 0; i < 3; i++) {
        results.push(
          await c.chat.completions
            .create({ model: "mock/echo", messages: [{ role: "user", content: "hi" }] })
            .then(
              () => 200,
              (e: InstanceType<typeof OpenAI.APIError>) => e.status,
            ),
        );
      }
      expect(results).toEqual([200, 200, 429]);
      const metrics = await (await fetch(`${open.url}/metrics`)).text();
      expect(metrics).toMatch(/switchyard_governance_redis_errors_total [1-9]/);
      expect(
        open.logs.some((l) => l.includes("Redis unreachable; limits are held per instance")),
      ).toBe(true);
    } finally {
      await open.stop();
    }
  });

  it("fails closed with a 503 when configured to", async () => {
    const closed = await startGateway(doc("closed"));
    try {
      const c = new OpenAI({ baseURL: `${closed.url}/v1`, apiKey: KEYS.limited, maxRetries: 0 });
      const err = await failure(
        c.chat.completions.create({
          model: "mock/echo",
          messages: [{ role: "user", content: "hi" }],
        }),
      );
      expect(err).toBeInstanceOf(OpenAI.APIError);
      expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
    } finally {
      await closed.stop();
    }
  });
});

describe("governance configuration", () => {
  it("refuses to start on a config key too short or too plain to be secret, naming the minimum", async () => {
    for (const [key, says] of [
      ["sk-sy-short-key", "at least 24"],
      ["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "different"],
    ]) {
      const { parseConfig } = await import("../src/config/load.ts");
      const { openGateway } = await import("../src/gateway.ts");
      const { silentLogger } = await import("../src/observability/logger.ts");
      const config = parseConfig({
        storage: { sqlite_path: ":memory:" },
        governance: { virtual_keys: [{ key, name: "weak" }] },
      });
      await expect(openGateway(config, { logger: silentLogger })).rejects.toThrow(says!);
    }
  });

  it("names the field of a bad governance section", async () => {
    const { parseConfig } = await import("../src/config/load.ts");
    const { openGateway } = await import("../src/gateway.ts");
    const { silentLogger } = await import("../src/observability/logger.ts");
    const config = parseConfig({
      storage: { sqlite_path: ":memory:" },
      governance: {
        virtual_keys: [{ key: "sk-sy-long-enough-wxyz01", name: "x", budget: { max_usd: 0 } }],
      },
    });
    await expect(openGateway(config, { logger: silentLogger })).rejects.toThrow(
      "governance.virtual_keys[0].budget.max_usd",
    );
  });

  it("refuses governance listed as an ordinary plugin", async () => {
    const { parseConfig } = await import("../src/config/load.ts");
    expect(() => parseConfig({ plugins: [{ name: "governance" }] })).toThrow(
      "top-level 'governance' section",
    );
  });
});
