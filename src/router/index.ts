export { createRouter, type Router, type Target } from "./router.ts";
export { createHealth, type Health, type HealthView, type BreakerSnapshot } from "./health.ts";
export { CircuitBreaker, type BreakerState } from "./breaker.ts";
export { compileGlob, globMatcher } from "./glob.ts";
