/** The harness's outputs: a console/Markdown table, a JSON file and an SVG chart. */
import { cpus, totalmem, type as osType, release } from "node:os";
import { round } from "./stats.ts";
import type { LoadResult } from "./load.ts";

export interface Row {
  target: string;
  phase: string;
  connections: number;
  result: LoadResult;
  cpuPercent: number;
  peakRssMiB: number;
  /** Added p50 latency, ms, versus direct and versus the bare proxy (same phase). */
  addedVsDirect?: number;
  addedVsProxy?: number;
}

export interface Report {
  scenario: string;
  startedAt: string;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; os: string; bun: string };
  options: Record<string, unknown>;
  loadTool: string;
  rows: Row[];
  /** The targets, each with its figure and whether it was met. */
  targets: { name: string; figure: string; goal: string; met: boolean | null }[];
  notes: string[];
}

export function machine(): Report["machine"] {
  const c = cpus();
  return {
    cpus: c.length,
    cpuModel: c[0]?.model ?? "unknown",
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    os: `${osType()} ${release()}`,
    bun: Bun.version,
  };
}

/**
 * The target process's CPU time per answered request, µs (all its threads): what a request costs
 * whatever else the machine was doing, so it moves much less from run to run than RPS does.
 */
export function cpuPerRequest(r: Row): number | undefined {
  if (r.cpuPercent <= 0 || r.result.rps <= 0) return undefined;
  return ((r.cpuPercent / 100) * 1e6) / r.result.rps;
}

const ms = (n: number | undefined) => (n === undefined ? "" : round(n, 2).toString());

export function markdown(report: Report): string {
  const m = report.machine;
  const lines = [
    `# Benchmark: ${report.scenario}`,
    "",
    `${report.startedAt} · ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.os}, Bun ${m.bun} · load: ${report.loadTool}`,
    "",
    `Options: \`${JSON.stringify(report.options)}\``,
    "",
    "| target | phase | conns | RPS | p50 ms | p90 ms | p99 ms | p99.9 ms | +p50 vs direct | +p50 vs proxy | errors | peak RSS MiB | CPU % | CPU µs/req |",
    "| --- | --- | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: |",
  ];
  for (const r of report.rows) {
    const l = r.result.latency;
    lines.push(
      `| ${r.target} | ${r.phase} | ${r.connections} | ${Math.round(r.result.rps)} | ${ms(l.p50)} | ${ms(l.p90)} | ${ms(l.p99)} | ${ms(l.p999)} | ${ms(r.addedVsDirect)} | ${ms(r.addedVsProxy)} | ${r.result.errors} | ${round(r.peakRssMiB, 1)} | ${Math.round(r.cpuPercent)} | ${cpuPerRequest(r) === undefined ? "" : round(cpuPerRequest(r)!, 1)} |`,
    );
  }
  const streams = report.rows.filter((r) => r.result.ttft);
  if (streams.length > 0) {
    lines.push(
      "",
      "| target | TTFT p50 ms | TTFT p99 ms | chunk gap p50 ms | chunk gap p99 ms |",
      "| --- | --: | --: | --: | --: |",
    );
    for (const r of streams) {
      lines.push(
        `| ${r.target} | ${ms(r.result.ttft!.p50)} | ${ms(r.result.ttft!.p99)} | ${ms(r.result.gap?.p50)} | ${ms(r.result.gap?.p99)} |`,
      );
    }
  }
  if (report.targets.length > 0) {
    lines.push("", "| target | figure | goal | met |", "| --- | --- | --- | --- |");
    for (const t of report.targets)
      lines.push(
        `| ${t.name} | ${t.figure} | ${t.goal} | ${t.met === null ? "n/a" : t.met ? "yes" : "no"} |`,
      );
  }
  if (report.notes.length > 0) lines.push("", ...report.notes.map((n) => `- ${n}`));
  return lines.join("\n") + "\n";
}

const COLORS = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948"];

/** Latency percentiles (grouped bars) and RPS by target, one group per row of the main phase. */
export function svg(report: Report): string {
  const rows = report.rows.filter((r) => r.phase === report.rows.at(-1)!.phase);
  const w = 900;
  const h = 360;
  const pad = 50;
  const half = (w - 3 * pad) / 2;
  const keys = ["p50", "p90", "p99", "p999"] as const;
  const maxLat = Math.max(1e-3, ...rows.flatMap((r) => keys.map((k) => r.result.latency[k])));
  const maxRps = Math.max(1, ...rows.map((r) => r.result.rps));
  const groupW = half / Math.max(1, rows.length);
  const barW = (groupW * 0.8) / keys.length;
  const y = (v: number, max: number) => h - pad - ((h - 2 * pad) * v) / max;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif" font-size="11">`,
    `<rect width="${w}" height="${h}" fill="white"/>`,
    `<text x="${pad}" y="20" font-size="14">${report.scenario}: latency percentiles (ms)</text>`,
    `<text x="${2 * pad + half}" y="20" font-size="14">requests per second</text>`,
  ];
  rows.forEach((r, i) => {
    const gx = pad + i * groupW;
    keys.forEach((k, j) => {
      const v = r.result.latency[k];
      const top = y(v, maxLat);
      parts.push(
        `<rect x="${gx + j * barW}" y="${top}" width="${barW - 1}" height="${h - pad - top}" fill="${COLORS[j]}"><title>${r.target} ${k} ${round(v, 2)} ms</title></rect>`,
      );
    });
    parts.push(`<text x="${gx}" y="${h - pad + 14}">${r.target}</text>`);
    const rx = 2 * pad + half + i * groupW;
    const top = y(r.result.rps, maxRps);
    parts.push(
      `<rect x="${rx}" y="${top}" width="${groupW * 0.6}" height="${h - pad - top}" fill="${COLORS[4]}"/>`,
    );
    parts.push(`<text x="${rx}" y="${top - 4}">${Math.round(r.result.rps)}</text>`);
    parts.push(`<text x="${rx}" y="${h - pad + 14}">${r.target}</text>`);
  });
  keys.forEach((k, j) =>
    parts.push(
      `<rect x="${pad + j * 60}" y="${h - 18}" width="10" height="10" fill="${COLORS[j]}"/><text x="${pad + j * 60 + 14}" y="${h - 9}">${k}</text>`,
    ),
  );
  parts.push(`<text x="${pad}" y="${pad - 8}">max ${round(maxLat, 2)} ms</text>`);
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}
