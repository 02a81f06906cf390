/** Reading JavaScriptCore's GC log (`BUN_JSC_logGC=1`): collections, pauses, heap allocated. */

export interface GcSummary {
  eden: number;
  full: number;
  pauseMs: number;
  /** JS heap allocated between the collections counted, KiB. */
  allocatedKiB: number;
}

// One collection is logged as a START line, then, when it takes several increments, lines of its
// own heap's `[GC<0x…>: M …]`; each line's `p=…ms` is a pause, and the last line ends with
// `=> <after>kb, p=…ms (max …), cycle …ms END]`. A short collection is all on its START line.
const LINE = /\[GC<(0x[0-9a-f]+)>: ([^\n]*)/g;
const START = /^START \S+ (\d+)kb => (\w+)Collection/;
const PAUSE = /\bp=([\d.]+)ms/g;
const END = /=> (\d+)kb, p=[\d.]+ms[^\]]*END\]/;

/**
 * Collections in `log` that started at character `from` or later: their kinds, pauses (every
 * increment), and the heap allocated before each (its size when it started minus the size the
 * previous collection of the same heap left). Heaps (the main thread's, a worker's) are kept apart.
 */
export function summarizeGcLog(log: string, from = 0): GcSummary {
  const out: GcSummary = { eden: 0, full: 0, pauseMs: 0, allocatedKiB: 0 };
  const open = new Map<string, { counted: boolean }>();
  const lastAfter = new Map<string, number>();
  for (const m of log.matchAll(LINE)) {
    const [heap, rest] = [m[1]!, m[2]!];
    const start = START.exec(rest);
    if (start) {
      const counted = m.index! >= from;
      open.set(heap, { counted });
      if (counted) {
        if (start[2] === "Eden") out.eden++;
        else out.full++;
        const before = lastAfter.get(heap);
        if (before !== undefined) out.allocatedKiB += Math.max(0, Number(start[1]) - before);
      }
    }
    const current = open.get(heap);
    if (current === undefined) continue;
    if (current.counted) for (const p of rest.matchAll(PAUSE)) out.pauseMs += Number(p[1]);
    const end = END.exec(rest);
    if (end) {
      lastAfter.set(heap, Number(end[1]));
      open.delete(heap);
    }
  }
  return out;
}
