/**
 * `telemetry`: per-plugin, per-hook timing in Prometheus, and W3C trace context.
 *
 *   switchyard_plugin_hook_duration_seconds{plugin, hook}   each hook call (a stream's
 *                                                           onStreamChunk calls summed per request)
 *   switchyard_plugin_request_seconds                       all plugin time of one request
 *
 * Every answer carries a `traceparent` whose trace id is the caller's (when it sent a valid
 * `traceparent`) or a new one, and whose span id is this request's; the ids are on
 * `ctx.scratch` (`trace_id`, `span_id`) for other plugins (logging stores the trace id).
 * List telemetry first: its post-hook runs last, so it sees every other plugin's timings.
 */
import { definePlugin, Type, type MetricsHandle } from "../../src/plugins/index.ts";
import { traceFrom, traceparent } from "./traceparent.ts";

const BUCKETS = [
  0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25, 1,
];

function histograms(metrics: MetricsHandle) {
  return {
    hooks: metrics.histogram({
      name: "switchyard_plugin_hook_duration_seconds",
      help: "Time in each plugin hook (a stream's onStreamChunk calls summed per request).",
      labelNames: ["plugin", "hook"],
      buckets: BUCKETS,
    }),
    total: metrics.histogram({
      name: "switchyard_plugin_request_seconds",
      help: "Time in all plugin hooks of one request.",
      buckets: BUCKETS,
    }),
  };
}

export default function telemetryPlugin() {
  let timing: ReturnType<typeof histograms> | undefined;
  return definePlugin({
    name: "telemetry",
    configSchema: Type.Object({
      /** Turn off the `traceparent` header (timings only). */
      trace_context: Type.Boolean({ default: true }),
    }),
    setup({ metrics }) {
      timing = histograms(metrics);
    },
    preHook(ctx) {
      if (!ctx.config.trace_context) return;
      const trace = traceFrom(ctx.headers.get("traceparent"));
      ctx.scratch.set("trace_id", trace.traceId);
      ctx.scratch.set("span_id", trace.spanId);
      ctx.setHeader("traceparent", traceparent(trace));
    },
    postHook(ctx) {
      const { hooks, total } = timing!;
      let sum = 0;
      for (const t of ctx.timings) {
        hooks.observe({ plugin: t.plugin, hook: t.hook }, t.ms / 1000);
        sum += t.ms;
      }
      total.observe(sum / 1000);
    },
  });
}
