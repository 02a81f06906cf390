/**
 * The harness's scenarios. Each starts what it needs (mock upstream, bare proxy, Switchyard as
 * separate processes, see `lib/targets.ts`), drives load from yet another process, and returns
 * rows and target figures.
 */
import { runLoad, type LoadResult } from "./lib/load.ts";
import { memory } from "./lib/procs.ts";
import type { Report, Row } from "./lib/report.ts";
import { round } from "./lib/stats.ts";
import {
  chatBody,
  chatUrl,
  compare,
  latencyTargets,
  measure,
  startMock,
  startSwitchyard,
  switchyardTargets,
  throughputTargets,
  type Scenario,
  type ScenarioOptions,
} from "./lib/targets.ts";

import { cpuPerRequest } from "./lib/report.ts";
import { ROUNDS } from "./lib/rounds.ts";
import { gc } from "./gc-scenario.ts";
import { h2 } from "./h2-scenario.ts";
import { hostile } from "./hostile-scenario.ts";
import { loggingScenario as logging } from "./logging-scenario.ts";
import { governanceScenario as governance } from "./governance-scenario.ts";
import { plugins } from "./plugins-scenario.ts";

export type { ScenarioOptions } from "./lib/targets.ts";
const chat: Scenario = {
  defaultDurationS: 10,
  async run(o) {
    const phases = [
      { name: "1 connection", connections: 1, durationS: Math.max(3, Math.round(o.durationS / 2)) },
      { name: `${o.connections} connections`, connections: o.connections, durationS: o.durationS },
    ];
    const rows = await compare(o, phases, ROUNDS);
    return {
      rows,
      targets: [
        ...throughputTargets(rows, phases[1]!.name, o),
        ...cpuTargets(rows, phases[1]!.name, o),
        ...latencyTargets(rows, phases[0]!.name, o),
      ],
      notes: [
        "Added latency is the target's p50 minus direct's p50 in the same phase; each target ran alone, in turn, against the same mock upstream.",
        `The proxy and Switchyard took turns over ${ROUNDS} rounds (each started fresh); each row is the run with the median RPS for its target and phase. Direct ran once.`,
        "CPU µs/req is the target process's CPU time (all threads) per answered request: what a request costs, whatever else the shared machine was doing.",
      ],
    };
  },
};

/** Each Switchyard target's CPU per request against the bare proxy's (a cost ratio; lower is better). */
function cpuTargets(rows: Row[], phase: string, o: ScenarioOptions): Report["targets"] {
  const proxy = rows.find((r) => r.target === "proxy" && r.phase === phase);
  const proxyUs = proxy && cpuPerRequest(proxy);
  if (proxyUs === undefined) return [];
  return switchyardTargets(o).flatMap(({ name }) => {
    const row = rows.find((r) => r.target === name && r.phase === phase);
    const us = row && cpuPerRequest(row);
    if (us === undefined) return [];
    return [
      {
        name: `CPU per request ${name} / bare proxy (${phase})`,
        figure: `${round(us / proxyUs, 2)} (${round(us, 1)} µs / ${round(proxyUs, 1)} µs)`,
        goal: "report",
        met: null,
      },
    ];
  });
}

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
    for (const { name } of switchyardTargets(o)) {
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

export const SCENARIOS = {
  chat,
  stream,
  isolation,
  soak,
  ramp,
  plugins,
  governance,
  gc,
  h2,
  hostile,
  logging,
};
