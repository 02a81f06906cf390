/**
 * HTTP/2 both ways: the gateway speaks HTTP/2 to an https upstream that offers it and falls back
 * to HTTP/1.1 for one that does not; it accepts HTTP/2 from clients (prior knowledge in plain
 * text, ALPN over TLS) as well as HTTP/1.1.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { selfSignedCert } from "../bench/lib/tls.ts";
import { createMockOpenAi } from "../src/providers/mock/index.ts";
import { startGateway, type TestGateway } from "./helpers/gateway.ts";

const { cert, key } = selfSignedCert();
const servers: { stop(force: boolean): unknown }[] = [];
let gw: TestGateway;
let tlsGw: TestGateway;
/** The HTTP version each upstream request arrived with (h2 requests carry no Connection header). */
const seen: { server: string; h2: boolean }[] = [];

function upstream(name: string, http2: boolean): string {
  const mock = createMockOpenAi();
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    tls: { cert: Bun.file(cert), key: Bun.file(key) },
    ...({ http2 } as object),
    fetch(req) {
      seen.push({ server: name, h2: !req.headers.has("connection") });
      return mock(req);
    },
  });
  servers.push(server);
  return `https://127.0.0.1:${server.port}/v1`;
}

beforeAll(async () => {
  const h2 = upstream("h2", true);
  const h1 = upstream("h1", false);
  const providers = {
    modern: { type: "openai", base_url: h2, ca_file: cert },
    legacy: { type: "openai", base_url: h1, ca_file: cert },
    pinned: { type: "openai", base_url: h2, ca_file: cert, http2: "never" },
    strict: {
      type: "openai",
      base_url: h1,
      ca_file: cert,
      http2: "always",
      retry: { max_attempts: 1 },
    },
  };
  gw = await startGateway({ providers });
  tlsGw = await startGateway({ server: { tls: { cert_file: cert, key_file: key } }, providers });
});

afterAll(async () => {
  await gw.stop();
  await tlsGw.stop();
  for (const s of servers) s.stop(true);
});

const body = JSON.stringify({
  model: "modern/gpt",
  messages: [{ role: "user", content: "over h2" }],
});

async function ask(model: string): Promise<Response> {
  return fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hello" }] }),
  });
}

describe("HTTP/2 to upstreams", () => {
  it("speaks HTTP/2 to an https upstream that offers it", async () => {
    expect((await ask("modern/gpt")).status).toBe(200);
    expect(seen.filter((s) => s.server === "h2").at(-1)!.h2).toBe(true);
  });

  it("falls back to HTTP/1.1 for an upstream that does not, and stays there", async () => {
    expect((await ask("legacy/gpt")).status).toBe(200);
    expect((await ask("legacy/gpt")).status).toBe(200);
    const legacy = seen.filter((s) => s.server === "h1");
    expect(legacy.length).toBeGreaterThanOrEqual(2);
    expect(legacy.every((s) => !s.h2)).toBe(true);
  });

  it("pins HTTP/1.1 with http2: never, and fails clearly with http2: always", async () => {
    expect((await ask("pinned/gpt")).status).toBe(200);
    expect(seen.filter((s) => s.server === "h2").at(-1)!.h2).toBe(false);
    expect((await ask("strict/gpt")).status).toBe(502);
  });
});

/** Runs curl without blocking this process's event loop (the gateway lives in it). */
async function curl(args: string[]): Promise<string> {
  const proc = Bun.spawn(args, { stdout: "pipe", stderr: "ignore" });
  const out = await new Response(proc.stdout).text();
  await proc.exited;
  return out;
}

describe("HTTP/2 from clients", () => {
  const request = (url: string, ...flags: string[]) =>
    curl([
      "curl",
      "-s",
      ...flags,
      "-o",
      "/dev/null",
      "-w",
      "%{http_version} %{http_code}",
      "-H",
      "content-type: application/json",
      "-d",
      body,
      `${url}/v1/chat/completions`,
    ]);

  it("accepts HTTP/2 with prior knowledge on the plain-text port", async () => {
    expect(await request(gw.url, "--http2-prior-knowledge")).toBe("2 200");
  });

  it("negotiates HTTP/2 over TLS, and still serves HTTP/1.1", async () => {
    expect(tlsGw.url).toStartWith("https://");
    expect(await request(tlsGw.url, "--http2", "--cacert", cert)).toBe("2 200");
    expect(await request(tlsGw.url, "--http1.1", "--cacert", cert)).toBe("1.1 200");
  });
});
