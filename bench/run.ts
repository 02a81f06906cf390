/**
 * The benchmark harness. `bun run bench` runs the default scenario (non-streaming chat) and prints
 * a table; every run also writes `bench/results/<scenario>-<time>.{json,md,svg}` and the same as
 * `latest-<scenario>.*`. Each run starts its own mock upstream and measures, in the same run,
 * direct to the mock, a bare Bun fetch proxy and Switchyard (full default pipeline, metrics on),
 * with the load coming from a separate process (wrk when installed, else Bun).
 *
 *   bun run bench [--scenario chat|stream|isolation|soak|ramp|plugins|governance|gc|h2|hostile|logging] [--duration S] [--connections N]
 *                 [--rps N] [--latency MS] [--jitter MS] [--error-rate F] [--words N]
 *                 [--chunk-delay MS] [--workers N,...] [--compare GIT-REV]
 *
 * `--compare <rev>` adds that revision of Switchyard (a git worktree in the temp directory) as a
 * target beside the working tree, for a before-and-after in one run.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { hasWrk } from "./lib/load.ts";
import { machine, markdown, svg, type Report } from "./lib/report.ts";
import { SCENARIOS, type ScenarioOptions } from "./scenarios.ts";

const { values } = parseArgs({
  options: {
    scenario: { type: "string", default: "chat" },
    duration: { type: "string" },
    connections: { type: "string", default: "32" },
    rps: { type: "string" },
    latency: { type: "string", default: "0" },
    jitter: { type: "string", default: "0" },
    "error-rate": { type: "string", default: "0" },
    words: { type: "string", default: "16" },
    "chunk-delay": { type: "string" },
    workers: { type: "string", default: "0" },
    compare: { type: "string" },
    out: { type: "string", default: join(import.meta.dir, "results") },
  },
  strict: true,
});

const scenario = SCENARIOS[values.scenario as keyof typeof SCENARIOS];
if (!scenario) {
  console.error(
    `unknown --scenario "${values.scenario}"; one of ${Object.keys(SCENARIOS).join(", ")}`,
  );
  process.exit(2);
}

const options: ScenarioOptions = {
  durationS: Number(values.duration ?? scenario.defaultDurationS),
  connections: Number(values.connections),
  ...(values.rps === undefined ? {} : { rps: Number(values.rps) }),
  latencyMs: Number(values.latency),
  jitterMs: Number(values.jitter),
  errorRate: Number(values["error-rate"]),
  words: Number(values.words),
  // Streams need time between chunks for the gap to mean anything; other scenarios send at once.
  chunkDelayMs: Number(values["chunk-delay"] ?? (values.scenario === "stream" ? 2 : 0)),
  workers: values.workers.split(",").map(Number),
  ...(values.compare === undefined ? {} : { compare: values.compare }),
};

console.log(
  `scenario ${values.scenario}, load from ${hasWrk ? "wrk (non-streaming) and bun" : "bun"}`,
);
const startedAt = new Date().toISOString();
const { rows, targets, notes } = await scenario.run(options);
const report: Report = {
  scenario: values.scenario,
  startedAt,
  machine: machine(),
  options: { ...options },
  loadTool: hasWrk
    ? "wrk for closed-loop non-streaming loads, bun/load.ts otherwise"
    : "bun/load.ts (wrk not installed)",
  rows,
  targets,
  notes,
};

mkdirSync(values.out, { recursive: true });
const stamp = startedAt.replace(/[:.]/g, "-");
const md = markdown(report);
for (const name of [`${values.scenario}-${stamp}`, `latest-${values.scenario}`]) {
  await Bun.write(join(values.out, `${name}.json`), JSON.stringify(report, null, 2) + "\n");
  await Bun.write(join(values.out, `${name}.md`), md);
  await Bun.write(join(values.out, `${name}.svg`), svg(report));
}
console.log(md);
console.log(`written to ${values.out}/latest-${values.scenario}.{json,md,svg}`);
