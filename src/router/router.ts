/**
 * The router: pure functions of (model name, config) that say where a request goes. It does no
 * I/O and keeps no mutable state; randomness is injected so that tests can pin it.
 */
import { GatewayError } from "../core/errors.ts";
import type { Config } from "../config/config.ts";
import { globMatcher } from "./glob.ts";

export interface Target {
  /** The provider's configured name. */
  provider: string;
  /** The model name the upstream sees. */
  model: string;
}

export interface RoutePlan extends Target {
  /** What the caller asked for (`openai/gpt-4o-mini` or an alias). */
  requested: string;
  /** Index into the provider's `keys`, or -1 when the provider has none (a keyless upstream). */
  keyIndex: number;
}

export interface Router {
  /** Resolves an alias or a `provider/model` name; throws MODEL_NOT_FOUND before any upstream call. */
  resolve(requested: string): Target;
  /** Picks a key weighted-randomly among those whose `models` globs admit the model. */
  pickKey(target: Target, random?: () => number): number;
  /** Both steps at once. */
  plan(requested: string, random?: () => number): RoutePlan;
}

interface CompiledKey {
  index: number;
  weight: number;
  admits: (model: string) => boolean;
}

export function createRouter(config: Config): Router {
  const keysByProvider = new Map<string, CompiledKey[]>();
  for (const [name, p] of Object.entries(config.providers)) {
    keysByProvider.set(
      name,
      p.keys.map((k, index) => ({ index, weight: k.weight, admits: globMatcher(k.models) })),
    );
  }

  function resolve(requested: string): Target {
    const alias = Object.hasOwn(config.models, requested) ? config.models[requested] : undefined;
    const name = alias ?? requested;
    const slash = name.indexOf("/");
    const provider = slash > 0 ? name.slice(0, slash) : "";
    const model = slash > 0 ? name.slice(slash + 1) : "";
    if (!provider || !model || !keysByProvider.has(provider)) {
      const why = slash > 0 ? `unknown provider "${provider}"` : "not a configured alias";
      throw new GatewayError(
        "MODEL_NOT_FOUND",
        `The model '${requested}' does not exist (${why}); address models as provider/model or use an alias.`,
        { param: "model" },
      );
    }
    return { provider, model };
  }

  function pickKey(target: Target, random: () => number = Math.random): number {
    const keys = keysByProvider.get(target.provider) ?? [];
    if (keys.length === 0) return -1;
    let total = 0;
    let eligible = 0;
    for (const k of keys) {
      if (k.admits(target.model)) {
        total += k.weight;
        eligible++;
      }
    }
    if (eligible === 0) {
      throw new GatewayError(
        "NO_KEY_FOR_MODEL",
        `The model '${target.provider}/${target.model}' does not exist (no key of provider "${target.provider}" serves it).`,
        { param: "model", provider: target.provider },
      );
    }
    let r = random() * total;
    let last = -1;
    for (const k of keys) {
      if (!k.admits(target.model)) continue;
      last = k.index;
      r -= k.weight;
      if (r < 0) return k.index;
    }
    return last;
  }

  return {
    resolve,
    pickKey,
    plan(requested, random) {
      const target = resolve(requested);
      return { ...target, requested, keyIndex: pickKey(target, random) };
    },
  };
}
