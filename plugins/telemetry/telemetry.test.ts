import { describe, expect, it } from "bun:test";
import { definePlugin } from "../../src/plugins/index.ts";
import { pluginHarness } from "../../src/plugins/testing.ts";
import telemetry from "./index.ts";
import { traceFrom, traceparent } from "./traceparent.ts";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

describe("traceparent", () => {
  it("keeps a valid caller trace id and flags with a new span id", () => {
    const t = traceFrom(`00-${TRACE}-00f067aa0ba902b7-00`);
    expect(t.traceId).toBe(TRACE);
    expect(t.parentId).toBe("00f067aa0ba902b7");
    expect(t.spanId).not.toBe("00f067aa0ba902b7");
    expect(traceparent(t)).toMatch(new RegExp(`^00-${TRACE}-[0-9a-f]{16}-00$`));
  });

  it("starts a new trace for missing, malformed, all-zero or version ff headers", () => {
    for (const bad of [
      null,
      "x",
      `00-${"0".repeat(32)}-00f067aa0ba902b7-01`,
      `ff-${TRACE}-00f067aa0ba902b7-01`,
    ]) {
      const t = traceFrom(bad);
      expect(t.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(t.traceId).not.toBe(TRACE);
      expect(t.parentId).toBeUndefined();
    }
  });
});

describe("telemetry plugin", () => {
  it("sets traceparent on the answer and shares the trace id with other plugins", async () => {
    let seen: unknown;
    const reader = definePlugin({
      name: "reader",
      preHook: (ctx) => void (seen = ctx.scratch.get("trace_id")),
    });
    const h = await pluginHarness([telemetry, reader]);
    const r = await h.chat(
      { model: "m/x", messages: [{ role: "user", content: "hi" }] },
      { headers: { traceparent: `00-${TRACE}-00f067aa0ba902b7-01` } },
    );
    expect(r.headers.traceparent).toStartWith(`00-${TRACE}-`);
    expect(seen).toBe(TRACE);
  });

  it("observes every other plugin's hook time in Prometheus", async () => {
    const slowish = definePlugin({ name: "slowish", preHook: async () => Bun.sleep(2) });
    const h = await pluginHarness([telemetry, slowish]);
    await h.chat({ model: "m/x", messages: [{ role: "user", content: "hi" }] });
    const text = await h.metrics();
    expect(text).toContain(
      'switchyard_plugin_hook_duration_seconds_count{plugin="slowish",hook="preHook"} 1',
    );
    expect(text).toMatch(/switchyard_plugin_request_seconds_sum \d/);
  });
});
