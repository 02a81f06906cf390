import { describe, expect, it } from "bun:test";
import { parseConfig } from "../config/load.ts";
import type { HealthView } from "./health.ts";
import { createRouter, type Router, type Target } from "./router.ts";
import { thrown } from "../../test/helpers/canonical.ts";

/** Everything healthy, nothing measured, nothing in flight. */
const healthy: HealthView = {
  keyUsable: () => true,
  providerUsable: () => true,
  latency: () => undefined,
  inFlight: () => 0,
};

/** Where a name goes first (no fallbacks, everything healthy). */
function first(r: Router, name: string): Target {
  return r.route(name, [], healthy)[0]!;
}

function routerFor(doc: Record<string, unknown>): Router {
  return createRouter(parseConfig(doc, {}));
}

const fixed = (value: number) => () => value;

const router = routerFor({
  providers: {
    openai: { keys: [{ value: "sk-a" }] },
    openrouter: { keys: [{ value: "sk-or" }] },
    ollama: {},
  },
  models: { fast: "openai/gpt-4o-mini", claude: "openrouter/anthropic/claude-3.5-sonnet" },
});

describe("resolve", () => {
  it("treats names inherited by every object (constructor, __proto__) as unknown models", () => {
    for (const name of ["constructor", "toString", "__proto__", "hasOwnProperty"]) {
      const err = thrown(() => first(router, name));
      expect(err.code).toBe("MODEL_NOT_FOUND");
      expect(err.status).toBe(404);
    }
  });

  it("resolves an alias to its provider and upstream model", () => {
    expect(first(router, "fast")).toEqual({
      provider: "openai",
      model: "gpt-4o-mini",
      via: "fast",
    });
  });

  it("splits provider/model at the first slash", () => {
    expect(first(router, "openai/gpt-4o")).toEqual({
      provider: "openai",
      model: "gpt-4o",
      via: "openai/gpt-4o",
    });
    expect(first(router, "openrouter/anthropic/claude-3.5-sonnet")).toMatchObject({
      provider: "openrouter",
      model: "anthropic/claude-3.5-sonnet",
    });
  });

  it("resolves an alias whose model name holds further slashes", () => {
    expect(first(router, "claude")).toEqual({
      provider: "openrouter",
      model: "anthropic/claude-3.5-sonnet",
      via: "claude",
    });
  });

  it("throws MODEL_NOT_FOUND with status 404 and param model for an unknown provider", () => {
    const err = thrown(() => first(router, "anthropic/claude-3-opus"));
    expect(err.code).toBe("MODEL_NOT_FOUND");
    expect(err.status).toBe(404);
    expect(err.param).toBe("model");
  });

  it("throws MODEL_NOT_FOUND for a bare name that is not an alias", () => {
    const err = thrown(() => first(router, "gpt-4o"));
    expect(err.code).toBe("MODEL_NOT_FOUND");
    expect(err.status).toBe(404);
    expect(err.param).toBe("model");
  });

  it("throws MODEL_NOT_FOUND when the provider or the model part is empty", () => {
    expect(thrown(() => first(router, "openai/")).code).toBe("MODEL_NOT_FOUND");
    expect(thrown(() => first(router, "/gpt-4o")).code).toBe("MODEL_NOT_FOUND");
    expect(thrown(() => first(router, "")).code).toBe("MODEL_NOT_FOUND");
  });
});

describe("pickKey", () => {
  const scoped = routerFor({
    providers: {
      openai: {
        keys: [
          { value: "sk-4o", models: ["gpt-4o*"] },
          { value: "sk-o1", models: ["o1-*", "o3-*"] },
        ],
      },
    },
  });

  it("picks the only key whose globs admit the model", () => {
    expect(scoped.pickKey({ provider: "openai", model: "gpt-4o-mini" }, healthy, 0)).toBe(0);
    expect(scoped.pickKey({ provider: "openai", model: "o3-mini" }, healthy, 0)).toBe(1);
  });

  it("throws NO_KEY_FOR_MODEL naming the provider when no key admits the model", () => {
    const err = thrown(() =>
      scoped.pickKey({ provider: "openai", model: "gpt-3.5-turbo" }, healthy, 0),
    );
    expect(err.code).toBe("NO_KEY_FOR_MODEL");
    expect(err.status).toBe(404);
    expect(err.param).toBe("model");
    expect(err.provider).toBe("openai");
  });

  it("returns -1 for a provider without keys", () => {
    expect(router.pickKey({ provider: "ollama", model: "llama3" }, healthy, 0)).toBe(-1);
  });
});

describe("weighted key selection", () => {
  const weighted = routerFor({
    providers: { openai: { keys: [{ value: "sk-heavy", weight: 3 }, { value: "sk-light" }] } },
  });
  const target = { provider: "openai", model: "gpt-4o" };

  it("gives the first key the first three quarters of [0, 1) for weights 3 and 1", () => {
    for (const r of [0, 0.1, 0.5, 0.74, 0.7499]) {
      expect(weighted.pickKey(target, healthy, 0, fixed(r))).toBe(0);
    }
  });

  it("gives the second key the last quarter of [0, 1) for weights 3 and 1", () => {
    for (const r of [0.75, 0.76, 0.9, 0.9999]) {
      expect(weighted.pickKey(target, healthy, 0, fixed(r))).toBe(1);
    }
  });

  it("leaves the weight of keys that do not admit the model out of the draw", () => {
    const mixed = routerFor({
      providers: {
        openai: {
          keys: [
            { value: "a", models: ["gpt-*"] },
            { value: "b", weight: 100, models: ["o1-*"] },
            { value: "c" },
          ],
        },
      },
    });
    expect(mixed.pickKey(target, healthy, 0, fixed(0.49))).toBe(0);
    expect(mixed.pickKey(target, healthy, 0, fixed(0.5))).toBe(2);
    expect(mixed.pickKey(target, healthy, 0, fixed(0.99))).toBe(2);
  });

  it("splits draws from Math.random in proportion to the weights", () => {
    const draws = 20_000;
    let first = 0;
    for (let i = 0; i < draws; i++) if (weighted.pickKey(target, healthy, 0) === 0) first++;
    expect(first / draws).toBeGreaterThan(0.72);
    expect(first / draws).toBeLessThan(0.78);
  });
});

