/**
 * `retention_days`: records older than that are deleted at start and then every hour, off the
 * request path. Every instance prunes; on one shared PostgreSQL table that is harmless.
 */
import type { Logger } from "../../src/plugins/index.ts";
import type { LogStore } from "./store.ts";

const PRUNE_EVERY_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface Retention {
  /** Stops the timer; resolves when a prune under way has finished. */
  stop(): Promise<void>;
}

export function startRetention(store: LogStore, days: number, logger: Logger): Retention {
  let running: Promise<void> | undefined;
  const prune = () => {
    if (running) return;
    running = store
      .prune(Date.now() - days * DAY_MS)
      .then((deleted) => {
        if (deleted > 0) logger.info("logging: old records deleted", { deleted, days });
      })
      .catch((error: unknown) => logger.warn("logging: deleting old records failed", { error }))
      .finally(() => (running = undefined));
  };
  prune();
  const timer = setInterval(prune, PRUNE_EVERY_MS);
  timer.unref?.();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
