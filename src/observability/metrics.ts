/**
 * Prometheus metrics through prom-client, on a registry of the gateway's own (so several
 * gateways can live in one process, as they do in tests). Pool gauges are read at scrape time
 * from a stats source rather than updated on every request.
 */
import client from "prom-client";
import { MAX_TOKEN_COUNT } from "../core/usage.ts";
import { createMetricsHandle, type MetricsHandle } from "./metrics-handle.ts";

/** What a pool reports; observability does not import the pool layer, only this shape. */
export interface PoolGaugeSource {
  provider: string;
  /** Worker threads (0: in process). */
  workers: number;
  inFlight: number;
  queued: number;
  concurrency: number;
  queueSize: number;
  rejected: number;
}

export interface RequestObservation {
  dialect: string;
  provider: string;
  model: string;
  status: number;
  durationMs: number;
  /** Time to the first byte of a streamed response. */
  ttfbMs?: number | undefined;
  promptTokens?: number | undefined;
  completionTokens?: number | undefined;
  stream: boolean;
}

/** What a circuit breaker reports (the key's index, never the key). */
export interface BreakerGaugeSource {
  provider: string;
  key: string;
  state: "closed" | "open" | "half_open";
}

export interface Metrics {
  readonly registry: client.Registry;
  observeRequest(o: RequestObservation): void;
  upstreamError(provider: string, code: string): void;
  trackPools(source: () => readonly PoolGaugeSource[]): void;
  trackBreakers(source: () => readonly BreakerGaugeSource[]): void;
  /** An upstream attempt after the first: a retry on the same target, or a fallback. */
  attempt(provider: string, kind: "retry" | "fallback"): void;
  /** A request refused before it was parsed or routed (`body_too_large`, `json_too_deep`, ...). */
  refused(reason: string): void;
  /** Request body bytes held across the gateway, read at scrape time. */
  trackBodyBytes(source: () => number): void;
  /** A plugin hook that threw (`error`) or ran past its budget (`timeout`). */
  pluginFailure(plugin: string, hook: string, kind: "error" | "timeout"): void;
  /** Metrics plugins define for themselves, on this registry. */
  readonly handle: MetricsHandle;
  render(): Promise<string>;
  readonly contentType: string;
}

/** Beyond this many distinct model names, further ones are counted as `other`. */
export const MAX_MODEL_LABELS = 500;

const LATENCY_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120,
];

