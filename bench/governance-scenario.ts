/**
 * The `governance` scenario: what virtual keys, rate limits and budgets cost, and how exact the
 * shared limiter is.
 *
 * Overhead: the same gateway without governance, with governance on the embedded defaults
 * (limits in memory, keys in SQLite), and with limits in Redis; every request carries a virtual
 * key whose limits and budget are never reached, so each request runs the whole check and charge.
 * Accuracy: two instances share Redis; a key allowed L requests a minute is sent 3L requests as
 * fast as they go, half to each; the answers are counted against the allowance L + L·t/60 (GCRA
 * refills evenly while the burst lasts t seconds).
 */
import governancePlugin from "../plugins/governance/index.ts";
import { hookCost } from "./lib/hook-cost.ts";
import { alternate, ROUNDS, standardPhases } from "./lib/rounds.ts";
import type { Report, Row } from "./lib/report.ts";
import { round } from "./lib/stats.ts";
import { chatBody, chatUrl, startMock, startSwitchyard, type Scenario } from "./lib/targets.ts";

const REDIS_URL = process.env.SWITCHYARD_BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const PRICE = { input_per_million: 1, output_per_million: 2 };

function governance(key: string, rpm: number) {
  return {
    pricing: { "up/echo": PRICE },
    virtual_keys: [
      {
        key,
        name: "bench",
        rate_limit: { requests_per_minute: rpm, tokens_per_minute: 1_000_000_000 },
        budget: { max_usd: 1_000_000, period: "1d" },
      },
    ],
  };
}

export const governanceScenario: Scenario = {
  defaultDurationS: 10,
  async run(o) {
    // In process first, before any gateway runs beside it: the CPU the plugin adds per request.
    const cpuKey = `sk-sy-cpu-${crypto.randomUUID()}`;
    const cpu = await hookCost([governancePlugin], {
      config: { ...governance(cpuKey, 1e9), on_redis_error: "open" },
      credential: cpuKey,
    });
    const mock = await startMock(o);
    const key = `sk-sy-bench-${crypto.randomUUID()}`;
    const phases = standardPhases(o);
    const storage = { sqlite_path: ":memory:" };
    let rows: Row[];
    let accuracy: Awaited<ReturnType<typeof measureAccuracy>>;
    try {
      rows = await alternate(
        o,
        mock.url,
        [
          { name: "switchyard" },
          { name: "switchyard+governance", config: { governance: governance(key, 1e9), storage } },
          {
            name: "switchyard+governance-redis",
            config: {
              governance: governance(key, 1e9),
              storage: { ...storage, redis_url: REDIS_URL },
            },
          },
        ],
        phases,
        { authorization: `Bearer ${key}` },
      );
      accuracy = await measureAccuracy(mock.url, o.workers[0] ?? 0, o.connections);
    } finally {
      await mock.stop();
    }
    return {
      rows,
      targets: [
        {
          name: "CPU per request added by governance (in-memory limits), in process (plain / streamed)",
          figure: `${round(cpu.plainUs, 2)} µs / ${round(cpu.streamUs, 2)} µs`,
          goal: "reported",
          met: true,
        },
        ...overheadTargets(rows, phases[0]!.name, phases[1]!.name),
        accuracy.target,
      ],
      notes: [
        `Each row is the median run (by RPS) of ${ROUNDS} rounds in which the three gateways took turns.`,
        "All three rows send the same requests with the same virtual key; the first gateway has no governance and ignores it.",
        accuracy.note,
      ],
    };
  },
};

function overheadTargets(rows: Row[], one: string, many: string): Report["targets"] {
  const get = (t: string, p: string) => rows.find((r) => r.target === t && r.phase === p)!;
  const out: Report["targets"] = [];
  for (const name of ["switchyard+governance", "switchyard+governance-redis"]) {
    const addedUs =
      (get(name, one).result.latency.p50 - get("switchyard", one).result.latency.p50) * 1000;
    const rps = get(name, many).result.rps / get("switchyard", many).result.rps;
    out.push(
      {
        name: `p50 added by ${name.slice(11)} (${one})`,
        figure: `${round(addedUs, 1)} µs`,
        goal: "reported",
        met: true,
      },
      {
        name: `throughput ${name.slice(11)} / none (${many})`,
        figure: `${round(rps, 3)} (${Math.round(get(name, many).result.rps)} / ${Math.round(get("switchyard", many).result.rps)} RPS)`,
        goal: "reported",
        met: true,
      },
    );
  }
  return out;
}

async function measureAccuracy(mockUrl: string, workers: number, connections: number) {
  const limit = 1000;
  const key = `sk-sy-accuracy-${crypto.randomUUID()}`;
  const config = {
    governance: governance(key, limit),
    storage: { sqlite_path: ":memory:", redis_url: REDIS_URL },
  };
  const [a, b] = await Promise.all([
    startSwitchyard(mockUrl, workers, {}, { name: "switchyard-a", config }),
    startSwitchyard(mockUrl, workers, {}, { name: "switchyard-b", config }),
  ]);
  try {
    const total = limit * 3;
    const body = chatBody("up/echo");
    let next = 0;
    let answered = 0;
    let refused = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: connections }, async (_, c) => {
        const url = chatUrl(c % 2 ? a : b);
        while (next < total) {
          next++;
          const r = await fetch(url, {
            method: "POST",
            headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
            body,
          });
          await r.arrayBuffer();
          if (r.status === 200) answered++;
          else if (r.status === 429) refused++;
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const allowance = limit + (limit * seconds) / 60;
    const error = (answered - allowance) / allowance;
    return {
      target: {
        name: "shared limiter accuracy, two instances (answered vs allowance)",
        figure: `${answered} answered, allowance ${round(allowance, 1)} (${round(error * 100, 2)} %), ${refused} refused`,
        goal: "within ±1 % and never over by more than 1 request",
        met: Math.abs(error) <= 0.01 && answered <= Math.ceil(allowance) + 1,
      },
      note: `Accuracy: ${total} requests for a key allowed ${limit} a minute, sent over ${round(seconds, 2)} s by ${connections} connections alternating between two instances sharing Redis.`,
    };
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
}
