/**
 * The messages between a pool and its worker threads: a discriminated union of plain data, sent
 * by structured clone or as msgpackr bytes (see WIRE below).
 *
 *   main -> worker   init (the provider's config), req (a job), cancel, credit (stream backpressure)
 *   worker -> main   ready, res (a whole answer), start (a stream began), chunk, end, err, done
 *
 * `done` is sent once per job, when the upstream exchange is over; the pool frees the slot then.
 * A stream's chunks flow only while the main side has granted credit, so a slow client slows the
 * worker's upstream read instead of filling memory.
 */
import { Packr } from "msgpackr";
import type { ChatChunk } from "../core/chat.ts";
import type { GatewayErrorData } from "../core/errors.ts";
import type { ProviderConfig } from "../config/config.ts";
import type { UpstreamJob, UpstreamResult } from "./job.ts";

export type ToWorker =
  | { t: "init"; provider: ProviderConfig }
  | { t: "req"; id: number; job: UpstreamJob }
  | { t: "cancel"; id: number; error: GatewayErrorData }
  | { t: "credit"; id: number; n: number };

export type FromWorker =
  | { t: "ready" }
  | { t: "res"; id: number; result: Exclude<UpstreamResult, { kind: "stream" }> }
  | { t: "start"; id: number }
  | { t: "chunk"; id: number; chunks: ChatChunk[] }
  | { t: "end"; id: number }
  | { t: "err"; id: number; error: GatewayErrorData }
  | { t: "done"; id: number };

/** Chunks a stream may have in flight to the main thread before it must wait for credit. */
export const STREAM_CREDIT = 32;

const packr = new Packr({ useRecords: false });

/**
 * How messages cross the thread boundary: the message object itself through structured clone
 * (`clone`, the default), or msgpackr bytes in a transferred buffer (`msgpack`). Both were
 * measured with one worker on this 2-core machine (docs/benchmarks.md): structured clone gave
 * 0.52 of the bare proxy's throughput, msgpackr plus a copy into a transferable buffer 0.42, so
 * clone is the default; `SWITCHYARD_WORKER_WIRE=msgpack` selects the other for comparison.
 */
export const WIRE: "msgpack" | "clone" =
  process.env.SWITCHYARD_WORKER_WIRE === "msgpack" ? "msgpack" : "clone";

/** Posts a message to the other side in the configured wire format. */
export function post(
  target: { postMessage(message: unknown, transfer: ArrayBuffer[]): void },
  message: ToWorker | FromWorker,
): void {
  if (WIRE === "clone") return target.postMessage(message, []);
  const packed = packr.pack(message);
  const bytes = new Uint8Array(packed.length); // msgpackr reuses its buffer: copy, then transfer
  bytes.set(packed);
  target.postMessage(bytes, [bytes.buffer]);
}

/** Reads a message posted by `post`. */
export function receive<T extends ToWorker | FromWorker>(data: unknown): T {
  return (data instanceof Uint8Array ? packr.unpack(data) : data) as T;
}
