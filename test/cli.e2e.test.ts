/**
 * The gateway as a process: `bun src/main.ts` with flags, environment and config files, readiness
 * on /health, a config error that names its field, and SIGTERM draining requests in flight.
 */
import { afterEach, describe, expect, it } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { freePort } from "./helpers/gateway-process.ts";

const root = join(import.meta.dir, "..");
const children: Subprocess[] = [];

function writeConfig(doc: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-cli-"));
  const file = join(dir, "switchyard.config.json");
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

function spawnGateway(
  args: string[],
  env: Record<string, string> = {},
  cwd = root,
): Subprocess<"ignore", "pipe", "pipe"> {
  const child = Bun.spawn(["bun", join(root, "src/main.ts"), ...args], {
    cwd,
    env: { ...process.env, PORT: "", HOST: "", SWITCHYARD_CONFIG: "", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  children.push(child);
  return child;
}

async function waitHealthy(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await fetch(`${url}/health`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    await Bun.sleep(25);
  }
  throw new Error(`gateway at ${url} never became healthy`);
}

const chat = (url: string, model: string) =>
  fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
  });

afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
});

describe("starting the gateway", () => {
  it("starts on the embedded mock default with --port and answers offline", async () => {
    const port = freePort();
    spawnGateway(["--port", String(port)], {}, tmpdir());
    const url = `http://127.0.0.1:${port}`;
    await waitHealthy(url);
    const res = await chat(url, "mock/echo");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { choices: { message: { content: string } }[] };
    expect(body.choices[0]!.message.content).toBe("This is the Switchyard mock. You said: hi");
  });

  it("reads the config from SWITCHYARD_CONFIG and the port from PORT", async () => {
    const port = freePort();
    const file = writeConfig({
      providers: { local: { type: "mock" } },
      models: { quick: "local/echo" },
    });
    spawnGateway([], { SWITCHYARD_CONFIG: file, PORT: String(port) });
    const url = `http://127.0.0.1:${port}`;
    await waitHealthy(url);
    const res = await chat(url, "quick");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-provider")).toBe("local");
  });

  it("uses ./switchyard.config.json when present, and --host", async () => {
    const port = freePort();
    const file = writeConfig({ server: { port }, providers: { here: { type: "mock" } } });
    spawnGateway(["--host", "127.0.0.1"], {}, join(file, ".."));
    const url = `http://127.0.0.1:${port}`;
    await waitHealthy(url);
    expect((await chat(url, "here/echo")).status).toBe(200);
  });

  it("refuses to start on a bad config and names the field", async () => {
    const file = writeConfig({
      providers: { openai: { keys: [{ value: "sk-x", weight: "heavy" }] } },
    });
    const child = spawnGateway(["--config", file]);
    expect(await child.exited).toBe(1);
    const stderr = await new Response(child.stderr).text();
    expect(stderr).toContain("providers.openai.keys[0].weight");
  });

  it("refuses to share a port another gateway already listens on, naming the port", async () => {
    const port = freePort();
    const first = writeConfig({ providers: { first: { type: "mock" } } });
    spawnGateway(["--config", first, "--port", String(port)]);
    const url = `http://127.0.0.1:${port}`;
    await waitHealthy(url);
    const second = writeConfig({ providers: { second: { type: "mock" } } });
    const child = spawnGateway(["--config", second, "--port", String(port)]);
    expect(await child.exited).toBe(1);
    const stderr = await new Response(child.stderr).text();
    expect(stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
    expect(stderr).toContain("--port");
    // Every request still reaches the first gateway's config.
    const statuses = await Promise.all(
      Array.from({ length: 20 }, () => chat(url, "first/echo").then((r) => r.status)),
    );
    expect(statuses.every((s) => s === 200)).toBe(true);
  });

  it("says a host that is not this machine's is a bad host", async () => {
    const child = spawnGateway(["--port", String(freePort()), "--host", "nonexistent.invalid"]);
    expect(await child.exited).toBe(1);
    const stderr = await new Response(child.stderr).text();
    expect(stderr).toContain('"nonexistent.invalid" is not an address of this machine');
  });

  it("refuses to start when a key's environment variable is missing, naming both", async () => {
    const file = writeConfig({
      providers: { openai: { keys: [{ value: "env.SWITCHYARD_TEST_UNSET_KEY" }] } },
    });
    const child = spawnGateway(["--config", file]);
    expect(await child.exited).toBe(1);
    const stderr = await new Response(child.stderr).text();
    expect(stderr).toContain("providers.openai.keys[0].value");
    expect(stderr).toContain("SWITCHYARD_TEST_UNSET_KEY");
  });
});

describe("SIGTERM", () => {
  it("finishes requests in flight, refuses new connections, then exits 0", async () => {
    const port = freePort();
    const file = writeConfig({ providers: { mock: { type: "mock" } } });
    const child = spawnGateway(["--config", file, "--port", String(port)]);
    const url = `http://127.0.0.1:${port}`;
    await waitHealthy(url);
    const inFlight = chat(url, "mock/slow-700");
    await Bun.sleep(150);
    child.kill("SIGTERM");
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(((await res.json()) as { choices: unknown[] }).choices).toHaveLength(1);
    expect(await child.exited).toBe(0);
    const after = await fetch(`${url}/health`).then(
      (r) => r.status,
      () => "refused",
    );
    expect(after).toBe("refused");
    const stdout = await new Response(child.stdout).text();
    expect(stdout).toContain('"msg":"draining"');
  });
});
