/**
 * The durable mode's journal: every record the writer takes is appended to a local file before
 * `add()` returns (one `write` to the kernel, which keeps it whatever becomes of the process), and
 * forgotten once the store has it. A gateway killed with records still buffered leaves them in
 * its journal; the next start replays them into the store. It covers the gateway's crash, not the
 * machine's: nothing is fsync'd.
 *
 *   <path>.<pid>.<n>    segments of SEGMENT_RECORDS records, JSON lines, one process's own;
 *                       a segment whose records are all written (or dropped) is deleted
 *
 * At start, the segments of processes that are no longer running are replayed and deleted.
 */
import { closeSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { LogRecord } from "./record.ts";

/** Records per segment file. */
export const SEGMENT_RECORDS = 1000;

interface Segment {
  n: number;
  file: string;
  fd: number | undefined;
  written: number;
  /** Records appended and not yet settled. */
  open: number;
}

export interface Journal {
  /** Appends a record; the number it returns is handed to `settled` once it is written or dropped. */
  append(record: LogRecord): number;
  settled(segment: number): void;
  close(): void;
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === "EPERM";
  }
}

/** Segments other processes left behind (they are not running any more), oldest first. */
function leftBehind(path: string): string[] {
  const dir = dirname(path);
  const prefix = `${basename(path)}.`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .flatMap((name) => {
      if (!name.startsWith(prefix)) return [];
      const [pid, n] = name.slice(prefix.length).split(".").map(Number);
      if (!Number.isInteger(pid) || !Number.isInteger(n) || alive(pid!)) return [];
      return [{ file: join(dir, name), pid: pid!, n: n! }];
    })
    .sort((a, b) => a.pid - b.pid || a.n - b.n)
    .map((s) => s.file);
}

/** The records in the segments dead processes left, and a function that deletes those files. */
export function leftoverRecords(path: string): { records: LogRecord[]; done(): void } {
  const files = leftBehind(path);
  const records: LogRecord[] = [];
  for (const file of files) {
    for (const line of readFileSync(file, "utf8").split("\n")) {
      if (line === "") continue;
      try {
        records.push(JSON.parse(line) as LogRecord);
      } catch {
        // A line torn by the crash: the record it held was never acknowledged as journaled.
      }
    }
  }
  return { records, done: () => files.forEach((f) => unlinkSync(f)) };
}

export function openJournal(path: string): Journal {
  const segments = new Map<number, Segment>();
  let current: Segment | undefined;
  let next = 0;

  function fresh(): Segment {
    const n = next++;
    const file = `${path}.${process.pid}.${n}`;
    const segment = { n, file, fd: openSync(file, "a"), written: 0, open: 0 };
    segments.set(n, segment);
    return segment;
  }

  function retire(segment: Segment): void {
    if (segment.fd !== undefined) closeSync(segment.fd);
    segment.fd = undefined;
    if (segment.open === 0) {
      segments.delete(segment.n);
      unlinkSync(segment.file);
    }
  }

  return {
    append(record) {
      if (!current || current.written >= SEGMENT_RECORDS) {
        if (current) retire(current);
        current = fresh();
      }
      writeSync(current.fd!, `${JSON.stringify(record)}\n`);
      current.written++;
      current.open++;
      return current.n;
    },
    settled(n) {
      const segment = segments.get(n);
      if (!segment) return;
      segment.open--;
      if (segment.open === 0 && segment !== current) retire(segment);
    },
    close() {
      for (const segment of [...segments.values()]) {
        if (segment.fd !== undefined) closeSync(segment.fd);
        segment.fd = undefined;
        if (segment.open === 0) {
          segments.delete(segment.n);
          unlinkSync(segment.file);
        }
      }
      current = undefined;
    },
  };
}
