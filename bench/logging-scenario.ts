/**
 * The `logging` scenario: what request logging costs, and what its durable mode adds (a journal
 * write per request before the answer goes out). The same Switchyard with no plugins, with
 * `logging` (SQLite, the default) and with `logging` in durable mode, taking turns over several
 * rounds (`lib/rounds.ts`); CPU per request is the figure to read.
 */
import { join } from "node:path";
import { tmpdir } from "node:os";
import { alternate, ROUNDS, standardPhases } from "./lib/rounds.ts";
import { cpuPerRequest, type Report, type Row } from "./lib/report.ts";
import { round } from "./lib/stats.ts";
import { startMock, type Scenario } from "./lib/targets.ts";
import { openJournal } from "../plugins/logging/journal.ts";
import type { LogRecord } from "../plugins/logging/record.ts";

/** The journal's own cost, in process: µs per record appended (median of 5 rounds of 20,000). */
async function journalCost(): Promise<number> {
  const { mkdtempSync, rmSync } = await import("node:fs");
  const dir = mkdtempSync(join(tmpdir(), "switchyard-bench-journal-"));
  const record: LogRecord = {
    id: crypto.randomUUID(),
    ts: Date.now(),
    dialect: "openai",
    provider: "up",
    model: "echo",
    requested_model: "up/echo",
    status: 200,
    error_code: null,
    latency_ms: 1.25,
    stream: false,
    prompt_tokens: 12,
    completion_tokens: 24,
    cost_usd: 0.000123,
    cache: null,
    fallback_used: false,
    attempts: 1,
    caller: "vk_0123456789abcdef",
    trace_id: null,
    request_body: null,
    response_body: null,
  };
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
  const dir = join(tmpdir(), `switchyard-bench-logging-${crypto.randomUUID()}`);
  return {
    plugins: [{ name: "logging", config: { durable } }],
    config: { storage: { sqlite_path: join(dir, "logs.sqlite") } },
  };
};

export const loggingScenario: Scenario = {
  defaultDurationS: 8,
  async run(o) {
    const { mkdirSync } = await import("node:fs");
    const plain = logging(false);
    const durable = logging(true);
    for (const v of [plain, durable])
      mkdirSync(join(v.config.storage.sqlite_path, ".."), { recursive: true });
    const journalUs = await journalCost();
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
  const us = (t: string) =>
    cpuPerRequest(rows.find((r) => r.target === t && r.phase === phase)!) ?? 0;
  const none = us("switchyard");
  return ["switchyard+logging", "switchyard+logging-durable"].map((name) => ({
    name: `CPU per request added by ${name.slice("switchyard+".length)} (${phase})`,
    figure: `${round(us(name) - none, 1)} µs (${round(us(name), 1)} vs ${round(none, 1)} µs)`,
    goal: "report",
    met: null,
  }));
}
