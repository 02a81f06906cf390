/**
 * What every scenario shares: the options, starting the mock, the bare proxy and Switchyard as
 * separate processes, measuring one load against one of them, and the comparison of direct / proxy
 * / Switchyard over a list of phases with the target lines.
 */
import { existsSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { runLoad, type LoadResult, type LoadSpec } from "./load.ts";
import { cpuSeconds, freePort, memory, startBun, type Proc } from "./procs.ts";
import type { Report, Row } from "./report.ts";
import { round } from "./stats.ts";

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
  /** A git revision measured beside the working tree, as `switchyard@<rev>` (`--compare`). */
  compare?: string;
}

export type Outcome = Pick<Report, "rows" | "targets" | "notes">;
export interface Scenario {
  defaultDurationS: number;
  run(o: ScenarioOptions): Promise<Outcome>;
}

export const ROOT = join(import.meta.dir, "..", "..");
export const messages = [{ role: "user", content: "Benchmark this gateway, please." }];
export const chatBody = (model: string, stream = false) =>
  JSON.stringify({
    model,
    messages,
    ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  });

export async function startMock(o: ScenarioOptions): Promise<Proc> {
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

export async function startProxy(upstream: string): Promise<Proc> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  return startBun(
    "proxy",
    [join(ROOT, "bench/proxy.ts"), "--port", String(port), "--upstream", upstream],
    url,
    `${url}/health-probe`,
  );
}

/**
 * A checkout of `rev` to run beside the working tree (a detached git worktree in the temp
 * directory, reused while it exists), sharing this checkout's `node_modules`: the "before" of a
 * before-and-after measured in one run.
 */
export function revisionRoot(rev: string): string {
  let dir = revisionRoots.get(rev);
  if (dir === undefined) revisionRoots.set(rev, (dir = checkout(rev)));
  return dir;
}
const revisionRoots = new Map<string, string>();

function checkout(rev: string): string {
  const git = (...args: string[]) => {
    const r = Bun.spawnSync(["git", ...args], { cwd: ROOT, stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr.toString().trim()}`);
    return r.stdout.toString().trim();
  };
  const sha = git("rev-parse", "--verify", `${rev}^{commit}`);
  const dir = join(tmpdir(), `switchyard-rev-${sha.slice(0, 12)}`);
  if (!existsSync(join(dir, "src/main.ts"))) {
    // A half-made checkout from an interrupted run goes; --force re-registers its path.
    rmSync(dir, { recursive: true, force: true });
    git("worktree", "add", "--detach", "--force", dir, sha);
  }
  if (!existsSync(join(dir, "node_modules")))
    symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  const deps = (root: string) => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
      dependencies?: unknown;
    };
    return JSON.stringify(pkg.dependencies ?? {});
  };
  if (deps(dir) !== deps(ROOT))
    console.warn(
      `note: ${rev} declares other dependencies than this checkout; it runs on this checkout's node_modules`,
    );
  return dir;
}

export interface SwitchyardVariant {
  plugins?: unknown[];
  /** The process's name in the report. */
  name?: string;
  /** Other top-level config sections. */
  config?: Record<string, unknown>;
  /** Where `src/main.ts` lives (another revision's checkout); this one by default. */
  root?: string;
  /** Extra environment for the process. */
  env?: Record<string, string>;
  /** Keep the process's stderr to read (`Proc.stderrText`). */
  captureStderr?: boolean;
}

/** The Switchyard targets a scenario measures: the working tree per `--workers`, and `--compare`. */
export function switchyardTargets(
  o: ScenarioOptions,
): { name: string; workers: number; variant: SwitchyardVariant }[] {
  const out = o.workers.map((w) => ({
    name: w > 0 ? `switchyard-w${w}` : "switchyard",
    workers: w,
    variant: {} as SwitchyardVariant,
  }));
  if (o.compare !== undefined) {
    const name = `switchyard@${o.compare}`;
    out.push({
      name,
      workers: o.workers[0] ?? 0,
      variant: { name, root: revisionRoot(o.compare) },
    });
  }
  return out;
}

/** Switchyard with its full default pipeline (metrics on), providers pointing at the mock. */
export async function startSwitchyard(
  mockUrl: string,
  workers: number,
  extra: Record<string, unknown> = {},
  variant: SwitchyardVariant = {},
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
    plugins: variant.plugins ?? [],
    ...variant.config,
  };
  const file = join(tmpdir(), `switchyard-bench-${port}.json`);
  await Bun.write(file, JSON.stringify(config));
  return startBun(
    variant.name ?? (workers > 0 ? `switchyard-w${workers}` : "switchyard"),
    [join(variant.root ?? ROOT, "src/main.ts"), "--config", file],
    url,
    `${url}/health`,
    { env: variant.env ?? {}, captureStderr: variant.captureStderr ?? false },
  );
}

