/**
 * A bounded FIFO on a fixed array, O(1) at both ends. Capacity is fixed at construction; `push`
 * refuses instead of growing.
 *
 *   head                 tail
 *    v                    v
 *   [ a ][ b ][ c ][ d ][   ][   ]     length = 4, capacity = 6
 */
export class RingQueue<T> {
  private readonly items: (T | undefined)[];
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.items = new Array<T | undefined>(capacity);
  }

  get length(): number {
    return this.count;
  }

  /** Adds at the tail; false when full. */
  push(item: T): boolean {
    if (this.count === this.capacity) return false;
    this.items[(this.head + this.count) % this.capacity] = item;
    this.count++;
    return true;
  }

  /** Removes from the head. */
  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.count--;
    return item;
  }
}
