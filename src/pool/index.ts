export { ProviderPool, POOL_FULL_RETRY_AFTER_S, type PoolLimits, type PoolStats } from "./pool.ts";
export { createUpstreamClient } from "./upstream.ts";
export type { UpstreamExecutor, UpstreamJob, UpstreamResult } from "./job.ts";
