/**
 * Work before authentication is bounded: a body's shape is checked on its text before it is
 * parsed (depth, number of values, a `__proto__` key however escaped), the request bytes the
 * gateway holds at once are capped, and with governance a caller's key is checked before a byte of
 * its body is read.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { startGateway, type TestGateway } from "./helpers/gateway.ts";

const KEY = "sk-sy-bounds-caller-key-0001";

let open: TestGateway;
let guarded: TestGateway;

beforeAll(async () => {
  open = await startGateway({
    server: { max_body_bytes_in_flight: 64 * 1024, max_json_values: 1000, max_json_depth: 16 },
    providers: { mock: { type: "mock" } },
  });
  guarded = await startGateway({
    providers: { mock: { type: "mock" } },
    storage: { sqlite_path: ":memory:" },
    governance: { virtual_keys: [{ key: KEY, name: "bounds" }] },
  });
});

afterAll(async () => {
  await open.stop();
  await guarded.stop();
});

const hello = { model: "mock/echo", messages: [{ role: "user", content: "hi" }] };

async function send(
  gw: TestGateway,
  body: string | ReadableStream<Uint8Array>,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  type ErrorBody = { error: { message: string; code: string; param: string | null } };
  return { status: res.status, headers: res.headers, body: (await res.json()) as ErrorBody };
}

/** A body sent in two parts: `head` at once, the rest when `release()` is called. */
function heldBody(head: string, tail: string) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(new TextEncoder().encode(head));
      await released;
      controller.enqueue(new TextEncoder().encode(tail));
      controller.close();
    },
  });
  return { body, release };
}

describe("a body's shape is checked before it is parsed", () => {
  it("refuses a __proto__ key however it is escaped, naming it", async () => {
    for (const key of ["__proto__", "\\u005f_proto__", "__pro\\u0074o__"]) {
      const text = `{"model":"mock/echo","messages":[{"role":"user","content":"hi"}],"metadata":{"${key}":{"admin":true}}}`;
      const res = await send(open, text);
      expect(res.status).toBe(400);
      expect(res.body.error.param).toBe("__proto__");
    }
  });

  it("refuses a body holding more values than max_json_values, naming the limit", async () => {
    const res = await send(
      open,
      JSON.stringify({ ...hello, metadata: { n: Array(2000).fill(1) } }),
    );
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain("more than 1000 values");
  });

  it("refuses nesting past max_json_depth", async () => {
    const deep = "[".repeat(40) + "]".repeat(40);
    const res = await send(open, `{"model":"mock/echo","messages":[],"x":${deep}}`);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain("deeper than 16 levels");
    const metrics = await (await fetch(`${open.url}/metrics`)).text();
    expect(metrics).toContain('switchyard_requests_refused_total{reason="json_too_deep"}');
  });
});

describe("request bytes held at once are capped", () => {
  it("refuses with 503 and Retry-After while the cap is taken, then serves again", async () => {
    const big = JSON.stringify({ ...hello, metadata: { pad: "x".repeat(40 * 1024) } });
    const held = heldBody(big.slice(0, 41_000), big.slice(41_000));
    const first = send(open, held.body);
    await Bun.sleep(100); // the first body's bytes are being read and held
    const gauge = await (await fetch(`${open.url}/metrics`)).text();
    expect(gauge).toMatch(/switchyard_body_bytes_in_flight 4\d{4}/);
    const refused = await send(open, big);
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe("overloaded");
    expect(refused.headers.get("retry-after")).toBe("1");
    held.release();
    expect((await first).status).toBe(200);
    expect((await send(open, big)).status).toBe(200);
    const after = await (await fetch(`${open.url}/metrics`)).text();
    expect(after).toContain("switchyard_body_bytes_in_flight 0");
  });
});

describe("bytes are counted as they arrive, and always given back", () => {
  /** Sends raw HTTP/1.1 and returns what came back (nothing, if nothing did). */
  async function raw(gw: TestGateway, head: string, body = "", waitMs = 300): Promise<string> {
    const port = Number(new URL(gw.url).port);
    let answer = "";
    const socket = await Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        data(_s, chunk) {
          answer += new TextDecoder().decode(chunk);
        },
      },
    });
    socket.write(head + body);
    await Bun.sleep(waitMs);
    socket.end();
    return answer;
  }
  const gauge = async () =>
    Number(
      /switchyard_body_bytes_in_flight (\d+)/.exec(
        await (await fetch(`${open.url}/metrics`)).text(),
      )?.[1],
    );

  it("reserves nothing for headers that promise a body and send none", async () => {
    const head = (n: number) =>
      `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${n}\r\n\r\n`;
    const port = Number(new URL(open.url).port);
    const idle = await Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } });
    idle.write(head(60 * 1024)); // more than the 64 KiB cap leaves for anyone else
    await Bun.sleep(100);
    expect(await gauge()).toBe(0);
    expect((await send(open, JSON.stringify(hello))).status).toBe(200);
    idle.end();
  });

  it("counts the bytes of a body whose Content-Length is sent twice", async () => {
    // Within Bun's own request limit and the bytes-in-flight cap: only the gateway's count of
    // the bytes as they arrive can refuse it (the doubled header is no number to check).
    const small = await startGateway({
      server: { max_body_bytes: 32 * 1024 },
      providers: { mock: { type: "mock" } },
    });
    try {
      const big = JSON.stringify({ ...hello, metadata: { pad: "x".repeat(40 * 1024) } });
      const n = new TextEncoder().encode(big).byteLength;
      const head = `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${n}\r\ncontent-length: ${n}\r\n\r\n`;
      const answer = await raw(small, head, big, 500);
      expect(answer).toStartWith("HTTP/1.1 413");
      expect(answer).toContain("exceeds the limit of 32768 bytes");
      const metrics = await (await fetch(`${small.url}/metrics`)).text();
      expect(metrics).toContain('switchyard_requests_refused_total{reason="body_too_large"} 1');
      expect(metrics).toContain("switchyard_body_bytes_in_flight 0");
    } finally {
      await small.stop();
    }
  });

  it("gives back what a Gemini request the routes refuse had reserved", async () => {
    const body = JSON.stringify({ contents: [{ parts: [{ text: "x".repeat(30 * 1024) }] }] });
    for (const path of ["/v1beta/models/mock/echo:bogus", "/v1beta/models/mock%E0%A4%A:x"]) {
      for (let i = 0; i < 3; i++) {
        const r = await fetch(`${open.url}${path}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
        });
        expect([400, 404]).toContain(r.status);
      }
    }
    expect(await gauge()).toBe(0);
  });
});

describe("with governance, the caller's key is checked before its body is read", () => {
  it("refuses a caller without a valid key while its body is still arriving", async () => {
    const held = heldBody('{"model":"mock/echo","messages":[', "]}");
    const answer = send(guarded, held.body, { authorization: "Bearer sk-sy-not-a-key" });
    const status = await Promise.race([
      answer.then((r) => r.status),
      Bun.sleep(3000).then(() => "still reading the body"),
    ]);
    held.release();
    expect(status).toBe(401);
  });

  it("asks for a key on embeddings and token counts too", async () => {
    const embeddings = await fetch(`${guarded.url}/v1/embeddings`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "mock/echo", input: "hi" }),
    });
    expect(embeddings.status).toBe(401);
    const count = await fetch(`${guarded.url}/v1/messages/count_tokens`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(hello),
    });
    expect(count.status).toBe(401);
    const ok = await fetch(`${guarded.url}/v1/embeddings`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ model: "mock/echo", input: "hi" }),
    });
    expect(ok.status).toBe(200);
  });
});
