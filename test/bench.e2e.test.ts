/**
 * The benchmark harness as a user runs it (`bun run bench …`): a short isolation run writes its
 * JSON, Markdown and SVG reports with rows and the target line; a scenario name it does
 * not know is refused with the list of those it does.
 */
import { afterAll, describe, expect, it } from "bun:test";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Report } from "../bench/lib/report.ts";

const ROOT = join(import.meta.dir, "..");
const out = mkdtempSync(join(tmpdir(), "switchyard-bench-test-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function bench(...args: string[]) {
  return Bun.spawn(["bun", "run", "bench", ...args], {
    cwd: ROOT,
    stdout: "pipe",
    stderr: "pipe",
  });
}

describe("bun run bench", () => {
  it("runs a scenario and writes its report as JSON, Markdown and SVG", async () => {
    const proc = bench("--scenario", "isolation", "--duration", "1", "--out", out);
    const printed = await new Response(proc.stdout).text();
    expect(await proc.exited).toBe(0);
    expect(printed).toContain("| target | figure | goal | met |");
    expect(readdirSync(out).sort()).toEqual(
      expect.arrayContaining([
        "latest-isolation.json",
        "latest-isolation.md",
        "latest-isolation.svg",
      ]),
    );
    const report = (await Bun.file(join(out, "latest-isolation.json")).json()) as Report;
    expect(report.rows.map((r) => r.phase)).toEqual([
      "healthy provider alone",
      "with another provider stalled (256 calls hanging)",
    ]);
    for (const row of report.rows) {
      expect(row.result.requests).toBeGreaterThan(0);
      expect(row.result.errors).toBe(0);
      expect(row.cpuPercent).toBeGreaterThan(0);
    }
    expect(report.targets[0]!.name).toContain("stalled");
    expect(report.targets[0]!.figure).toMatch(/%/);
    expect(await Bun.file(join(out, "latest-isolation.md")).text()).toContain(
      "# Benchmark: isolation",
    );
    expect(await Bun.file(join(out, "latest-isolation.svg")).text()).toStartWith("<svg");
  }, 60_000);

  it("refuses a scenario it does not know, naming those it does", async () => {
    const proc = bench("--scenario", "nope", "--out", out);
    const said = await new Response(proc.stderr).text();
    expect(await proc.exited).toBe(2);
    expect(said).toContain('unknown --scenario "nope"');
    expect(said).toContain("chat");
  });
});
