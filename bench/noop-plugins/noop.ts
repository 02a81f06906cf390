/**
 * A plugin with every per-request hook and nothing in them: what the pipeline itself costs.
 * Five copies (`noop-1.ts` ... `noop-5.ts`) give the five plugins of the `plugins` scenario.
 */
import { definePlugin } from "../../src/plugins/index.ts";

export function noopPlugin(name: string) {
  return definePlugin({
    name,
    preHook() {},
    onStreamChunk() {},
    postHook() {},
  });
}
