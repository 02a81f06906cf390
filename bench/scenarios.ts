/**
 * The harness's scenarios. Each starts what it needs (mock upstream, bare proxy, Switchyard as
 * separate processes), drives load from yet another process, and returns rows and target figures.
 */
import { join } from "node:path";
import { tmpdir } from "node:os";
import { runLoad, type LoadSpec, type LoadResult } from "./lib/load.ts";
import { cpuSeconds, freePort, memory, startBun, type Proc } from "./lib/procs.ts";
import type { Report, Row } from "./lib/report.ts";
import { round } from "./lib/stats.ts";

export interface ScenarioOptions {
  durationS: number;
  connections: number;
  rps?: number;
  latencyMs: number;
  jitterMs: number;
  errorRate: number;
  words: number;
  /** Delay between the mock's stream chunks, ms. */
  chunkDelayMs: number;
  /** `pool.workers` values to measure Switchyard with (0 = in-process). */
  workers: number[];
}

type Outcome = Pick<Report, "rows" | "targets" | "notes">;
interface Scenario {
  defaultDurationS: number;
  run(o: ScenarioOptions): Promise<Outcome>;
}

const ROOT = join(import.meta.dir, "..");
const messages = [{ role: "user", content: "Benchmark this gateway, please." }];
const chatBody = (model: string, stream = false) =>
  JSON.stringify({
    model,
    messages,
    ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  });

async function startMock(o: ScenarioOptions): Promise<Proc> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const args = [
    "bench/mock-upstream.ts",
    "--port",
    String(port),
    "--latency",
    String(o.latencyMs),
    "--jitter",
    String(o.jitterMs),
    "--error-rate",
    String(o.errorRate),
    "--words",
    String(o.words),
    "--chunk-delay",
    String(o.chunkDelayMs),
  ];
  return startBun(
    "mock",
    args.map((a) => (a.startsWith("bench/") ? join(ROOT, a) : a)),
    url,
    `${url}/v1/models`,
  );
}

async function startProxy(upstream: string): Promise<Proc> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  return startBun(
    "proxy",
    [join(ROOT, "bench/proxy.ts"), "--port", String(port), "--upstream", upstream],
    url,
    `${url}/health-probe`,
  );
}

/** Switchyard with its full default pipeline (metrics on), providers pointing at the mock. */
async function startSwitchyard(
  mockUrl: string,
  workers: number,
  extra: Record<string, unknown> = {},
): Promise<Proc> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const provider = (more: object = {}) => ({
    type: "openai",
    base_url: `${mockUrl}/v1`,
    keys: [{ value: "bench-key" }],
    pool: { concurrency: 1024, queue_size: 8192, ...(workers > 0 ? { workers } : {}) },
    ...more,
  });
  const config = {
    server: { port, host: "127.0.0.1" },
    logging: { level: "warn" },
    providers: {
      up: provider(),
      ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, provider(v as object)])),
    },
  };
  const file = join(tmpdir(), `switchyard-bench-${port}.json`);
  await Bun.write(file, JSON.stringify(config));
  return startBun(
    workers > 0 ? `switchyard-w${workers}` : "switchyard",
    [join(ROOT, "src/main.ts"), "--config", file],
    url,
    `${url}/health`,
  );
}

/** One measured load against one process: its CPU share and peak memory come with the result. */
async function measure(target: Proc, phase: string, spec: LoadSpec): Promise<Row> {
  const pid = target.proc.pid;
  const cpu0 = await cpuSeconds(pid);
  const t0 = performance.now();
  const result = await runLoad(spec);
  const wall = (performance.now() - t0) / 1000;
  const cpu = ((await cpuSeconds(pid)) - cpu0) / wall;
  const mem = await memory(pid);
  return {
    target: target.name,
    phase,
    connections: spec.connections,
    result,
    cpuPercent: cpu * 100,
    peakRssMiB: mem.peak,
  };
}

function chatUrl(p: Proc): string {
  return `${p.url}/v1/chat/completions`;
}