/** A token count worth adding: positive, finite and within what one answer can use. */
const isCount = (n: unknown): n is number =>
  typeof n === "number" && n > 0 && n <= MAX_TOKEN_COUNT && Number.isFinite(n);

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new client.Registry();
  if (options.defaultMetrics ?? true)
    client.collectDefaultMetrics({ register: registry, prefix: "switchyard_" });
  const seenModels = new Set<string>();
  const modelLabel = (model: string) => {
    if (seenModels.has(model)) return model;
    if (seenModels.size >= MAX_MODEL_LABELS) return "other";
    seenModels.add(model);
    return model;
  };

  // prom-client hashes a label object on every call. The per-request counters are therefore
  // tallied in plain numbers, one per series, and handed to prom-client when it collects (at each
  // scrape); the histograms keep prom-client's own observe, on a child made once per series. A
  // (provider, model) pair's series live in one bundle, found with two Map lookups.
  interface Tally {
    readonly labels: Record<string, string>;
    pending: number;
  }
  interface Series {
    /** By dialect, then status. */
    readonly requests: Map<string, Map<number, Tally>>;
    readonly plain: { observe(v: number): void };
    readonly streamed: { observe(v: number): void };
    readonly ttfb: { observe(v: number): void };
    readonly tokensIn: Tally;
    readonly tokensOut: Tally;
  }
  const requestTallies: Tally[] = [];
  const tokenTallies: Tally[] = [];
  const flush = (counter: client.Counter<string>, tallies: readonly Tally[]) => {
    for (const t of tallies) {
      if (t.pending === 0) continue;
      const n = t.pending;
      t.pending = 0;
      counter.inc(t.labels, n);
    }
  };
  const tally = (into: Tally[], labels: Record<string, string>): Tally => {
    const t = { labels, pending: 0 };
    into.push(t);
    return t;
  };

  new client.Counter({
    name: "switchyard_requests_total",
    help: "Requests answered, by dialect, provider, model and HTTP status.",
    labelNames: ["dialect", "provider", "model", "status"] as const,
    registers: [registry],
    collect() {
      flush(this, requestTallies);
    },
  });
  const duration = new client.Histogram({
    name: "switchyard_request_duration_seconds",
    help: "Time from request to the last byte of the answer.",
    labelNames: ["provider", "model", "stream"] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const ttfb = new client.Histogram({
    name: "switchyard_stream_ttfb_seconds",
    help: "Time to the first byte of a streamed answer.",
    labelNames: ["provider", "model"] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  new client.Counter({
    name: "switchyard_tokens_total",
    help: "Tokens reported by upstreams, by direction (input or output).",
    labelNames: ["provider", "model", "direction"] as const,
    registers: [registry],
    collect() {
      flush(this, tokenTallies);
    },
  });

  const byProvider = new Map<string, Map<string, Series>>();
  function series(provider: string, requestedModel: string): Series {
    let models = byProvider.get(provider);
    if (models === undefined) byProvider.set(provider, (models = new Map()));
    const found = models.get(requestedModel);
    if (found !== undefined) return found;
    const model = modelLabel(requestedModel); // "other" past the cap, so the map stays bounded
    let made = models.get(model);
    if (made === undefined) {
      made = {
        requests: new Map(),
        plain: duration.labels({ provider, model, stream: "false" }),
        streamed: duration.labels({ provider, model, stream: "true" }),
        ttfb: ttfb.labels({ provider, model }),
        tokensIn: tally(tokenTallies, { provider, model, direction: "input" }),
        tokensOut: tally(tokenTallies, { provider, model, direction: "output" }),
      };
      models.set(model, made);
    }
    return made;
  }
  function requestTally(s: Series, dialect: string, status: number, provider: string): Tally {
    let statuses = s.requests.get(dialect);
    if (statuses === undefined) s.requests.set(dialect, (statuses = new Map()));
    let t = statuses.get(status);
    if (t === undefined) {
      const model = s.tokensIn.labels.model!;
      t = tally(requestTallies, { dialect, provider, model, status: String(status) });
      statuses.set(status, t);
    }
    return t;
  }

  const upstreamErrors = new client.Counter({
    name: "switchyard_upstream_errors_total",
    help: "Failed upstream calls, by provider and error code.",
    labelNames: ["provider", "code"] as const,
    registers: [registry],
  });

  const poolSources: (() => readonly PoolGaugeSource[])[] = [];
  const poolGauge = (name: string, help: string, pick: (s: PoolGaugeSource) => number) =>
    new client.Gauge({
      name,
      help,
      labelNames: ["provider"] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const source of poolSources)
          for (const s of source()) this.set({ provider: s.provider }, pick(s));
      },
    });
  poolGauge(
    "switchyard_pool_in_flight",
    "Upstream calls running in each provider's pool.",
    (s) => s.inFlight,
  );
  poolGauge(
    "switchyard_pool_queue_depth",
    "Requests waiting for a slot in each provider's pool.",
    (s) => s.queued,
  );
  poolGauge(
    "switchyard_pool_concurrency",
    "Each provider pool's concurrency limit.",
    (s) => s.concurrency,
  );
  poolGauge("switchyard_pool_queue_size", "Each provider pool's queue bound.", (s) => s.queueSize);
  poolGauge(
    "switchyard_pool_workers",
    "Worker threads serving each provider's pool (0: in process).",
    (s) => s.workers,
  );
  new client.Counter({
    name: "switchyard_pool_rejected_total",
    help: "Requests each provider pool turned away because its queue was full.",
    labelNames: ["provider"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const source of poolSources)
        for (const s of source()) this.inc({ provider: s.provider }, s.rejected);
    },
  });

  const attempts = new client.Counter({
    name: "switchyard_upstream_attempts_total",
    help: "Upstream attempts after a request's first: retries on the same target, and fallbacks.",
    labelNames: ["provider", "kind"] as const,
    registers: [registry],
  });
  const breakerSources: (() => readonly BreakerGaugeSource[])[] = [];
  const STATE_VALUE = { closed: 0, half_open: 1, open: 2 } as const;
  new client.Gauge({
    name: "switchyard_breaker_state",
    help: 'Circuit breaker state per provider (key="*") and per key index: 0 closed, 1 half-open, 2 open.',
    labelNames: ["provider", "key"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const source of breakerSources)
        for (const b of source())
          this.set({ provider: b.provider, key: b.key }, STATE_VALUE[b.state]);
    },
  });

  const refusals = new client.Counter({
    name: "switchyard_requests_refused_total",
    help: "Requests refused before they were parsed or routed, by reason.",
    labelNames: ["reason"] as const,
    registers: [registry],
  });
  const bodySources: (() => number)[] = [];
  new client.Gauge({
    name: "switchyard_body_bytes_in_flight",
    help: "Request body bytes being read, parsed or sent upstream (bounded by max_body_bytes_in_flight).",
    registers: [registry],
    collect() {
      this.set(bodySources.reduce((sum, source) => sum + source(), 0));
    },
  });

  const pluginFailures = new client.Counter({
    name: "switchyard_plugin_failures_total",
    help: "Plugin hook calls that threw or ran past their time budget, by plugin, hook and kind.",
    labelNames: ["plugin", "hook", "kind"] as const,
    registers: [registry],
  });

  return {
    registry,
    contentType: registry.contentType,
    handle: createMetricsHandle(registry),
    pluginFailure(plugin, hook, kind) {
      pluginFailures.inc({ plugin, hook, kind });
    },
    refused(reason) {
      refusals.inc({ reason });
    },
    trackBodyBytes(source) {
      bodySources.push(source);
    },
    trackBreakers(source) {
      breakerSources.push(source);
    },
    attempt(provider, kind) {
      attempts.inc({ provider, kind });
    },
    observeRequest(o) {
      const s = series(o.provider, o.model);
      requestTally(s, o.dialect, o.status, o.provider).pending++;
      (o.stream ? s.streamed : s.plain).observe(o.durationMs / 1000);
      if (o.ttfbMs !== undefined) s.ttfb.observe(o.ttfbMs / 1000);
      // Usage comes from upstreams: only a real count is added (a string or a negative number
      // would poison the tally and, with it, every scrape).
      if (isCount(o.promptTokens)) s.tokensIn.pending += o.promptTokens;
      if (isCount(o.completionTokens)) s.tokensOut.pending += o.completionTokens;
    },
    upstreamError(provider, code) {
      upstreamErrors.inc({ provider, code });
    },
    trackPools(source) {
      poolSources.push(source);
    },
    render: () => registry.metrics(),
  };
}
