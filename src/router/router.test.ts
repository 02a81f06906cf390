import { describe, expect, it } from "bun:test";
import { parseConfig } from "../config/load.ts";
import { GatewayError } from "../core/errors.ts";
import { createRouter, type Router } from "./router.ts";

function routerFor(doc: Record<string, unknown>): Router {
  return createRouter(parseConfig(doc, {}));
}

function thrown(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error("expected a GatewayError");
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
      const err = thrown(() => router.resolve(name));
      expect(err.code).toBe("MODEL_NOT_FOUND");
      expect(err.status).toBe(404);
    }
  });

  it("resolves an alias to its provider and upstream model", () => {
    expect(router.resolve("fast")).toEqual({ provider: "openai", model: "gpt-4o-mini" });
  });

  it("splits provider/model at the first slash", () => {
    expect(router.resolve("openai/gpt-4o")).toEqual({ provider: "openai", model: "gpt-4o" });
    expect(router.resolve("openrouter/anthropic/claude-3.5-sonnet")).toEqual({
      provider: "openrouter",
      model: "anthropic/claude-3.5-sonnet",
    });
  });

  it("resolves an alias whose model name holds further slashes", () => {
    expect(router.resolve("claude")).toEqual({
      provider: "openrouter",
      model: "anthropic/claude-3.5-sonnet",
    });
  });

  it("throws MODEL_NOT_FOUND with status 404 and param model for an unknown provider", () => {
    const err = thrown(() => router.resolve("anthropic/claude-3-opus"));
    expect(err.code).toBe("MODEL_NOT_FOUND");
    expect(err.status).toBe(404);
    expect(err.param).toBe("model");
  });

  it("throws MODEL_NOT_FOUND for a bare name that is not an alias", () => {
    const err = thrown(() => router.resolve("gpt-4o"));
    expect(err.code).toBe("MODEL_NOT_FOUND");
    expect(err.status).toBe(404);
    expect(err.param).toBe("model");
  });

  it("throws MODEL_NOT_FOUND when the provider or the model part is empty", () => {
    expect(thrown(() => router.resolve("openai/")).code).toBe("MODEL_NOT_FOUND");
    expect(thrown(() => router.resolve("/gpt-4o")).code).toBe("MODEL_NOT_FOUND");
    expect(thrown(() => router.resolve("")).code).toBe("MODEL_NOT_FOUND");
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
    expect(scoped.pickKey({ provider: "openai", model: "gpt-4o-mini" })).toBe(0);
    expect(scoped.pickKey({ provider: "openai", model: "o3-mini" })).toBe(1);
  });

  it("throws NO_KEY_FOR_MODEL naming the provider when no key admits the model", () => {
    const err = thrown(() => scoped.pickKey({ provider: "openai", model: "gpt-3.5-turbo" }));
    expect(err.code).toBe("NO_KEY_FOR_MODEL");
    expect(err.status).toBe(404);
    expect(err.param).toBe("model");
    expect(err.provider).toBe("openai");
  });

  it("returns -1 for a provider without keys", () => {
    expect(router.pickKey({ provider: "ollama", model: "llama3" })).toBe(-1);
  });
});

describe("weighted key selection", () => {
  const weighted = routerFor({
    providers: { openai: { keys: [{ value: "sk-heavy", weight: 3 }, { value: "sk-light" }] } },
  });
  const target = { provider: "openai", model: "gpt-4o" };

  it("gives the first key the first three quarters of [0, 1) for weights 3 and 1", () => {
    for (const r of [0, 0.1, 0.5, 0.74, 0.7499]) {
      expect(weighted.pickKey(target, fixed(r))).toBe(0);
    }
  });

  it("gives the second key the last quarter of [0, 1) for weights 3 and 1", () => {
    for (const r of [0.75, 0.76, 0.9, 0.9999]) {
      expect(weighted.pickKey(target, fixed(r))).toBe(1);
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
    expect(mixed.pickKey(target, fixed(0.49))).toBe(0);
    expect(mixed.pickKey(target, fixed(0.5))).toBe(2);
    expect(mixed.pickKey(target, fixed(0.99))).toBe(2);
  });

  it("splits draws from Math.random in proportion to the weights", () => {
    const draws = 20_000;
    let first = 0;
    for (let i = 0; i < draws; i++) if (weighted.pickKey(target) === 0) first++;
    expect(first / draws).toBeGreaterThan(0.72);
    expect(first / draws).toBeLessThan(0.78);
  });
});

describe("plan", () => {
  it("resolves the name and picks a key in one step", () => {
    const two = routerFor({
      providers: { openai: { keys: [{ value: "a" }, { value: "b" }] } },
      models: { fast: "openai/gpt-4o-mini" },
    });
    expect(two.plan("fast", fixed(0.9))).toEqual({
      requested: "fast",
      provider: "openai",
      model: "gpt-4o-mini",
      keyIndex: 1,
    });
  });

  it("plans a keyless provider with key index -1", () => {
    expect(router.plan("ollama/llama3.1:8b").keyIndex).toBe(-1);
  });
});