/** Runs `phases` against direct, bare proxy and each Switchyard variant, one process at a time. */
async function compare(
  o: ScenarioOptions,
  phases: { name: string; connections: number; durationS: number; stream?: boolean }[],
): Promise<Row[]> {
  const mock = await startMock(o);
  const rows: Row[] = [];
  try {
    const makers: (() => Promise<Proc>)[] = [
      async () => mock,
      () => startProxy(mock.url),
      ...o.workers.map((w) => () => startSwitchyard(mock.url, w)),
    ];
    for (const make of makers) {
      const target = await make();
      const direct = target === mock;
      const model = target.name.startsWith("switchyard") ? "up/echo" : "echo";
      const url = chatUrl(target);
      try {
        await runLoad({ url, body: chatBody(model), connections: o.connections, durationS: 1 }); // warm up
        for (const phase of phases) {
          const spec = {
            url,
            body: chatBody(model, phase.stream),
            connections: phase.connections,
            durationS: phase.durationS,
            stream: phase.stream ?? false,
          };
          const row = await measure(target, phase.name, spec);
          rows.push({ ...row, target: direct ? "direct" : target.name });
        }
      } finally {
        if (!direct) await target.stop();
      }
    }
  } finally {
    await mock.stop();
  }
  for (const row of rows) {
    const same = (t: string) => rows.find((r) => r.target === t && r.phase === row.phase);
    const d = same("direct")?.result.latency.p50;
    const p = same("proxy")?.result.latency.p50;
    if (row.target !== "direct" && d !== undefined) row.addedVsDirect = row.result.latency.p50 - d;
    if (row.target.startsWith("switchyard") && p !== undefined)
      row.addedVsProxy = row.result.latency.p50 - p;
  }
  return rows;
}

const get = (rows: Row[], target: string, phase: string) =>
  rows.find((r) => r.target === target && r.phase === phase);

function throughputTargets(rows: Row[], phase: string, workers: number[]): Report["targets"] {
  const out: Report["targets"] = [];
  const proxy = get(rows, "proxy", phase);
  for (const w of workers) {
    const name = w > 0 ? `switchyard-w${w}` : "switchyard";
    const sw = get(rows, name, phase);
    if (!proxy || !sw) continue;
    const ratio = sw.result.rps / proxy.result.rps;
    out.push({
      name: `throughput ${name} / bare proxy (${phase})`,
      figure: `${round(ratio, 3)} (${Math.round(sw.result.rps)} / ${Math.round(proxy.result.rps)} RPS)`,
      goal: "≥ 0.9",
      met: ratio >= 0.9,
    });
  }
  return out;
}

function latencyTargets(rows: Row[], phase: string, workers: number[]): Report["targets"] {
  const out: Report["targets"] = [];
  const proxy = get(rows, "proxy", phase);
  for (const w of workers) {
    const name = w > 0 ? `switchyard-w${w}` : "switchyard";
    const sw = get(rows, name, phase);
    if (!proxy?.addedVsDirect || sw?.addedVsDirect === undefined) continue;
    const ratio = sw.addedVsDirect / proxy.addedVsDirect;
    out.push({
      name: `added p50 ${name} / bare proxy's (${phase})`,
      figure: `${round(ratio, 2)} (${round(sw.addedVsDirect, 3)} ms / ${round(proxy.addedVsDirect, 3)} ms)`,
      goal: "≤ 1.25",
      met: ratio <= 1.25,
    });
  }
  return out;
}

const chat: Scenario = {
  defaultDurationS: 10,
  async run(o) {
    const phases = [
      { name: "1 connection", connections: 1, durationS: Math.max(3, Math.round(o.durationS / 2)) },
      { name: `${o.connections} connections`, connections: o.connections, durationS: o.durationS },
    ];
    const rows = await compare(o, phases);
    return {
      rows,
      targets: [
        ...throughputTargets(rows, phases[1]!.name, o.workers),
        ...latencyTargets(rows, phases[0]!.name, o.workers),
      ],
      notes: [
        "Added latency is the target's p50 minus direct's p50 in the same phase; each target ran alone, in turn, against the same mock upstream.",
      ],
    };
  },
};

