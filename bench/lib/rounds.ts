/**
 * Comparing variants of one gateway on a noisy machine: the variants take turns, round after
 * round, each started fresh, warmed up and measured in every phase; each row reported is the run
 * with the median RPS for its variant and phase. A noisy minute then lands on every variant alike.
 */
import { runLoad } from "./load.ts";
import type { Row } from "./report.ts";
import {
  chatBody,
  chatUrl,
  measure,
  medianRuns,
  startSwitchyard,
  type ScenarioOptions,
} from "./targets.ts";

export interface Variant {
  name: string;
  plugins?: unknown[];
  config?: Record<string, unknown>;
}

export interface Phase {
  name: string;
  connections: number;
  durationS: number;
}

export const ROUNDS = 3;

/** One connection (added latency) and the chosen connection count (throughput). */
export function standardPhases(o: ScenarioOptions): Phase[] {
  return [
    { name: "1 connection", connections: 1, durationS: Math.max(3, Math.round(o.durationS / 2)) },
    { name: `${o.connections} connections`, connections: o.connections, durationS: o.durationS },
  ];
}

export async function alternate(
  o: ScenarioOptions,
  mockUrl: string,
  variants: readonly Variant[],
  phases: readonly Phase[],
  headers: Record<string, string> = {},
): Promise<Row[]> {
  const runs: Row[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const variant of variants) {
      const sw = await startSwitchyard(mockUrl, o.workers[0] ?? 0, {}, variant);
      try {
        const url = chatUrl(sw);
        const body = chatBody("up/echo");
        await runLoad({ url, body, headers, connections: o.connections, durationS: 1 });
        for (const phase of phases) {
          runs.push(await measure(sw, phase.name, { url, body, headers, ...phase, stream: false }));
        }
      } finally {
        await sw.stop();
      }
    }
  }
  return medianRuns(runs);
}
