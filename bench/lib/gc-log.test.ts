import { describe, expect, it } from "bun:test";
import { summarizeGcLog } from "./gc-log.ts";

// Shapes as Bun 1.4's JavaScriptCore prints them (middles shortened).
const EDEN_ONE_LINE =
  "[GC<0xa>: START M 34486kb => EdenCollection, a=0kb o=5 b=638 45+0 => 15336kb, p=1.75ms (max 4.39), cycle 1.8ms END]";
const FULL_MANY_LINES = [
  "[GC<0xa>: START M 20574kb => FullCollection, a=0kb v=9227kb (C:9227 M:0) 217834+0 p=4.99ms (max 4.99)...]",
  "[GC<0xa>: M a=642kb hf=0.196 mu=0.483 v=9326kb 0+2 p=1.01ms (max 4.99)...]",
  "[GC<0xa>: M a=1197kb hf=0.365 v=9812kb 0+2 v=10690kb i#8:P<CsMsm(0)>Pbc => 11669kb, p=1.25ms (max 4.99), cycle 9.1ms END]",
].join("\n");

describe("summarizeGcLog", () => {
  it("counts one-line and many-line collections with every pause", () => {
    const log = [
      "[GC<0xa>: starting 0.02ms]",
      EDEN_ONE_LINE,
      "[GC<0xa>: epilogue 0.01ms]",
      FULL_MANY_LINES,
    ].join("\n");
    const s = summarizeGcLog(log);
    expect(s.eden).toBe(1);
    expect(s.full).toBe(1);
    expect(s.pauseMs).toBeCloseTo(1.75 + 4.99 + 1.01 + 1.25, 6);
    // The full collection started at 20,574 KiB; the eden one had left 15,336 KiB.
    expect(s.allocatedKiB).toBe(20574 - 15336);
  });

  it("counts only collections that start at or after `from`, and keeps heaps apart", () => {
    const first = `${EDEN_ONE_LINE}\n`;
    const worker =
      "[GC<0xb>: START M 9000kb => EdenCollection, a=0kb => 1000kb, p=0.5ms (max 0.5), cycle 0.6ms END]\n";
    const log = first + worker + FULL_MANY_LINES;
    const s = summarizeGcLog(log, first.length);
    expect(s.eden).toBe(1); // the worker heap's
    expect(s.full).toBe(1);
    expect(s.pauseMs).toBeCloseTo(0.5 + 4.99 + 1.01 + 1.25, 6);
    // Heap 0xa grew from 15,336 to 20,574 KiB; heap 0xb had no earlier collection to start from.
    expect(s.allocatedKiB).toBe(20574 - 15336);
  });
});
