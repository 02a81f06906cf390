export {
  createLogger,
  silentLogger,
  type Logger,
  type LogFields,
  type LoggerOptions,
} from "./logger.ts";
export {
  createMetrics,
  MAX_MODEL_LABELS,
  type Metrics,
  type PoolGaugeSource,
  type RequestObservation,
} from "./metrics.ts";
export {
  createContext,
  requestId,
  type Dialect,
  type RequestContext,
  type RouteInfo,
} from "./context.ts";
export { createMetricsHandle, type MetricsHandle, type MetricSpec } from "./metrics-handle.ts";
