/**
 * `--scenario hostile`: the worst a caller or an upstream can make one request cost. Each input
 * runs against a Switchyard started fresh (so its peak RSS is that input's), and each row reports
 * the gateway's CPU per request, its peak RSS and what the callers were answered:
 *
 *   a normal request                                  the reference
 *   a 10 MB deeply nested body, without a key          (governance on: refused before the body)
 *   a 10 MB deeply nested body                         (refused by the scan, before parsing)
 *   a 10 MB body of 5 million values                   (refused by the scan, before parsing)
 *   a 10 MB body of 99,000 long keys                   (scanned in linear time, then parsed)
 *   64 concurrent 9 MB bodies                          (bounded by max_body_bytes_in_flight)
 *   an upstream answering 300 MB                       (bounded by max_response_bytes)
 *   an upstream streaming one 300 MB line              (bounded by max_event_bytes)
 *   64 streams to an upstream that never answers      (freed by headers_timeout_ms)
 */
import { startHostileUpstream } from "./lib/hostile-upstream.ts";
import { freePort, type Proc } from "./lib/procs.ts";
import { cpuPerRequest, type Row } from "./lib/report.ts";
import { round, summarize } from "./lib/stats.ts";
import { metered, startSwitchyard, type Scenario } from "./lib/targets.ts";

const UP_KEY = "sk-bench-hostile-upstream-key";
const CALLER = "sk-sy-bench-hostile-caller-0001";
const MIB = 1024 * 1024;
/** The stalled-stream phase's headers deadline (the default is 60 s; the bound is the same). */
const HEADERS_TIMEOUT_MS = 2000;
/** Refused 10 MB bodies per input: enough CPU time to read past /proc's 10 ms ticks. */
const BODIES = 40;
/** Just under the default `max_body_bytes` (10 MiB), so the body is read and checked. */
const BODY_BYTES = 9.9 * MIB;

interface Input {
  name: string;
  governance?: boolean;
  /** How many requests, and how many at once. */
  count: number;
  concurrency: number;
  /** The chat request's body, made once per input (the bench shares the machine it measures). */
  body(): string;
}

const post = (url: string, body: string) =>
  fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });

const chat = (model: string, stream = false, pad = "") =>
  JSON.stringify({
    model,
    stream,
    messages: [{ role: "user", content: "hi" }],
    ...(pad ? { metadata: { pad } } : {}),
  });

function nested(bytes: number): string {
  const depth = Math.floor(bytes / 2);
  return `{"model":"mock/echo","messages":[],"x":${"[".repeat(depth)}${"]".repeat(depth)}}`;
}

/** 99,000 keys of 10 characters and no backslash, then padding: the scan must stay linear. */
function manyKeys(bytes: number): string {
  const keys = Array.from({ length: 99_000 }, (_, i) => `"k${String(i).padStart(9, "0")}":0`);
  const head = `{"model":"mock/echo","messages":[{"role":"user","content":"hi"}],"metadata":{${keys.join(",")}},"pad":"`;
  return `${head}${"x".repeat(Math.max(0, bytes - head.length - 2))}"}`;
}

function manyValues(bytes: number): string {
  return `{"model":"mock/echo","messages":[],"x":[${"1,".repeat(Math.floor(bytes / 2))}1]}`;
}

const INPUTS: Input[] = [
  {
    name: "normal request",
    count: 2000,
    concurrency: 8,
    body: () => chat("mock/echo"),
  },
  {
    name: "10 MB nested body, no key (governance on)",
    governance: true,
    count: BODIES,
    concurrency: 2,
    body: () => nested(BODY_BYTES),
  },
  {
    name: "10 MB nested body",
    count: BODIES,
    concurrency: 2,
    body: () => nested(BODY_BYTES),
  },
  {
    name: "10 MB body of 5 M values",
    count: BODIES,
    concurrency: 2,
    body: () => manyValues(BODY_BYTES),
  },
  {
    name: "10 MB body of 99,000 keys",
    count: BODIES,
    concurrency: 2,
    body: () => manyKeys(BODY_BYTES),
  },
  {
    name: "64 concurrent 9 MB bodies",
    count: 64,
    concurrency: 64,
    // To an upstream over HTTP, as in production (the in-process mock would hold copies too).
    body: () => chat("up/echo", false, "x".repeat(9 * MIB)),
  },
  {
    name: "upstream answers 300 MB",
    count: 4,
    concurrency: 4,
    body: () => chat("up/huge-300"),
  },
  {
    name: "upstream streams a 300 MB line",
    count: 4,
    concurrency: 4,
    body: () => chat("up/long-line-300", true),
  },
  {
    name: "64 streams to an upstream that never answers",
    count: 64,
    concurrency: 64,
    body: () => chat("up/stall", true),
  },
];

