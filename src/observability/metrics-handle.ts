/**
 * Metrics a plugin defines for itself, on the gateway's registry (so they appear in `/metrics`).
 * Asking twice for the same name gives the same metric; asking for a name the gateway or
 * another plugin defined with another type is an error at the call.
 */
import client from "prom-client";

export interface MetricSpec<L extends string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
}

export interface HistogramSpec<L extends string> extends MetricSpec<L> {
  /** Upper bounds in the metric's unit (seconds for `_seconds`). */
  buckets?: number[];
}

export interface MetricsHandle {
  counter<L extends string = never>(spec: MetricSpec<L>): client.Counter<L>;
  gauge<L extends string = never>(spec: MetricSpec<L>): client.Gauge<L>;
  histogram<L extends string = never>(spec: HistogramSpec<L>): client.Histogram<L>;
}

export function createMetricsHandle(registry: client.Registry): MetricsHandle {
  function get<M>(name: string, kind: new (...args: never[]) => M, make: () => M): M {
    const found = registry.getSingleMetric(name);
    if (found === undefined) return make();
    if (!(found instanceof kind)) {
      throw new Error(`metric "${name}" already exists with another type`);
    }
    return found;
  }
  return {
    counter: (spec) =>
      get(spec.name, client.Counter, () => new client.Counter({ ...spec, registers: [registry] })),
    gauge: (spec) =>
      get(spec.name, client.Gauge, () => new client.Gauge({ ...spec, registers: [registry] })),
    histogram: (spec) =>
      get(
        spec.name,
        client.Histogram,
        () => new client.Histogram({ ...spec, registers: [registry] }),
      ),
  };
}
