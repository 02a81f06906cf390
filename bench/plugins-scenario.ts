/**
 * The `plugins` scenario: what hooks cost. The same Switchyard with no plugins and with five
 * no-op plugins (every hook present, empty), at one connection (added p50) and at the chosen
 * connection count (throughput), taking turns over several rounds (`lib/rounds.ts`).
 */
import { join } from "node:path";
import { hookCost } from "./lib/hook-cost.ts";
import { noopPlugin } from "./noop-plugins/noop.ts";
import { alternate, ROUNDS, standardPhases } from "./lib/rounds.ts";
import type { Report, Row } from "./lib/report.ts";
import { round } from "./lib/stats.ts";
import { startMock, type Scenario } from "./lib/targets.ts";

const NOOPS = [1, 2, 3, 4, 5].map((i) => ({
  path: join(import.meta.dir, `noop-plugins/noop-${i}.ts`),
}));

export const plugins: Scenario = {
  defaultDurationS: 8,
  async run(o) {
    const mock = await startMock(o);
    const phases = standardPhases(o);
    let rows: Row[];
    // In process first, before any gateway runs beside it.
    const cost = await hookCost([1, 2, 3, 4, 5].map((i) => noopPlugin(`noop-${i}`)));
    try {
      rows = await alternate(
        o,
        mock.url,
        [
          { name: "switchyard", plugins: [] },
          { name: "switchyard+5-noop-plugins", plugins: NOOPS },
        ],
        phases,
      );
    } finally {
      await mock.stop();
    }
    return {
      rows,
      targets: [
        ...targets(rows, phases[0]!.name, phases[1]!.name),
        {
          name: "CPU per request added by 5 no-op plugins, in process (plain / streamed, 4 chunks)",
          figure: `${round(cost.plainUs, 2)} µs / ${round(cost.streamUs, 2)} µs`,
          goal: "≤ 5 µs plain",
          met: cost.plainUs <= 5,
        },
      ],
      notes: [
        `Each row is the median run (by RPS) of ${ROUNDS} rounds in which the two gateways took turns.`,
        "Both rows are the same gateway and config; the second loads five plugins whose preHook, onStreamChunk and postHook do nothing.",
        "Over HTTP on this 2-core machine the difference is within run-to-run noise; the in-process figure (the pipeline around a scripted provider, median of 5 alternating rounds of 20,000 requests) is the precise one.",
      ],
    };
  },
};

function targets(rows: Row[], one: string, many: string): Report["targets"] {
  const get = (t: string, p: string) => rows.find((r) => r.target === t && r.phase === p)!;
  const bare = "switchyard";
  const five = "switchyard+5-noop-plugins";
  const rps = get(five, many).result.rps / get(bare, many).result.rps;
  const addedUs = (get(five, one).result.latency.p50 - get(bare, one).result.latency.p50) * 1000;
  return [
    {
      name: `throughput with 5 no-op plugins / without (${many})`,
      figure: `${round(rps, 3)} (${Math.round(get(five, many).result.rps)} / ${Math.round(get(bare, many).result.rps)} RPS)`,
      goal: "≥ 0.95 (hooks nearly free)",
      met: rps >= 0.95,
    },
    {
      name: `p50 added by 5 no-op plugins (${one})`,
      figure: `${round(addedUs, 1)} µs`,
      goal: "≤ 50 µs",
      met: addedUs <= 50,
    },
  ];
}