function startGateway(upstream: string, governance: boolean): Promise<Proc> {
  return startSwitchyard(
    upstream,
    0,
    {},
    {
      config: {
        logging: { level: "error" },
        providers: {
          mock: { type: "mock" },
          up: {
            type: "openai",
            base_url: `${upstream}/v1`,
            keys: [{ value: UP_KEY }],
            retry: { max_attempts: 1 },
            headers_timeout_ms: HEADERS_TIMEOUT_MS,
          },
        },
        ...(governance
          ? {
              storage: { sqlite_path: ":memory:" },
              governance: { virtual_keys: [{ key: CALLER, name: "bench" }] },
            }
          : {}),
      },
    },
  );
}

function run(target: Proc, input: Input): Promise<Row> {
  const body = input.body();
  return metered(target, input.name, input.concurrency, async () => {
    const statuses: Record<string, number> = {};
    const latencies: number[] = [];
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: input.concurrency }, async () => {
        while (next < input.count) {
          next++;
          const started = performance.now();
          const status = await post(target.url, body).then(
            async (r) => (await r.arrayBuffer(), String(r.status)),
            () => "network",
          );
          latencies.push(performance.now() - started);
          statuses[status] = (statuses[status] ?? 0) + 1;
        }
      }),
    );
    const errors = Object.entries(statuses)
      .filter(([s]) => s === "network" || Number(s) >= 500)
      .reduce((n, [, c]) => n + c, 0);
    return {
      tool: "bun",
      requests: input.count,
      errors,
      rps: input.count / ((performance.now() - t0) / 1000),
      latency: summarize(latencies),
      statuses,
    };
  });
}

const cpuUs = (r: Row) => cpuPerRequest(r) ?? 0;
const said = (r: Row) =>
  Object.entries(r.result.statuses ?? {})
    .map(([s, n]) => `${n}× ${s}`)
    .join(", ");

export const hostile: Scenario = {
  defaultDurationS: 0,
  async run() {
    const up = startHostileUpstream(UP_KEY, await freePort());
    const rows: Row[] = [];
    try {
      for (const input of INPUTS) {
        const gw = await startGateway(up.url, input.governance ?? false);
        try {
          rows.push(await run(gw, input));
        } finally {
          await gw.stop();
        }
      }
    } finally {
      await up.stop();
    }
    const row = (name: string) => rows.find((r) => r.phase === name)!;
    const normal = cpuUs(row("normal request"));
    const refused = [
      "10 MB nested body, no key (governance on)",
      "10 MB nested body",
      "10 MB body of 5 M values",
    ];
    const worst = Math.max(...refused.map((n) => cpuUs(row(n))));
    const keys = row("10 MB body of 99,000 keys");
    const stalled = row("64 streams to an upstream that never answers");
    return {
      rows,
      targets: [
        {
          name: "worst CPU per refused 10 MB body (before a key is checked or the body parsed)",
          figure: `${round(worst / 1000, 2)} ms (a normal request: ${round(normal, 1)} µs)`,
          goal: "report",
          met: null,
        },
        {
          name: "CPU per accepted 10 MB body of 99,000 keys (scanned, parsed, validated, sent)",
          figure: `${round(cpuUs(keys) / 1000, 2)} ms (${said(keys)})`,
          goal: "report",
          met: null,
        },
        ...[
          "64 concurrent 9 MB bodies",
          "upstream answers 300 MB",
          "upstream streams a 300 MB line",
        ].map((name) => ({
          name: `peak RSS, ${name}`,
          figure: `${round(row(name).peakRssMiB, 0)} MiB (${said(row(name))})`,
          goal: "report (before the bounds: about 2 GB)",
          met: null,
        })),
        {
          name: "streams to a stalled upstream freed within headers_timeout_ms",
          figure: `${said(stalled)}, slowest ${round(stalled.result.latency.max / 1000, 2)} s`,
          goal: `all 504 within ${HEADERS_TIMEOUT_MS / 1000} s + 1 s`,
          met:
            stalled.result.statuses?.["504"] === 64 &&
            stalled.result.latency.max <= HEADERS_TIMEOUT_MS + 1000,
        },
      ],
      notes: [
        "Each input ran against a fresh Switchyard, so each row's peak RSS is that input's own; CPU µs/req is the gateway's CPU time over the input's requests.",
        "Defaults: max_body_bytes 10 MiB, max_body_bytes_in_flight 128 MiB, max_json_depth 64, max_json_values 500,000, max_response_bytes 32 MiB, max_event_bytes 8 MiB; headers_timeout_ms set to 2 s here (60 s by default).",
      ],
    };
  },
};