const stream: Scenario = {
  defaultDurationS: 10,
  async run(o) {
    const rows = await compare(o, [
      {
        name: `${o.connections} streams`,
        connections: o.connections,
        durationS: o.durationS,
        stream: true,
      },
    ]);
    const held = await manyStreams(o, 1000);
    return {
      rows,
      targets: [
        {
          name: "1,000 concurrent streams held, all completed, none mixed up",
          figure: `${held.completed} completed, ${held.mixed} mixed up, ${held.failed} failed`,
          goal: "1000 / 0 / 0",
          met: held.completed === 1000 && held.mixed === 0 && held.failed === 0,
        },
      ],
      notes: [
        "TTFT is the time to the first body chunk; the chunk gap is the time between chunks as the client reads them.",
      ],
    };
  },
};

/** Opens `n` streams at once through Switchyard, each asking for its own tag, and checks each got its own. */
async function manyStreams(
  o: ScenarioOptions,
  n: number,
): Promise<{ completed: number; mixed: number; failed: number }> {
  const mock = await startMock(o);
  const sw = await startSwitchyard(mock.url, o.workers[0] ?? 0);
  let completed = 0;
  let mixed = 0;
  let failed = 0;
  try {
    await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const tag = `stream-tag-${i}-${crypto.randomUUID()}`;
        try {
          const res = await fetch(chatUrl(sw), {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({
              model: "up/echo",
              stream: true,
              messages: [{ role: "user", content: tag }],
            }),
          });
          const text = await res.text();
          // The content the client assembled must hold its own tag and no other stream's.
          const content = [...text.matchAll(/"content":"([^"]*)"/g)].map((m) => m[1]).join("");
          const tags = new Set(content.match(/stream-tag-\d+-[0-9a-f-]{36}/g) ?? []);
          if (!res.ok || !text.includes("[DONE]")) failed++;
          else if (tags.size !== 1 || !tags.has(tag)) mixed++;
          else completed++;
        } catch {
          failed++;
        }
      }),
    );
  } finally {
    await sw.stop();
    await mock.stop();
  }
  return { completed, mixed, failed };
}

const isolation: Scenario = {
  defaultDurationS: 10,
  async run(o) {
    const mock = await startMock(o);
    const sw = await startSwitchyard(mock.url, o.workers[0] ?? 0, {
      stalled: { timeout_ms: 600_000, retry: { max_attempts: 1 } },
    });
    const spec = {
      url: chatUrl(sw),
      body: chatBody("up/echo"),
      connections: o.connections,
      durationS: o.durationS,
    };
    const rows: Row[] = [];
    try {
      await runLoad({ ...spec, durationS: 1 });
      rows.push(await measure(sw, "healthy provider alone", spec));
      const stalled = runLoad({
        url: chatUrl(sw),
        body: chatBody("stalled/stall"),
        connections: 256,
        durationS: o.durationS + 4,
      });
      await Bun.sleep(1500);
      rows.push(await measure(sw, "with another provider stalled (256 calls hanging)", spec));
      await stalled.catch(() => undefined);
    } finally {
      await sw.stop();
      await mock.stop();
    }
    const [alone, loaded] = [rows[0]!.result, rows[1]!.result];
    const moved = (loaded.latency.p99 - alone.latency.p99) / alone.latency.p99;
    return {
      rows,
      targets: [
        {
          name: "healthy provider's p99 with another provider stalled",
          figure: `${round(moved * 100, 1)} % (${round(alone.latency.p99, 2)} → ${round(loaded.latency.p99, 2)} ms)`,
          goal: "≤ +10 %",
          met: moved <= 0.1,
        },
      ],
      notes: [
        "The stalled provider's upstream never answers; its 256 calls hold its pool for the whole phase.",
      ],
    };
  },
};

