/** GCRA arithmetic shared by the in-memory limiter (the Redis script does the same in Lua). */
import { WINDOW_MS, type Remaining } from "./types.ts";

/** TAT after charging `cost` at `limit` per minute, from `tat` at `now`. */
export function advance(tat: number, now: number, cost: number, limit: number): number {
  return Math.max(tat, now) + (cost * WINDOW_MS) / limit;
}

export function fits(newTat: number, now: number): boolean {
  return newTat - now <= WINDOW_MS;
}

/** Milliseconds until a charge that would reach `newTat` fits. */
export function waitMs(newTat: number, now: number): number {
  return Math.max(0, newTat - now - WINDOW_MS);
}

export function remaining(tat: number, now: number, limit: number): Remaining {
  const used = Math.max(0, tat - now);
  return {
    limit,
    remaining: Math.max(0, Math.floor(((WINDOW_MS - used) * limit) / WINDOW_MS)),
    resetS: Math.ceil(used / 1000),
  };
}
