/**
 * One provider's pool: at most `concurrency` upstream calls at once, at most `queueSize` waiting,
 * and a full queue answers POOL_FULL (429 with Retry-After) instead of growing memory.
 *
 * The request's deadline starts at `submit`, so time spent queued counts against `timeout_ms`;
 * a request whose client leaves or whose deadline passes while queued gives up its place.
 * The executor is injected: in-process today, a worker-thread executor behind the same seam.
 */
import { GatewayError } from "../core/errors.ts";
import type { PoolGaugeSource } from "../observability/metrics.ts";
import type { UpstreamExecutor, UpstreamJob, UpstreamResult } from "./job.ts";
import { RingQueue } from "./ring.ts";

/** Seconds a caller turned away by a full pool is told to wait. */
export const POOL_FULL_RETRY_AFTER_S = 1;

export interface PoolLimits {
  concurrency: number;
  queueSize: number;
  /** With "wait", a request finding the queue full waits (up to its deadline) instead of a 429. */
  onFull?: "reject" | "wait";
}

export type PoolStats = PoolGaugeSource;

interface Waiter {
  resolve: () => void;
  reject: (err: GatewayError) => void;
  cancelled: boolean;
}

export class ProviderPool {
  private inFlight = 0;
  private rejected = 0;
  private liveQueued = 0;
  private readonly queue: RingQueue<Waiter>;
  /** Waiters beyond the queue's bound, in "wait" mode only; each leaves at its deadline. */
  private readonly overflow: Waiter[] = [];

  constructor(
    readonly provider: string,
    private readonly limits: PoolLimits,
    private readonly executor: UpstreamExecutor,
    /** Live worker threads (0 when the executor runs in process). */
    private readonly workers: () => number = () => 0,
  ) {
    this.queue = new RingQueue(limits.queueSize);
  }

  stats(): PoolStats {
    return {
      provider: this.provider,
      workers: this.workers(),
      inFlight: this.inFlight,
      queued: this.liveQueued,
      concurrency: this.limits.concurrency,
      queueSize: this.limits.queueSize,
      rejected: this.rejected,
    };
  }

  /** Runs a job when a slot is free; the slot is held until the upstream exchange is over. */
  async submit(
    job: UpstreamJob,
    clientSignal: AbortSignal,
    timeoutMs: number,
    /** Called when the job leaves the queue for the upstream (a job that gave up queued never is). */
    onStart?: () => void,
  ): Promise<UpstreamResult> {
    if (clientSignal.aborted) {
      const reason: unknown = clientSignal.reason;
      throw reason instanceof GatewayError
        ? reason
        : new GatewayError("CLIENT_CLOSED", "the client closed the request");
    }
    const controller = new AbortController();
    const timer = setTimeout(
      () =>
        controller.abort(
          new GatewayError(
            "UPSTREAM_TIMEOUT",
            `provider "${this.provider}" did not answer within ${timeoutMs} ms`,
            {
              provider: this.provider,
            },
          ),
        ),
      timeoutMs,
    );
    // The caller's signal may carry its own reason (a first-byte timeout); else the client left.
    const onClientAbort = () =>
      controller.abort(
        clientSignal.reason instanceof GatewayError
          ? clientSignal.reason
          : new GatewayError("CLIENT_CLOSED", "the client closed the request"),
      );
    clientSignal.addEventListener("abort", onClientAbort, { once: true });
    const cleanup = () => {
      clearTimeout(timer);
      clientSignal.removeEventListener("abort", onClientAbort);
    };

    try {
      await this.acquire(controller.signal);
    } catch (err) {
      cleanup();
      throw err;
    }
    let finished = false;
    const done = () => {
      if (finished) return;
      finished = true;
      cleanup();
      this.release();
    };
    onStart?.();
    try {
      return await this.executor.execute(job, controller.signal, done);
    } catch (err) {
      done();
      throw err;
    }
  }

  private acquire(signal: AbortSignal): Promise<void> {
    if (this.inFlight < this.limits.concurrency) {
      this.inFlight++;
      return Promise.resolve();
    }
    const queued = this.limits.queueSize === 0 ? undefined : this.enqueue(signal);
    if (!queued && this.limits.onFull === "wait") return this.wait(signal, this.overflow);
    if (!queued) {
      this.rejected++;
      return Promise.reject(
        new GatewayError("POOL_FULL", `provider "${this.provider}" is at capacity; retry shortly`, {
          provider: this.provider,
          retryAfter: POOL_FULL_RETRY_AFTER_S,
        }),
      );
    }
    return queued;
  }

  /** Queues a waiter; undefined when the queue is full. */
  private enqueue(signal: AbortSignal): Promise<void> | undefined {
    if (this.queue.length === this.queue.capacity && this.liveQueued < this.queue.length)
      this.compact();
    if (this.queue.length === this.queue.capacity) return undefined;
    return this.wait(signal, this.queue);
  }

  private wait(signal: AbortSignal, into: { push(w: Waiter): unknown }): Promise<void> {
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    const waiter: Waiter = { resolve, reject, cancelled: false };
    into.push(waiter);
    this.liveQueued++;
    signal.addEventListener(
      "abort",
      () => {
        if (waiter.cancelled) return;
        waiter.cancelled = true;
        this.liveQueued--;
        if (into === this.overflow) this.overflow.splice(this.overflow.indexOf(waiter), 1);
        reject(this.whileQueued(signal.reason));
      },
      { once: true },
    );
    return promise;
  }

  /**
   * Why a queued request gave up: a deadline that passed before a slot was free is the gateway's
   * congestion (QUEUE_TIMEOUT), not the provider's slowness, so it never counts against the
   * provider's breaker.
   */
  private whileQueued(reason: unknown): GatewayError {
    const err = reason instanceof GatewayError ? reason : GatewayError.from(reason);
    if (err.code !== "UPSTREAM_TIMEOUT") return err;
    return new GatewayError(
      "QUEUE_TIMEOUT",
      `provider "${this.provider}" had no free slot before the deadline`,
      { provider: this.provider, retryAfter: POOL_FULL_RETRY_AFTER_S },
    );
  }

  /** Drops cancelled waiters so they stop taking queue places (only when the queue looks full). */
  private compact(): void {
    const live: Waiter[] = [];
    for (let w = this.queue.shift(); w; w = this.queue.shift()) if (!w.cancelled) live.push(w);
    for (const w of live) this.queue.push(w);
  }

  private release(): void {
    for (
      let w = this.queue.shift() ?? this.overflow.shift();
      w;
      w = this.queue.shift() ?? this.overflow.shift()
    ) {
      if (w.cancelled) continue;
      w.cancelled = true; // no longer cancellable: it owns the slot now
      this.liveQueued--;
      w.resolve();
      return;
    }
    this.inFlight--;
  }
}