describe("routes with several targets", () => {
  const multi = routerFor({
    providers: { a: {}, b: {}, c: {} },
    models: {
      smart: {
        targets: [
          { model: "a/big", weight: 3 },
          { model: "b/big", weight: 1 },
        ],
        fallbacks: ["c/small"],
      },
      fast: { targets: [{ model: "a/m" }, { model: "b/m" }], strategy: "least-latency" },
      calm: { targets: [{ model: "a/m" }, { model: "b/m" }], strategy: "least-busy" },
      plain: "a/m",
    },
  });
  const names = (targets: Target[]) => targets.map((t) => `${t.provider}/${t.model}`);

  it("draws the first target by weight, then the rest, then the route's fallbacks", () => {
    expect(names(multi.route("smart", [], healthy, fixed(0.5)))).toEqual([
      "a/big",
      "b/big",
      "c/small",
    ]);
    expect(names(multi.route("smart", [], healthy, fixed(0.8)))).toEqual([
      "b/big",
      "a/big",
      "c/small",
    ]);
  });

  it("appends the request's own fallbacks, expanding aliases and dropping repeats", () => {
    expect(names(multi.route("plain", ["c/x", "smart", "a/m"], healthy, fixed(0)))).toEqual([
      "a/m",
      "c/x",
      "a/big",
      "b/big",
      "c/small",
    ]);
  });

  it("says which name of the request led to each target", () => {
    const vias = multi.route("plain", ["c/x", "smart"], healthy, fixed(0)).map((t) => t.via);
    expect(vias).toEqual(["plain", "c/x", "smart", "smart", "smart"]);
  });

  it("refuses an unknown fallback with MODEL_NOT_FOUND before any call", () => {
    expect(thrown(() => multi.route("plain", ["nope/x"], healthy)).code).toBe("MODEL_NOT_FOUND");
  });

  it("puts the lowest moving-average latency first, and an unmeasured target before any", () => {
    const view = (lat: Record<string, number | undefined>): HealthView => ({
      ...healthy,
      latency: (p) => lat[p],
    });
    expect(names(multi.route("fast", [], view({ a: 90, b: 20 })))).toEqual(["b/m", "a/m"]);
    expect(names(multi.route("fast", [], view({ a: 90, b: undefined })))).toEqual(["b/m", "a/m"]);
    expect(names(multi.route("fast", [], view({ a: 10, b: 20 })))).toEqual(["a/m", "b/m"]);
  });

  it("puts the provider with the fewest calls in flight first", () => {
    const busy = (n: Record<string, number>): HealthView => ({
      ...healthy,
      inFlight: (p) => n[p] ?? 0,
    });
    expect(names(multi.route("calm", [], busy({ a: 5, b: 1 })))).toEqual(["b/m", "a/m"]);
    expect(names(multi.route("calm", [], busy({ a: 0, b: 1 })))).toEqual(["a/m", "b/m"]);
  });
});

describe("unsafe model names", () => {
  it("refuses names that could leave an upstream URL path, with a 400 naming model", () => {
    for (const name of [
      "openai/../files",
      "openai/a/../../b",
      "openai/x?y=1",
      "openai/x#y",
      "openai/x%2F..",
      "openai/a b",
      "openai/a\\b",
      "openai/a\u0000",
      "openai/модель",
      "openai/gpt\uff0f4o",
    ]) {
      const err = thrown(() => router.route(name, [], healthy));
      expect(err.code).toBe("INVALID_REQUEST");
      expect(err.status).toBe(400);
      expect(err.param).toBe("model");
    }
  });

  it("keeps names real providers use", () => {
    for (const name of [
      "ollama/llama3.1:8b",
      "openrouter/anthropic/claude-3.5-sonnet",
      "openai/ft:gpt-4o:org:x",
      "openai/models..v2",
    ]) {
      expect(router.route(name, [], healthy)).toHaveLength(1);
    }
  });
});

describe("key health", () => {
  const two = routerFor({ providers: { openai: { keys: [{ value: "a" }, { value: "b" }] } } });
  const target = { provider: "openai", model: "gpt-4o" };

  it("skips a key that is set aside", () => {
    const view: HealthView = { ...healthy, keyUsable: (_p, k) => k !== 0 };
    for (const r of [0, 0.3, 0.99]) expect(two.pickKey(target, view, 0, fixed(r))).toBe(1);
  });

  it("throws KEYS_COOLING (429) when every admitted key is set aside", () => {
    const err = thrown(() => two.pickKey(target, { ...healthy, keyUsable: () => false }, 0));
    expect(err.code).toBe("KEYS_COOLING");
    expect(err.status).toBe(429);
  });
});
