/**
 * An upstream client on its own, for choosing how the gateway talks to HTTPS upstreams: closed-loop
 * chat requests to `--url` with Bun's `fetch` over HTTP/2 (`fetch-h2`, what the gateway uses) or
 * HTTP/1.1 (`fetch-h1`), or with `node:http2` (`node-h2`). Prints one JSON object: a LoadResult
 * plus the process's own CPU time per request.
 *   bun bench/upstream-client.ts --url https://127.0.0.1:9443/v1/chat/completions --ca cert.pem \
 *     --mode fetch-h2 --connections 32 --duration 5
 */
import http2 from "node:http2";
import { parseArgs } from "node:util";
import { summarize } from "./lib/stats.ts";

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    ca: { type: "string" },
    mode: { type: "string", default: "fetch-h2" },
    connections: { type: "string", default: "32" },
    duration: { type: "string", default: "5" },
  },
  strict: true,
});
const url = new URL(values.url!);
const ca = await Bun.file(values.ca!).text();
const body = JSON.stringify({
  model: "echo",
  messages: [{ role: "user", content: "Benchmark this gateway, please." }],
});
const headers = { "content-type": "application/json", authorization: "Bearer bench-key" };

type Send = () => Promise<void>;
function fetchSender(protocol: "http2" | "http1.1"): Send {
  const init = { method: "POST", headers: new Headers(headers), body, tls: { ca }, protocol };
  return async () => {
    const res = await fetch(url, init as RequestInit);
    await res.json();
    if (res.status !== 200) throw new Error(`status ${res.status}`);
  };
}
function nodeH2Sender(session: http2.ClientHttp2Session): Send {
  return () =>
    new Promise((resolve, reject) => {
      const req = session.request({ ":method": "POST", ":path": url.pathname, ...headers });
      const parts: Buffer[] = [];
      let status = 0;
      req.on("response", (h) => (status = Number(h[":status"])));
      req.on("data", (d: Buffer) => parts.push(d));
      req.on("end", () => {
        JSON.parse(Buffer.concat(parts).toString("utf8"));
        if (status === 200) resolve();
        else reject(new Error(`status ${status}`));
      });
      req.on("error", reject);
      req.end(body);
    });
}

const session = values.mode === "node-h2" ? http2.connect(url.origin, { ca }) : undefined;
const send =
  session !== undefined
    ? nodeH2Sender(session)
    : fetchSender(values.mode === "fetch-h1" ? "http1.1" : "http2");

async function run(ms: number, latencies?: number[]) {
  let requests = 0;
  let errors = 0;
  const until = performance.now() + ms;
  await Promise.all(
    Array.from({ length: Number(values.connections) }, async () => {
      while (performance.now() < until) {
        const t = performance.now();
        try {
          await send();
          requests++;
          latencies?.push(performance.now() - t);
        } catch {
          errors++;
        }
      }
    }),
  );
  return { requests, errors };
}

await run(1000); // warm up: connections, TLS, JIT
const latencies: number[] = [];
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const { requests, errors } = await run(Number(values.duration) * 1000, latencies);
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
session?.close();
console.log(
  JSON.stringify({
    tool: "bun",
    requests,
    errors,
    rps: requests / seconds,
    latency: summarize(latencies),
    cpuPercent: ((cpu.user + cpu.system) / 1e6 / seconds) * 100,
  }),
);
process.exit(0);
