import { describe, expect, it } from "bun:test";
import { RingQueue } from "./ring.ts";

function drain<T>(queue: RingQueue<T>): T[] {
  const out: T[] = [];
  for (let item = queue.shift(); item !== undefined; item = queue.shift()) out.push(item);
  return out;
}

describe("RingQueue", () => {
  it("gives items back in the order they were pushed", () => {
    const queue = new RingQueue<string>(4);
    for (const item of ["a", "b", "c"]) queue.push(item);
    expect(queue.length).toBe(3);
    expect(drain(queue)).toEqual(["a", "b", "c"]);
    expect(queue.length).toBe(0);
  });

  it("returns undefined when shifting an empty queue", () => {
    const queue = new RingQueue<number>(2);
    expect(queue.shift()).toBeUndefined();
    queue.push(1);
    queue.shift();
    expect(queue.shift()).toBeUndefined();
    expect(queue.length).toBe(0);
  });

  it("refuses a push when full and keeps what it holds", () => {
    const queue = new RingQueue<number>(2);
    expect(queue.push(1)).toBe(true);
    expect(queue.push(2)).toBe(true);
    expect(queue.push(3)).toBe(false);
    expect(queue.length).toBe(2);
    expect(drain(queue)).toEqual([1, 2]);
  });

  it("takes a push again once an item has left a full queue", () => {
    const queue = new RingQueue<number>(2);
    queue.push(1);
    queue.push(2);
    queue.shift();
    expect(queue.push(3)).toBe(true);
    expect(drain(queue)).toEqual([2, 3]);
  });

  it("keeps FIFO order as the head wraps around the array many times", () => {
    const queue = new RingQueue<number>(3);
    const out: number[] = [];
    let next = 0;
    for (let round = 0; round < 10; round++) {
      while (queue.push(next)) next++;
      out.push(queue.shift()!, queue.shift()!);
    }
    out.push(...drain(queue));
    expect(out).toEqual(Array.from({ length: next }, (_, i) => i));
  });

  it("holds nothing at capacity zero", () => {
    const queue = new RingQueue<number>(0);
    expect(queue.push(1)).toBe(false);
    expect(queue.length).toBe(0);
    expect(queue.shift()).toBeUndefined();
  });

  it("reports its capacity", () => {
    expect(new RingQueue<number>(7).capacity).toBe(7);
  });
});
