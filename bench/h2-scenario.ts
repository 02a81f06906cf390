/**
 * The `h2` scenario: how the gateway should talk to HTTPS upstreams. One TLS mock upstream that
 * offers HTTP/2 (`bench/mock-upstream.ts --tls-cert --tls-key`), and an upstream client alone
 * (`bench/upstream-client.ts`, its own process) driving it three ways, in alternating rounds: Bun's
 * `fetch` over HTTP/2 (what `http2: auto` uses), Bun's `fetch` over HTTP/1.1 with keep-alive, and
 * `node:http2` with one session. The client's own CPU per request is the cost the gateway would pay.
 */
import { join } from "node:path";
import type { LoadResult } from "./lib/load.ts";
import { cpuPerRequest, type Report, type Row } from "./lib/report.ts";
import { freePort, startBun } from "./lib/procs.ts";
import { ROUNDS } from "./lib/rounds.ts";
import { selfSignedCert } from "./lib/tls.ts";
import { round } from "./lib/stats.ts";
import { medianRuns, ROOT, type Scenario } from "./lib/targets.ts";

const MODES = ["fetch-h2", "fetch-h1", "node-h2"] as const;

async function client(url: string, ca: string, mode: string, connections: number, s: number) {
  const proc = Bun.spawn(
    [
      "bun",
      join(ROOT, "bench/upstream-client.ts"),
      "--url",
      url,
      "--ca",
      ca,
      "--mode",
      mode,
    ].concat(["--connections", String(connections), "--duration", String(s)]),
    { stdout: "pipe", stderr: "inherit" },
  );
  const out = await new Response(proc.stdout).text();
  await proc.exited;
  return JSON.parse(out.trim().split("\n").at(-1)!) as LoadResult & { cpuPercent: number };
}

export const h2: Scenario = {
  defaultDurationS: 5,
  async run(o) {
    const { cert, key } = selfSignedCert();
    const port = await freePort();
    const base = `https://127.0.0.1:${port}`;
    const mock = await startBun(
      "mock-tls",
      [join(ROOT, "bench/mock-upstream.ts"), "--port", String(port), "--tls-cert", cert].concat([
        "--tls-key",
        key,
        "--words",
        String(o.words),
      ]),
      base,
      `${base}/v1/models`,
      { ca: await Bun.file(cert).text() },
    );
    const phase = `${o.connections} connections`;
    const runs: Row[] = [];
    try {
      for (let r = 0; r < ROUNDS; r++) {
        for (const mode of MODES) {
          const { cpuPercent, ...result } = await client(
            `${base}/v1/chat/completions`,
            cert,
            mode,
            o.connections,
            o.durationS,
          );
          runs.push({
            target: mode,
            phase,
            connections: o.connections,
            result,
            cpuPercent,
            peakRssMiB: 0,
          });
        }
      }
    } finally {
      await mock.stop();
    }
    const rows = medianRuns(runs);
    const get = (mode: string) => rows.find((row) => row.target === mode)!;
    const versus = (a: string, b: string): Report["targets"][number] => {
      const [x, y] = [get(a), get(b)];
      return {
        name: `${a} / ${b}: throughput, CPU per request`,
        figure: `${round(x.result.rps / y.result.rps, 2)} (${Math.round(x.result.rps)} / ${Math.round(y.result.rps)} RPS), ${round(cpuPerRequest(x)! / cpuPerRequest(y)!, 2)} (${round(cpuPerRequest(x)!, 1)} / ${round(cpuPerRequest(y)!, 1)} µs)`,
        goal: "report",
        met: null,
      };
    };
    return {
      rows,
      targets: [versus("fetch-h2", "node-h2"), versus("fetch-h2", "fetch-h1")],
      notes: [
        `Each row is the median run (by RPS) of ${ROUNDS} rounds in which the three clients took turns against the same TLS mock; CPU is the client process's own (peak RSS not measured here).`,
        "fetch-h2 is what providers with https base URLs use (`http2: auto`); fetch-h1 is its fallback; node-h2 is node:http2 with one session.",
      ],
    };
  },
};
