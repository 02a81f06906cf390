/**
 * A pool's worker thread: it builds the provider's upstream client from the config it is sent,
 * runs each job it receives, and answers with plain-data messages (`protocol.ts`). Streams flow
 * back chunk by chunk while the main thread grants credit.
 */
import { GatewayError } from "../core/errors.ts";
import { bindProviders } from "../providers/registry.ts";
import type { UpstreamExecutor, UpstreamJob } from "./job.ts";
import {
  post as postTo,
  receive,
  STREAM_CREDIT,
  type FromWorker,
  type ToWorker,
} from "./protocol.ts";
import { createUpstreamClient } from "./upstream.ts";

declare const self: Worker;

interface Running {
  controller: AbortController;
  credit: number;
  wake?: () => void;
}

let client: UpstreamExecutor | undefined;
const running = new Map<number, Running>();

function post(message: FromWorker): void {
  postTo(self, message);
}

async function run(id: number, job: UpstreamJob): Promise<void> {
  const entry: Running = { controller: new AbortController(), credit: STREAM_CREDIT };
  running.set(id, entry);
  try {
    if (!client) {
      post({ t: "done", id }); // no exchange started: the slot is free at once
      throw new GatewayError("INTERNAL", "worker received a job before its config");
    }
    const result = await client.execute(job, entry.controller.signal, () =>
      post({ t: "done", id }),
    );
    if (result.kind !== "stream") {
      post({ t: "res", id, result });
      return;
    }
    post({ t: "start", id });
    const reader = result.chunks.getReader();
    for (;;) {
      while (entry.credit <= 0 && !entry.controller.signal.aborted) {
        await new Promise<void>((resolve) => (entry.wake = resolve));
      }
      if (entry.controller.signal.aborted) {
        await reader.cancel().catch(() => {});
        throw entry.controller.signal.reason;
      }
      const { value, done } = await reader.read();
      if (done) {
        post({ t: "end", id });
        return;
      }
      entry.credit--;
      post({ t: "chunk", id, chunks: [value] });
    }
  } catch (err) {
    post({ t: "err", id, error: GatewayError.from(err).toJSON() });
  } finally {
    running.delete(id);
  }
}

self.onmessage = (event: MessageEvent<unknown>) => {
  const message = receive<ToWorker>(event.data);
  switch (message.t) {
    case "init": {
      const bound = bindProviders({ [message.provider.name]: message.provider }).get(
        message.provider.name,
      )!;
      client = createUpstreamClient(bound);
      post({ t: "ready" });
      return;
    }
    case "req":
      void run(message.id, message.job);
      return;
    case "cancel": {
      const entry = running.get(message.id);
      entry?.controller.abort(GatewayError.fromJSON(message.error));
      entry?.wake?.();
      return;
    }
    case "credit": {
      const entry = running.get(message.id);
      if (!entry) return;
      entry.credit += message.n;
      entry.wake?.();
      return;
    }
  }
};
