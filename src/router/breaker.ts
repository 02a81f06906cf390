/**
 * A circuit breaker: closed (calls flow), open (calls refused) and half-open (one probe let
 * through). It opens after `consecutive_failures` failures in a row, or when at least
 * `min_requests` calls were made in the last `window_ms` and `failure_rate` of them failed. After
 * `cooldown_ms` open, the next caller becomes the probe: its success closes the breaker, its
 * failure opens it again. Time is passed in, so the state machine is testable without waiting.
 *
 *        failures ≥ threshold              cooldown elapsed, a call starts
 *   closed ───────────────────▶ open ────────────────────────────────────▶ half-open
 *     ▲                           ▲                 probe fails               │
 *     │                           └───────────────────────────────────────────┤
 *     └─────────────────────────────────── probe succeeds ────────────────────┘
 */
import type { BreakerConfig } from "../config/config.ts";

export type BreakerState = "closed" | "open" | "half_open";

/** Outcomes kept per breaker for the failure-rate window, at most. */
const MAX_WINDOW = 1024;

export class CircuitBreaker {
  private state: BreakerState = "closed";
  private consecutive = 0;
  private openedAt = 0;
  private probing = false;
  private readonly window: { at: number; ok: boolean }[] = [];

  constructor(private readonly config: BreakerConfig) {}

  /** Whether a call may start now (a half-open breaker admits one probe at a time). */
  available(now: number): boolean {
    if (!this.config.enabled || this.state === "closed") return true;
    if (this.state === "open") return now - this.openedAt >= this.config.cooldown_ms;
    return !this.probing;
  }

  /** A call starts: an open breaker past its cool-down turns half-open and this call is the probe. */
  start(now: number): void {
    if (!this.config.enabled) return;
    if (this.state === "open" && now - this.openedAt >= this.config.cooldown_ms) {
      this.state = "half_open";
    }
    if (this.state === "half_open") this.probing = true;
  }

  /**
   * A call ended with no verdict on the upstream (a 429, a refused key, a full pool, the client
   * leaving): a half-open breaker lets the next call be the probe instead.
   */
  abandon(): void {
    this.probing = false;
  }

  success(now: number): void {
    this.consecutive = 0;
    this.record(now, true);
    if (this.state !== "closed") this.close();
  }

  failure(now: number): void {
    this.consecutive++;
    this.record(now, false);
    if (!this.config.enabled) return;
    if (this.state === "half_open" || this.tripped()) this.open(now);
  }

  /** The state as callers see it: an open breaker past its cool-down still reads "open". */
  current(): BreakerState {
    return this.state;
  }

  /** Seconds until an open breaker lets a probe through (0 when not open). */
  retryAfter(now: number): number {
    if (this.state !== "open") return 0;
    return Math.max(0, Math.ceil((this.openedAt + this.config.cooldown_ms - now) / 1000));
  }

  private tripped(): boolean {
    if (this.consecutive >= this.config.consecutive_failures) return true;
    if (this.window.length < this.config.min_requests) return false;
    const failed = this.window.filter((o) => !o.ok).length;
    return failed / this.window.length >= this.config.failure_rate;
  }

  private record(now: number, ok: boolean): void {
    const horizon = now - this.config.window_ms;
    while (
      this.window.length > 0 &&
      (this.window[0]!.at < horizon || this.window.length >= MAX_WINDOW)
    )
      this.window.shift();
    this.window.push({ at: now, ok });
  }

  private open(now: number): void {
    this.state = "open";
    this.openedAt = now;
    this.probing = false;
  }

  private close(): void {
    this.state = "closed";
    this.probing = false;
    this.consecutive = 0;
    this.window.length = 0;
  }
}
