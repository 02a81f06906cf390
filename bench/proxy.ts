/**
 * The floor for any Bun gateway: a bare `fetch` passthrough proxy with nothing else in it.
 *   bun bench/proxy.ts --port 9101 --upstream http://127.0.0.1:9100
 */
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: { port: { type: "string", default: "9101" }, upstream: { type: "string" } },
  strict: true,
});
const upstream = values.upstream;
if (!upstream) throw new Error("--upstream is required");

const server = Bun.serve({
  port: Number(values.port),
  hostname: "127.0.0.1",
  async fetch(req) {
    const url = new URL(req.url);
    const res = await fetch(upstream + url.pathname + url.search, {
      method: req.method,
      headers: req.headers,
      body: req.body,
    });
    return new Response(res.body, { status: res.status, headers: res.headers });
  },
});
console.log(`bare proxy on http://127.0.0.1:${server.port} -> ${upstream}`);
