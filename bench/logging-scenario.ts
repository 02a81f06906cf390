/**
 * The `logging` scenario: what request logging costs, and what its durable mode adds (a journal
 * write per request before the answer goes out). The same Switchyard with no plugins, with
 * `logging` (SQLite, the default) and with `logging` in durable mode, taking turns over several
 * rounds (`lib/rounds.ts`); CPU per request is the figure to read.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { alternate, ROUNDS, standardPhases } from "./lib/rounds.ts";
import { cpuPerRequest, type Report, type Row } from "./lib/report.ts";
import { round } from "./lib/stats.ts";
import { get, startMock, type Scenario } from "./lib/targets.ts";
import { openJournal } from "../plugins/logging/journal.ts";
import { sampleRecord } from "../plugins/logging/sample.ts";

/** The journal's own cost, in process: µs per record appended (median of 5 rounds of 20,000). */
function journalCost(): number {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-bench-journal-"));
  const record = sampleRecord({ provider: "up", model: "echo", requested_model: "up/echo" });
  const rounds: number[] = [];
  try {
    for (let r = 0; r < 5; r++) {
      const journal = openJournal(join(dir, `j${r}`));
      const t0 = performance.now();
      for (let i = 0; i < 20_000; i++) journal.settled(journal.append(record));
      rounds.push(((performance.now() - t0) * 1000) / 20_000);
      journal.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rounds.sort((a, b) => a - b)[2]!;
}

const logging = (durable: boolean) => {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-bench-logging-"));
  return {
    plugins: [{ name: "logging", config: { durable } }],
    config: { storage: { sqlite_path: join(dir, "logs.sqlite") } },
  };
};

export const loggingScenario: Scenario = {
  defaultDurationS: 8,
  async run(o) {
    const plain = logging(false);
    const durable = logging(true);
    const journalUs = journalCost();
    const mock = await startMock(o);
    const phases = standardPhases(o);
    let rows: Row[];
    try {
      rows = await alternate(
        o,
        mock.url,
        [
          { name: "switchyard", plugins: [] },
          { name: "switchyard+logging", ...plain },
          { name: "switchyard+logging-durable", ...durable },
        ],
        phases,
      );
    } finally {
      await mock.stop();
    }
    return {
      rows,
      targets: [
        ...targets(rows, phases[1]!.name),
        {
          name: "durable mode's journal, in process (append and forget one record)",
          figure: `${round(journalUs, 2)} µs per request`,
          goal: "report",
          met: null,
        },
      ],
      notes: [
        `Each row is the median run (by RPS) of ${ROUNDS} rounds in which the three gateways took turns.`,
        "Durable mode appends each record to a local journal (one write to the kernel, no fsync) before the answer goes out, and forgets it once the store has it.",
      ],
    };
  },
};

function targets(rows: Row[], phase: string): Report["targets"] {
  const us = (t: string) => cpuPerRequest(get(rows, t, phase)!) ?? 0;
  const none = us("switchyard");
  return ["switchyard+logging", "switchyard+logging-durable"].map((name) => ({
    name: `CPU per request added by ${name.slice("switchyard+".length)} (${phase})`,
    figure: `${round(us(name) - none, 1)} µs (${round(us(name), 1)} vs ${round(none, 1)} µs)`,
    goal: "report",
    met: null,
  }));
}
