/**
 * The durable mode's journal: every record the writer takes is appended to a local file before
 * `add()` returns (one `write` to the kernel, which keeps it whatever becomes of the process), and
 * forgotten once the store has it. A gateway killed with records still buffered leaves them in
 * its journal, and a gateway sharing the directory (its successor, after a restart) replays them
 * into the store. It covers the gateway's crash, not the machine's: nothing is fsync'd.
 *
 *   <path>.<id>.alive            the owner's heartbeat, touched every HEARTBEAT_MS
 *   <path>.<id>.<n>              segments of SEGMENT_RECORDS records, JSON lines; a segment whose
 *                                records are all written (or dropped) is deleted
 *   <path>.<id>.<n>.claimed.<c>  a segment gateway <c> took over to replay
 *
 * `<id>` is a random id per process, never a pid (a container's gateway is pid 1 after every
 * restart). An owner is gone when its heartbeat says it ran on this machine, in this pid namespace,
 * as a process that is no longer running (its pid is free, or now another process's: the start
 * times differ), when the heartbeat is older than STALE_MS (another machine or container sharing
 * the directory, or this container before its restart: a new pid namespace), or when there is none. The heartbeat is written anew every HEARTBEAT_MS, so one a
 * mistaken claimer removed comes back. Its segments are claimed
 * by renaming them (atomic, so two gateways never replay the same one), replayed and deleted.
 */
import {
  closeSync,
  openSync,
  readlinkSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
import type { LogRecord } from "./record.ts";

/** Records per segment file. */
export const SEGMENT_RECORDS = 1000;
/** How often a gateway says it is alive, and after how long without it it is taken to be gone. */
export const HEARTBEAT_MS = 5_000;
export const STALE_MS = 30_000;

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
  /** The records gateways that are gone left behind, claimed for this one to write. */
  leftovers(): { records: LogRecord[]; done(): void };
  close(): void;
}

/** When process `pid` started (clock ticks since boot), on Linux; undefined if it is not running. */
function startOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

/**
 * Who writes a heartbeat: enough to tell, on the same machine and in the same pid namespace (the
 * same boot, the same namespace: a pid means the same thing), that the process is gone.
 */
interface Owner {
  host: string;
  /** `/proc/sys/kernel/random/boot_id` and `/proc/self/ns/pid`, where Linux has them. */
  machine: string | undefined;
  pid: number;
  start: string | undefined;
}

function machineId(): string | undefined {
  try {
    const boot = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    return `${boot}:${readlinkSync("/proc/self/ns/pid")}`;
  } catch {
    return undefined;
  }
}

/** A journal file's owner (or its claimer) and what it is, from its name. */
function parse(name: string, prefix: string) {
  if (!name.startsWith(prefix)) return undefined;
  const parts = name.slice(prefix.length).split(".");
  if (parts.length === 2 && parts[1] === "alive") return { kind: "alive" as const, id: parts[0]! };
  if (parts.length === 2 && /^\d+$/.test(parts[1]!))
    return { kind: "segment" as const, id: parts[0]!, base: name };
  if (parts.length === 4 && parts[2] === "claimed")
    return { kind: "segment" as const, id: parts[3]!, base: `${prefix}${parts[0]}.${parts[1]}` };
  return undefined;
}

function readRecords(file: string): LogRecord[] {
  const records: LogRecord[] = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (line === "") continue;
    try {
      records.push(JSON.parse(line) as LogRecord);
    } catch {
      // A line torn by the crash: the record it held was never acknowledged as journaled.
    }
  }
  return records;
}

export function openJournal(path: string): Journal {
  const dir = dirname(path);
  const prefix = `${basename(path)}.`;
  const id = crypto.randomUUID().replaceAll("-", "").slice(0, 16);
  const alive = `${path}.${id}.alive`;
  const me: Owner = {
    host: hostname(),
    machine: machineId(),
    pid: process.pid,
    start: startOf(process.pid),
  };
  const beat = () => writeFileSync(alive, JSON.stringify(me));
  beat();
  // Written anew each time: a heartbeat file someone removed comes back.
  const heartbeat = setInterval(() => {
    try {
      beat();
    } catch {
      // The directory went away; the next append says so.
    }
  }, HEARTBEAT_MS);
  heartbeat.unref?.();
  const segments = new Map<number, Segment>();
  let current: Segment | undefined;
  let next = 0;

  function fresh(): Segment {
    const n = next++;
    const file = `${path}.${id}.${n}`;
    const segment = { n, file, fd: openSync(file, "a"), written: 0, open: 0 };
    segments.set(n, segment);
    return segment;
  }

  function retire(segment: Segment): void {
    if (segment.fd !== undefined) closeSync(segment.fd);
    segment.fd = undefined;
    if (segment.open === 0) {
      segments.delete(segment.n);
      forget(segment.file);
    }
  }

  /** Whether gateway `owner` is gone (see the top of the file). */
  function gone(owner: string, now: number): boolean {
    if (owner === id) return false;
    const file = join(dir, `${prefix}${owner}.alive`);
    try {
      if (now - statSync(file).mtimeMs > STALE_MS) return true;
      const them = JSON.parse(readFileSync(file, "utf8")) as Owner;
      const here =
        them.host === me.host && them.machine !== undefined && them.machine === me.machine;
      if (!here || them.start === undefined) return false;
      return startOf(them.pid) !== them.start;
    } catch (err) {
      // No heartbeat at all: gone. One that cannot be read right now: not known to be gone.
      return (err as { code?: string }).code === "ENOENT";
    }
  }

  const forget = (file: string) => {
    try {
      unlinkSync(file);
    } catch {
      // Already gone (claimed by another gateway, or removed).
    }
  };

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
    leftovers() {
      const now = Date.now();
      const claimed: string[] = [];
      const owners = new Set<string>();
      // Each owner's heartbeat is read once per scan, however many segments it left.
      const verdicts = new Map<string, boolean>();
      const isGone = (owner: string) => {
        let verdict = verdicts.get(owner);
        if (verdict === undefined) verdicts.set(owner, (verdict = gone(owner, now)));
        return verdict;
      };
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        names = [];
      }
      for (const name of names.sort()) {
        const file = parse(name, prefix);
        if (!file || !isGone(file.id)) continue;
        owners.add(file.id);
        if (file.kind !== "segment") continue;
        const mine = join(dir, `${file.base}.claimed.${id}`);
        try {
          renameSync(join(dir, name), mine); // only one gateway wins each segment
          claimed.push(mine);
        } catch {
          // Another gateway claimed it first.
        }
      }
      const records = claimed.flatMap(readRecords);
      return {
        records,
        done() {
          for (const file of claimed) forget(file);
          // A heartbeat is removed only if its owner is still gone (it may have been wrongly
          // taken for gone: its heartbeat comes back anyway).
          const later = Date.now();
          for (const owner of owners)
            if (gone(owner, later)) forget(join(dir, `${prefix}${owner}.alive`));
        },
      };
    },
    close() {
      clearInterval(heartbeat);
      for (const segment of [...segments.values()]) retire(segment);
      current = undefined;
      // Records still open stay for another gateway, which will find this one gone.
      if (segments.size === 0) forget(alive);
    },
  };
}
