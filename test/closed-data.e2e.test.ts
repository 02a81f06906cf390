/**
 * Data is closed by default: request logs hold every caller's requests, so `GET /v1/logs` needs
 * a credential (governance's admin key, or the logs' own query key) unless the operator opens it
 * on purpose, and a gateway that would keep prompts nobody is meant to read refuses to start.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { ConfigError } from "../src/config/config.ts";
import { startGateway, type TestGateway } from "./helpers/gateway.ts";

const ADMIN = "admin-key-for-closed-data-0001";
const CALLER = "sk-sy-closed-data-caller-0001";

let gw: TestGateway;

beforeAll(async () => {
  gw = await startGateway({
    providers: { mock: { type: "mock" } },
    storage: { sqlite_path: ":memory:" },
    plugins: [{ name: "logging", config: { bodies: true } }],
    governance: { admin_key: ADMIN, virtual_keys: [{ key: CALLER, name: "caller" }] },
  });
});

afterAll(() => gw.stop());

const logs = (key?: string) =>
  fetch(`${gw.url}/v1/logs`, key ? { headers: { authorization: `Bearer ${key}` } } : {});

describe("GET /v1/logs with governance on", () => {
  it("is refused to a caller without a key, and to a caller's virtual key", async () => {
    await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${CALLER}` },
      body: JSON.stringify({
        model: "mock/echo",
        messages: [{ role: "user", content: "my secret plan" }],
      }),
    });
    for (const key of [undefined, CALLER]) {
      const r = await logs(key);
      expect(r.status).toBe(401);
      expect(await r.text()).not.toContain("my secret plan");
    }
  });

  it("is read with the admin key, and says so at start", async () => {
    const r = await logs(ADMIN);
    expect(r.status).toBe(200);
    expect(await r.text()).toContain("my secret plan");
    expect(gw.logs.join("\n")).toContain("GET /v1/logs needs the admin key");
  });
});

describe("without governance", () => {
  it("refuses to start keeping bodies that nothing guards, naming the way out", async () => {
    const started = startGateway({
      providers: { mock: { type: "mock" } },
      storage: { sqlite_path: ":memory:" },
      plugins: [{ name: "logging", config: { bodies: true } }],
    });
    const err = await started.then(
      (g) => g.stop().then(() => undefined),
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).field).toBe("plugins[0]");
    expect((err as ConfigError).message).toContain("query_key");
    expect((err as ConfigError).message).toContain("public_logs");
  });
});
