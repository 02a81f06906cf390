/**
 * An UpstreamExecutor that runs a provider's upstream calls on Bun worker threads. Jobs go to the
 * worker with the fewest in flight; answers, stream chunks and the end of each exchange come back
 * as messages (`protocol.ts`). A worker that dies is replaced, and every request it was serving
 * fails at once with WORKER_FAILED (502) instead of hanging. Workers are unref'd: they never keep
 * the process alive on their own.
 */
import type { ChatChunk } from "../core/chat.ts";
import { GatewayError } from "../core/errors.ts";
import type { ProviderConfig } from "../config/config.ts";
import type { UpstreamExecutor, UpstreamJob, UpstreamResult } from "./job.ts";
import { post, receive, STREAM_CREDIT, type FromWorker, type ToWorker } from "./protocol.ts";
import { abortError } from "./upstream.ts";

interface Pending {
  resolve(result: UpstreamResult): void;
  reject(err: GatewayError): void;
  done(): void;
  settled: boolean;
  stream?: ChunkQueue;
  /** The worker's `done` and the job's last message may come in either order; both are needed. */
  gotDone: boolean;
  gotLast: boolean;
}

/** Chunks received from a worker, waiting for the client to read them. */
interface ChunkQueue {
  items: ChatChunk[];
  ended: boolean;
  error?: GatewayError;
  wake?: () => void;
  consumed: number;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
  dead: boolean;
  /** It answered `init` with `ready`: it could build its upstream client. */
  ready: boolean;
}

/** A worker that dies before it is ready is respawned after a growing pause, at most this. */
const MAX_RESPAWN_PAUSE_MS = 5000;

export interface WorkerExecutor extends UpstreamExecutor {
  /** Live workers. */
  size(): number;
  /** Ends every worker (the gateway is shutting down). */
  close(): void;
  /** Kills worker `index` as a crash would (for tests and fault drills). */
  kill(index: number): void;
}

const WORKER_URL = new URL("./worker.ts", import.meta.url);

function send(worker: Worker, message: ToWorker): void {
  post(worker, message);
}

