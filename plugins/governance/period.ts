/**
 * Budget windows: fixed, aligned to UTC (`1d` runs from midnight to midnight, `1h` from the hour,
 * `1w` from Monday, `1mo` from the first of the month), so every instance agrees on them.
 */
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const MONDAY_OFFSET_MS = 4 * 86_400_000; // the epoch was a Thursday

export interface Window {
  start: number;
  end: number;
}

export function windowAt(period: string, now: number): Window {
  const m = /^([1-9][0-9]*)(mo|m|h|d|w)$/.exec(period);
  if (!m) throw new Error(`invalid budget period "${period}"`);
  const n = Number(m[1]);
  const unit = m[2] as "mo" | keyof typeof UNIT_MS;
  if (unit === "mo") {
    const d = new Date(now);
    const months = d.getUTCFullYear() * 12 + d.getUTCMonth();
    const first = months - (months % n);
    const start = Date.UTC(Math.floor(first / 12), first % 12, 1);
    return { start, end: Date.UTC(Math.floor((first + n) / 12), (first + n) % 12, 1) };
  }
  const size = n * UNIT_MS[unit];
  const offset = unit === "w" ? MONDAY_OFFSET_MS : 0;
  const start = Math.floor((now - offset) / size) * size + offset;
  return { start, end: start + size };
}