/** One measured load against one process: its CPU share and peak memory come with the result. */
export function measure(target: Proc, phase: string, spec: LoadSpec): Promise<Row> {
  return metered(target, phase, spec.connections, () => runLoad(spec));
}

/** `load()` run against `target`, with the process's CPU share and peak memory meanwhile. */
export async function metered(
  target: Proc,
  phase: string,
  connections: number,
  load: () => Promise<LoadResult>,
): Promise<Row> {
  const pid = target.proc.pid;
  const cpu0 = await cpuSeconds(pid);
  const t0 = performance.now();
  const result = await load();
  const wall = (performance.now() - t0) / 1000;
  const cpu = ((await cpuSeconds(pid)) - cpu0) / wall;
  const mem = await memory(pid);
  return {
    target: target.name,
    phase,
    connections,
    result,
    cpuPercent: cpu * 100,
    peakRssMiB: mem.peak,
  };
}

export function chatUrl(p: Proc): string {
  return `${p.url}/v1/chat/completions`;
}

/**
 * Runs `phases` against direct, the bare proxy and each Switchyard target, one process at a time.
 * With `rounds` > 1 the proxy and the Switchyard targets take turns that many times (each started
 * fresh) and each row is the run with the median RPS for its target and phase, so a noisy minute
 * on this shared machine lands on every target alike; direct runs once.
 */
export async function compare(
  o: ScenarioOptions,
  phases: { name: string; connections: number; durationS: number; stream?: boolean }[],
  rounds = 1,
): Promise<Row[]> {
  const mock = await startMock(o);
  const runs: Row[] = [];
  try {
    const turn: (() => Promise<Proc>)[] = [
      () => startProxy(mock.url),
      ...switchyardTargets(o).map((t) => () => startSwitchyard(mock.url, t.workers, {}, t.variant)),
    ];
    const makers = [async () => mock, ...Array.from({ length: rounds }, () => turn).flat()];
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
          runs.push({ ...row, target: direct ? "direct" : target.name });
        }
      } finally {
        if (!direct) await target.stop();
      }
    }
  } finally {
    await mock.stop();
  }
  const rows = medianRuns(runs);
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

/** Of several runs per target and phase, the one with the median RPS (first-seen order kept). */
export function medianRuns(runs: readonly Row[]): Row[] {
  const groups = new Map<string, Row[]>();
  for (const r of runs) {
    const k = `${r.target}\0${r.phase}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  return [...groups.values()].map((g) => {
    const sorted = [...g].sort((a, b) => a.result.rps - b.result.rps);
    return sorted[Math.floor(sorted.length / 2)]!;
  });
}

export const get = (rows: Row[], target: string, phase: string) =>
  rows.find((r) => r.target === target && r.phase === phase);

export function throughputTargets(
  rows: Row[],
  phase: string,
  o: ScenarioOptions,
): Report["targets"] {
  const out: Report["targets"] = [];
  const proxy = get(rows, "proxy", phase);
  for (const { name } of switchyardTargets(o)) {
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

export function latencyTargets(rows: Row[], phase: string, o: ScenarioOptions): Report["targets"] {
  const out: Report["targets"] = [];
  const proxy = get(rows, "proxy", phase);
  for (const { name } of switchyardTargets(o)) {
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
