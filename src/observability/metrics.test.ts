import { describe, expect, it } from "bun:test";
import { createMetrics, MAX_MODEL_LABELS, type RequestObservation } from "./metrics.ts";

const base: RequestObservation = {
  dialect: "openai",
  provider: "up",
  model: "echo",
  status: 200,
  durationMs: 12,
  stream: false,
};

/** The value of one series in Prometheus text, by its name and exact label text. */
function value(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("request metrics", () => {
  it("counts requests by dialect, provider, model and status, and tokens by direction", async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.observeRequest({ ...base, promptTokens: 10, completionTokens: 4 });
    m.observeRequest({ ...base, promptTokens: 5, completionTokens: 1 });
    m.observeRequest({ ...base, dialect: "anthropic", status: 429 });
    const text = await m.render();
    expect(
      value(
        text,
        'switchyard_requests_total{dialect="openai",provider="up",model="echo",status="200"}',
      ),
    ).toBe(2);
    expect(
      value(
        text,
        'switchyard_requests_total{dialect="anthropic",provider="up",model="echo",status="429"}',
      ),
    ).toBe(1);
    expect(
      value(text, 'switchyard_tokens_total{provider="up",model="echo",direction="input"}'),
    ).toBe(15);
    expect(
      value(text, 'switchyard_tokens_total{provider="up",model="echo",direction="output"}'),
    ).toBe(5);
  });

  it("keeps counting across scrapes without counting a request twice", async () => {
    const m = createMetrics({ defaultMetrics: false });
    const series =
      'switchyard_requests_total{dialect="openai",provider="up",model="echo",status="200"}';
    m.observeRequest(base);
    expect(value(await m.render(), series)).toBe(1);
    expect(value(await m.render(), series)).toBe(1);
    m.observeRequest(base);
    m.observeRequest(base);
    expect(value(await m.render(), series)).toBe(3);
    const counter = m.registry.getSingleMetric("switchyard_requests_total")!;
    expect((await counter.get()).values.find((v) => v.labels.status === "200")?.value).toBe(3);
  });

  it("observes durations by stream flag and time to first byte for streams", async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.observeRequest({ ...base, durationMs: 3 });
    m.observeRequest({ ...base, durationMs: 700, stream: true, ttfbMs: 40 });
    const text = await m.render();
    const d = (stream: string, le: string) =>
      value(
        text,
        `switchyard_request_duration_seconds_bucket{le="${le}",provider="up",model="echo",stream="${stream}"}`,
      );
    expect(d("false", "0.0025")).toBe(0);
    expect(d("false", "0.005")).toBe(1);
    expect(d("true", "0.5")).toBe(0);
    expect(d("true", "1")).toBe(1);
    expect(value(text, 'switchyard_stream_ttfb_seconds_count{provider="up",model="echo"}')).toBe(1);
    expect(value(text, 'switchyard_stream_ttfb_seconds_sum{provider="up",model="echo"}')).toBe(
      0.04,
    );
  });

  it("ignores token counts that are not numbers, so one odd upstream cannot break /metrics", async () => {
    const m = createMetrics({ defaultMetrics: false });
    const odd = (v: unknown) => v as number;
    m.observeRequest({ ...base, promptTokens: odd("12"), completionTokens: odd(-3) });
    m.observeRequest({ ...base, promptTokens: 5, completionTokens: odd(Number.NaN) });
    const text = await m.render();
    expect(
      value(text, 'switchyard_tokens_total{provider="up",model="echo",direction="input"}'),
    ).toBe(5);
    expect(
      value(
        text,
        'switchyard_requests_total{dialect="openai",provider="up",model="echo",status="200"}',
      ),
    ).toBe(2);
  });

  it(`counts models past the first ${MAX_MODEL_LABELS} as "other"`, async () => {
    const m = createMetrics({ defaultMetrics: false });
    for (let i = 0; i < MAX_MODEL_LABELS; i++) m.observeRequest({ ...base, model: `m${i}` });
    m.observeRequest({ ...base, model: "late-1" });
    m.observeRequest({ ...base, model: "late-2" });
    m.observeRequest({ ...base, model: "m0" });
    const text = await m.render();
    const requests = (model: string) =>
      value(
        text,
        `switchyard_requests_total{dialect="openai",provider="up",model="${model}",status="200"}`,
      );
    expect(requests("other")).toBe(2);
    expect(requests("m0")).toBe(2);
    expect(requests("late-1")).toBeUndefined();
  });
});
