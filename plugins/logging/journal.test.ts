import { afterEach, describe, expect, it } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { openJournal, type Journal } from "./journal.ts";
import { sampleRecord } from "./sample.ts";

const opened: Journal[] = [];
afterEach(() => {
  for (const j of opened.splice(0)) j.close();
});

// The machine a heartbeat was written on: this boot, this pid namespace (as the journal reads it).
const machine = `${readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim()}:${readlinkSync("/proc/self/ns/pid")}`;

function dirWithDeadOwner(owner: { pid: number; start: string; machine?: string }, records = 3) {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-journal-test-"));
  const path = join(dir, "j");
  writeFileSync(`${path}.dead.alive`, JSON.stringify({ host: hostname(), machine, ...owner }));
  const lines = Array.from({ length: records }, (_, i) =>
    JSON.stringify(sampleRecord({ id: `d-${i}` })),
  );
  writeFileSync(`${path}.dead.0`, `${lines.join("\n")}\n`);
  return { dir, path };
}

const ownStart = () => {
  const stat = readFileSync(`/proc/${process.pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]!;
};

describe("the durable journal", () => {
  it("replays the journal of a gateway that ran as the same pid before a restart", () => {
    // A pid is reused (as pid 1 is by every gateway in its container): same pid, another process.
    const { path } = dirWithDeadOwner({ pid: process.pid, start: "1" });
    const journal = openJournal(path);
    opened.push(journal);
    const left = journal.leftovers();
    expect(left.records.map((r) => r.id)).toEqual(["d-0", "d-1", "d-2"]);
    left.done();
  });

  it("leaves the journal of a gateway that is still running alone", () => {
    const { path } = dirWithDeadOwner({ pid: process.pid, start: ownStart() });
    const journal = openJournal(path);
    opened.push(journal);
    expect(journal.leftovers().records).toEqual([]);
  });

  it("leaves the journal of a gateway in another container with the same hostname alone", () => {
    // Its pid means nothing here: a pid namespace of its own, maybe a live gateway as pid 1.
    const { path } = dirWithDeadOwner({ pid: process.pid, start: "1", machine: "other:pid:[1]" });
    const journal = openJournal(path);
    opened.push(journal);
    expect(journal.leftovers().records).toEqual([]);
  });

  it("never lets two gateways replay the same segment", () => {
    const { dir, path } = dirWithDeadOwner({ pid: process.pid, start: "1" }, 5);
    const a = openJournal(path);
    const b = openJournal(path);
    opened.push(a, b);
    const first = a.leftovers();
    const second = b.leftovers();
    expect(first.records.length + second.records.length).toBe(5);
    first.done();
    second.done();
    expect(readdirSync(dir).filter((f) => f.startsWith("j.dead"))).toEqual([]);
  });
});
