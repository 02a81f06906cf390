/**
 * The `gc` scenario: what the garbage collector costs Switchyard under load. Each Switchyard
 * target (the working tree, and `--compare <rev>` for a before and after) runs with JavaScriptCore's
 * GC log on (`BUN_JSC_logGC`: one line per collection with the heap size before and after and the
 * pause), under the same closed-loop load; the report gives collections, pause time per 1,000
 * requests and its share of the phase, and the JS heap allocated per request (the heap's growth
 * between collections, summed, over the requests answered). Bun exposes no GC counters of its
 * own, so the engine's log is the measure.
 */
import { summarizeGcLog, type GcSummary } from "./lib/gc-log.ts";
import { runLoad } from "./lib/load.ts";
import type { Report, Row } from "./lib/report.ts";
import { round } from "./lib/stats.ts";
import {
  chatBody,
  chatUrl,
  measure,
  startMock,
  startSwitchyard,
  switchyardTargets,
  type Scenario,
} from "./lib/targets.ts";

export const gc: Scenario = {
  defaultDurationS: 10,
  async run(o) {
    const mock = await startMock(o);
    const rows: Row[] = [];
    const summaries: { name: string; gc: GcSummary; requests: number; wallS: number }[] = [];
    const phase = `${o.connections} connections`;
    try {
      for (const target of switchyardTargets(o)) {
        const sw = await startSwitchyard(
          mock.url,
          target.workers,
          {},
          {
            ...target.variant,
            name: target.name,
            env: { BUN_JSC_logGC: "1" },
            captureStderr: true,
          },
        );
        try {
          const url = chatUrl(sw);
          const body = chatBody("up/echo");
          await runLoad({ url, body, connections: o.connections, durationS: 2 }); // warm up, JIT
          const from = sw.stderrText().length;
          const t0 = performance.now();
          const row = await measure(sw, phase, {
            url,
            body,
            connections: o.connections,
            durationS: o.durationS,
          });
          const wallS = (performance.now() - t0) / 1000;
          await Bun.sleep(100);
          rows.push(row);
          summaries.push({
            name: target.name,
            gc: summarizeGcLog(sw.stderrText(), from),
            requests: row.result.requests,
            wallS,
          });
        } finally {
          await sw.stop();
        }
      }
    } finally {
      await mock.stop();
    }
    const targets: Report["targets"] = summaries.map((s) => ({
      name: `GC under load, ${s.name} (${phase})`,
      figure:
        `${s.gc.eden} eden + ${s.gc.full} full collections; pause ${round((s.gc.pauseMs * 1000) / s.requests, 2)} ms per 1,000 requests ` +
        `(${round((s.gc.pauseMs / 1000 / s.wallS) * 100, 2)} % of the phase); ` +
        `${round(s.gc.allocatedKiB / s.requests, 2)} KiB of JS heap allocated per request`,
      goal: "report",
      met: null,
    }));
    const [now, before] = [summaries[0], summaries.find((s) => s.name.includes("@"))];
    if (now && before) {
      const perReq = (s: typeof now) => s.gc.allocatedKiB / s.requests;
      const pause = (s: typeof now) => s.gc.pauseMs / s.requests;
      targets.push({
        name: `before → after (${before.name} → ${now.name})`,
        figure: `allocated per request ${round(perReq(before), 2)} → ${round(perReq(now), 2)} KiB (${round((perReq(now) / perReq(before) - 1) * 100, 1)} %); GC pause per request ${round(pause(before) * 1000, 2)} → ${round(pause(now) * 1000, 2)} µs`,
        goal: "report",
        met: null,
      });
    }
    return {
      rows,
      targets,
      notes: [
        "Each target runs alone against the same mock with BUN_JSC_logGC=1; collections are counted from the end of a 2 s warm-up to the end of the measured phase.",
        "Allocated per request: the JS heap's growth between consecutive collections in the phase, summed, over the requests answered (native buffers such as request and response bodies are outside the JS heap and not counted).",
      ],
    };
  },
};
