/**
 * Runs a load in a separate process: wrk when it is installed (non-streaming only; its Lua
 * `done` hook prints percentiles as JSON), else the Bun load generator (`bench/load.ts`).
 */
import { join } from "node:path";
import type { LatencySummary } from "./stats.ts";

export interface LoadSpec {
  url: string;
  body: string;
  connections: number;
  durationS: number;
  rps?: number;
  stream?: boolean;
  headers?: Record<string, string>;
  /** Use the Bun generator even where wrk would do (to compare a rate with its own saturation). */
  bun?: boolean;
}

export interface LoadResult {
  tool: "wrk" | "bun";
  requests: number;
  errors: number;
  /** Answers by HTTP status (`network` for a failed connection), when the tool counts them. */
  statuses?: Record<string, number>;
  rps: number;
  latency: LatencySummary;
  ttft?: LatencySummary;
  gap?: LatencySummary;
}

export const hasWrk = Bun.which("wrk") !== null;

const WRK_SCRIPT = `
wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["content-type"] = "application/json"
local errors = 0
response = function(status, headers, body) if status >= 400 then errors = errors + 1 end end
done = function(summary, latency, requests)
  local function p(q) return latency:percentile(q) / 1000 end
  io.write(string.format('{"tool":"wrk","requests":%d,"errors":%d,"seconds":%f,"rps":%f,"latency":{"p50":%f,"p90":%f,"p99":%f,"p999":%f,"mean":%f,"max":%f}}\\n',
    summary.requests, errors + summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    p(50), p(90), p(99), p(99.9), latency.mean / 1000, latency.max / 1000))
end
`;

async function runWrk(spec: LoadSpec): Promise<LoadResult> {
  const script = join(process.env.TMPDIR ?? "/tmp", `switchyard-bench-${process.pid}.lua`);
  await Bun.write(script, WRK_SCRIPT);
  const threads = Math.max(1, Math.min(2, spec.connections));
  const proc = Bun.spawn(
    [
      "wrk",
      "-t",
      String(threads),
      "-c",
      String(spec.connections),
      "-d",
      `${spec.durationS}s`,
      "--timeout",
      "10s",
      "-s",
      script,
      spec.url,
    ],
    { stdout: "pipe", stderr: "pipe", env: { ...process.env, BENCH_BODY: spec.body } },
  );
  const out = await new Response(proc.stdout).text();
  await proc.exited;
  const line = out.split("\n").find((l) => l.startsWith('{"tool":"wrk"'));
  if (!line) throw new Error(`wrk printed no result:\n${out}`);
  return JSON.parse(line) as LoadResult;
}

async function runBun(spec: LoadSpec): Promise<LoadResult> {
  const args = [
    "bun",
    join(import.meta.dir, "..", "load.ts"),
    "--url",
    spec.url,
    "--body",
    spec.body,
    "--connections",
    String(spec.connections),
    "--duration",
    String(spec.durationS),
  ];
  if (spec.rps !== undefined) args.push("--rps", String(spec.rps));
  if (spec.stream) args.push("--stream");
  for (const [k, v] of Object.entries(spec.headers ?? {})) args.push("--header", `${k}: ${v}`);
  const proc = Bun.spawn(args, { stdout: "pipe", stderr: "inherit" });
  const out = await new Response(proc.stdout).text();
  await proc.exited;
  return JSON.parse(out.trim().split("\n").at(-1)!) as LoadResult;
}

/** wrk for closed-loop non-streaming loads when installed; the Bun generator otherwise. */
export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const useWrk = hasWrk && !spec.bun && !spec.stream && spec.rps === undefined && !spec.headers;
  return useWrk ? runWrk(spec) : runBun(spec);
}