const soak: Scenario = {
  defaultDurationS: 300,
  async run(o) {
    const mock = await startMock(o);
    const sw = await startSwitchyard(mock.url, o.workers[0] ?? 0);
    const samples: { s: number; rss: number }[] = [];
    let result: LoadResult;
    let rate = o.rps;
    let connections = o.connections;
    try {
      const url = chatUrl(sw);
      const body = chatBody("up/echo");
      // Closed loop at about 80 % of saturation: the connection count whose throughput comes
      // closest to it. (An open loop that outruns the target measures its backlog, not a leak.)
      if (rate === undefined) {
        const saturation = (await runLoad({ url, body, connections: o.connections, durationS: 5 }))
          .rps;
        let best = { c: 1, gap: Infinity };
        for (const c of [2, 4, 8, 16]) {
          const rps = (await runLoad({ url, body, connections: c, durationS: 3 })).rps;
          const gap = Math.abs(rps - 0.8 * saturation);
          if (gap < best.gap) best = { c, gap };
        }
        connections = best.c;
        rate = Math.round(0.8 * saturation);
      }
      const t0 = performance.now();
      const load = runLoad({
        url,
        body,
        connections,
        durationS: o.durationS,
        ...(o.rps === undefined ? {} : { rps: o.rps }),
      });
      let done = false;
      load.finally(() => (done = true));
      while (!done) {
        samples.push({ s: (performance.now() - t0) / 1000, rss: (await memory(sw.proc.pid)).rss });
        await Bun.sleep(1000);
      }
      result = await load;
    } finally {
      await sw.stop();
      await mock.stop();
    }
    const atMinute = samples.find((x) => x.s >= Math.min(60, o.durationS / 5)) ?? samples[0]!;
    const last = samples.at(-1)!;
    const growth = (last.rss - atMinute.rss) / atMinute.rss;
    const row: Row = {
      target: "switchyard",
      phase: `soak, ${connections} connections (target ${rate} RPS)`,
      connections,
      result,
      cpuPercent: 0,
      peakRssMiB: Math.max(...samples.map((x) => x.rss)),
    };
    return {
      rows: [row],
      targets: [
        {
          name: `RSS growth after ${Math.round(atMinute.s)} s to the end (${o.durationS} s)`,
          figure: `${round(growth * 100, 1)} % (${round(atMinute.rss, 1)} → ${round(last.rss, 1)} MiB)`,
          goal: "≤ 10 %",
          met: growth <= 0.1,
        },
      ],
      notes: [
        `Closed-loop load at the connection count closest to 80 % of the saturation measured first (${rate} RPS); with --rps, an open loop at that rate. RSS sampled every second: ${samples
          .filter((_, i) => i % 30 === 0)
          .map((x) => `${Math.round(x.s)}s ${round(x.rss, 1)}`)
          .join(", ")}.`,
      ],
    };
  },
};

const ramp: Scenario = {
  defaultDurationS: 3,
  async run(o) {
    const steps: number[] = [];
    for (let c = 1; c <= Math.max(1, o.connections * 4); c *= 2) steps.push(c);
    const rows = await compare(
      o,
      steps.map((c) => ({
        name: `${String(c).padStart(3, " ")} conns`,
        connections: c,
        durationS: o.durationS,
      })),
    );
    const targets: Report["targets"] = [];
    const saturation = (t: string) =>
      Math.max(...rows.filter((r) => r.target === t).map((r) => r.result.rps));
    const proxy = saturation("proxy");
    for (const w of o.workers) {
      const name = w > 0 ? `switchyard-w${w}` : "switchyard";
      const ratio = saturation(name) / proxy;
      targets.push({
        name: `saturation throughput ${name} / bare proxy`,
        figure: `${round(ratio, 3)} (${Math.round(saturation(name))} / ${Math.round(proxy)} RPS)`,
        goal: "≥ 0.9",
        met: ratio >= 0.9,
      });
    }
    return {
      rows,
      targets,
      notes: [
        `Saturation is the highest RPS over the steps (${steps.join(", ")} connections, ${o.durationS} s each).`,
      ],
    };
  },
};

export const SCENARIOS = { chat, stream, isolation, soak, ramp };