export function createWorkerExecutor(provider: ProviderConfig, count: number): WorkerExecutor {
  const slots: Slot[] = [];
  let nextId = 0;
  let closed = false;
  const pauses: number[] = [];

  function spawn(index: number): void {
    const worker = new Worker(WORKER_URL);
    const slot: Slot = { worker, pending: new Map(), dead: false, ready: false };
    slots[index] = slot;
    worker.onmessage = (event: MessageEvent<unknown>) =>
      handle(slot, receive<FromWorker>(event.data));
    const onDeath = () => died(index, slot);
    worker.addEventListener("error", onDeath);
    worker.addEventListener("close", onDeath);
    worker.unref();
    send(worker, { t: "init", provider });
  }

  function died(index: number, slot: Slot): void {
    if (slot.dead) return;
    slot.dead = true;
    const err = new GatewayError(
      "WORKER_FAILED",
      `a worker of provider "${provider.name}" stopped; the request was not completed`,
      {
        provider: provider.name,
      },
    );
    for (const p of slot.pending.values()) fail(p, err);
    slot.pending.clear();
    slot.worker.terminate(); // an `error` may leave it running; its requests are already failed
    if (closed) return;
    // A worker that cannot even start (a bad config, say) must not respawn in a tight loop.
    const early = !slot.ready;
    const pause = early ? Math.min(MAX_RESPAWN_PAUSE_MS, (pauses[index] ?? 50) * 2) : 0;
    pauses[index] = early ? pause : 0;
    if (pause === 0) spawn(index);
    else setTimeout(() => closed || spawn(index), pause).unref();
  }

  function fail(p: Pending, err: GatewayError): void {
    if (!p.settled) {
      p.settled = true;
      p.reject(err);
    } else if (p.stream && !p.stream.ended) {
      p.stream.error = err;
      p.stream.wake?.();
    }
    p.done();
  }

  function last(slot: Slot, id: number, p: Pending): void {
    p.gotLast = true;
    if (p.gotDone) slot.pending.delete(id);
  }

  function handle(slot: Slot, m: FromWorker): void {
    if (m.t === "ready") {
      slot.ready = true;
      return;
    }
    const p = slot.pending.get(m.id);
    if (!p) return;
    switch (m.t) {
      case "res":
        p.settled = true;
        p.resolve(m.result);
        last(slot, m.id, p);
        return;
      case "start":
        p.settled = true;
        p.stream = { items: [], ended: false, consumed: 0 };
        p.resolve({ kind: "stream", chunks: chunkStream(slot, m.id, p.stream) });
        return;
      case "chunk":
        p.stream?.items.push(...m.chunks);
        p.stream?.wake?.();
        return;
      case "end":
        if (p.stream) p.stream.ended = true;
        p.stream?.wake?.();
        last(slot, m.id, p);
        return;
      case "err": {
        const err = GatewayError.fromJSON(m.error);
        if (!p.settled) {
          p.settled = true;
          p.reject(err);
        } else if (p.stream) {
          p.stream.error = err;
          p.stream.wake?.();
        }
        last(slot, m.id, p);
        return;
      }
      case "done":
        p.gotDone = true;
        if (p.gotLast) slot.pending.delete(m.id);
        p.done();
        return;
    }
  }

  function chunkStream(slot: Slot, id: number, q: ChunkQueue): ReadableStream<ChatChunk> {
    return new ReadableStream<ChatChunk>(
      {
        async pull(controller) {
          while (q.items.length === 0 && !q.ended && !q.error) {
            await new Promise<void>((resolve) => (q.wake = resolve));
          }
          const item = q.items.shift();
          if (item) {
            controller.enqueue(item);
            // Give credit back in batches, so the worker keeps reading ahead of the client.
            if (++q.consumed % (STREAM_CREDIT / 2) === 0 && !slot.dead)
              send(slot.worker, { t: "credit", id, n: STREAM_CREDIT / 2 });
            return;
          }
          if (q.error) controller.error(q.error);
          else controller.close();
        },
        cancel() {
          if (!slot.dead) {
            const error = new GatewayError(
              "CLIENT_CLOSED",
              "the client closed the request",
            ).toJSON();
            send(slot.worker, { t: "cancel", id, error });
          }
        },
      },
      { highWaterMark: 0 },
    );
  }

  for (let i = 0; i < count; i++) spawn(i);

  return {
    size: () => slots.filter((s) => !s.dead).length,
    close() {
      closed = true;
      for (const s of slots) s.worker.terminate();
    },
    kill(index) {
      slots[index]?.worker.terminate();
    },
    execute(job: UpstreamJob, signal: AbortSignal, done: () => void): Promise<UpstreamResult> {
      let best: Slot | undefined;
      for (const s of slots) if (!s.dead && (!best || s.pending.size < best.pending.size)) best = s;
      if (!best) {
        const err = new GatewayError(
          "WORKER_FAILED",
          `no worker of provider "${provider.name}" is running`,
          {
            provider: provider.name,
          },
        );
        return Promise.reject(err);
      }
      const slot = best;
      const id = ++nextId;
      return new Promise<UpstreamResult>((resolve, reject) => {
        let finished = false;
        const p: Pending = {
          resolve,
          reject,
          settled: false,
          gotDone: false,
          gotLast: false,
          done: () => {
            if (finished) return;
            finished = true;
            signal.removeEventListener("abort", onAbort);
            done();
          },
        };
        function onAbort() {
          const err = abortError(signal);
          if (!slot.dead) send(slot.worker, { t: "cancel", id, error: err.toJSON() });
          if (!p.settled) {
            p.settled = true;
            reject(err);
          } else if (p.stream) {
            p.stream.error = err;
            p.stream.wake?.();
          }
        }
        if (signal.aborted) return onAbort();
        signal.addEventListener("abort", onAbort, { once: true });
        slot.pending.set(id, p);
        send(slot.worker, { t: "req", id, job });
      });
    },
  };
}
