/**
 * The Bun load generator, run as its own process so that it does not share an event loop with
 * what it measures. Closed loop (`--connections` callers, each sending its next request when the
 * last one ended) or open loop at `--rps`. Prints one JSON object on stdout.
 *   bun bench/load.ts --url http://127.0.0.1:9102/v1/chat/completions --body '{...}' \
 *     --connections 32 --duration 10 [--rps 2000] [--stream]
 */
import { parseArgs } from "node:util";
import { summarize } from "./lib/stats.ts";

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    body: { type: "string" },
    connections: { type: "string", default: "32" },
    duration: { type: "string", default: "10" },
    rps: { type: "string" },
    stream: { type: "boolean", default: false },
    header: { type: "string", multiple: true, default: [] },
  },
  strict: true,
});

const url = values.url!;
const body = values.body!;
const connections = Number(values.connections);
const durationMs = Number(values.duration) * 1000;
const rps = values.rps === undefined ? undefined : Number(values.rps);
const headers: Record<string, string> = { "content-type": "application/json" };
for (const h of values.header) {
  const at = h.indexOf(":");
  headers[h.slice(0, at).trim()] = h.slice(at + 1).trim();
}

// Latencies are kept as a reservoir of at most MAX_SAMPLES (uniform sampling), so memory stays flat.
const MAX_SAMPLES = 200_000;
let seenSamples = 0;
const latencies: number[] = [];
let completed = 0;
function record(ms: number): void {
  completed++;
  seenSamples++;
  if (latencies.length < MAX_SAMPLES) latencies.push(ms);
  else {
    const at = Math.floor(Math.random() * seenSamples);
    if (at < MAX_SAMPLES) latencies[at] = ms;
  }
}
const ttft: number[] = [];
const gaps: number[] = [];
const statuses: Record<string, number> = {};
let errors = 0;

// A call still running a second after the run's end is cut off (a stalled upstream never answers),
// so the generator always ends.
const cutOff = new AbortController();
const CUT_OFF_GRACE_MS = 1000;

async function once(): Promise<void> {
  const start = performance.now();
  try {
    const res = await fetch(url, { method: "POST", headers, body, signal: cutOff.signal });
    statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    if (values.stream && res.body) {
      let last = 0;
      for await (const _ of res.body) {
        const now = performance.now();
        if (last === 0) {
          if (ttft.length < MAX_SAMPLES) ttft.push(now - start);
        } else if (gaps.length < MAX_SAMPLES) gaps.push(now - last);
        last = now;
      }
    } else {
      await res.arrayBuffer();
    }
    if (res.status >= 400) errors++;
    record(performance.now() - start);
  } catch {
    const key = cutOff.signal.aborted ? "cut_off" : "network";
    if (key === "network") errors++;
    statuses[key] = (statuses[key] ?? 0) + 1;
  }
}

const startedAt = performance.now();
const deadline = startedAt + durationMs;
setTimeout(() => cutOff.abort(), durationMs + CUT_OFF_GRACE_MS).unref();
async function caller(index: number): Promise<void> {
  if (rps === undefined) {
    while (performance.now() < deadline) await once();
    return;
  }
  // Open loop: caller i sends at i/rps, (i + C)/rps, ... regardless of how long answers take.
  // Requests in flight are counted, not kept, so a long run holds no memory per request sent.
  const interval = (1000 * connections) / rps;
  let next = startedAt + (index * 1000) / rps;
  let inflight = 0;
  let drained: (() => void) | undefined;
  while (next < deadline) {
    const wait = next - performance.now();
    if (wait > 0) await Bun.sleep(wait);
    inflight++;
    void once().finally(() => {
      if (--inflight === 0) drained?.();
    });
    next += interval;
  }
  if (inflight > 0) await new Promise<void>((resolve) => (drained = resolve));
}

await Promise.all(Array.from({ length: connections }, (_, i) => caller(i)));
const elapsed = (performance.now() - startedAt) / 1000;
console.log(
  JSON.stringify({
    tool: "bun",
    requests: completed,
    errors,
    statuses,
    seconds: elapsed,
    rps: completed / elapsed,
    latency: summarize(latencies),
    ...(values.stream ? { ttft: summarize(ttft), gap: summarize(gaps) } : {}),
  }),
);
