/**
 * The router: pure functions of (model name, config, health view) that say where a request goes
 * and with which key. It does no I/O and keeps no state of its own; health is read through
 * `HealthView` and randomness is injected so that tests can pin it.
 */
import { GatewayError } from "../core/errors.ts";
import type { Config } from "../config/config.ts";
import { MODEL_NAME_RULE, UNSAFE_MODEL } from "../core/models.ts";
import { globMatcher } from "./glob.ts";
import type { HealthView } from "./health.ts";
import { orderTargets } from "./strategy.ts";

export interface Target {
  /** The provider's configured name. */
  provider: string;
  /** The model name the upstream sees. */
  model: string;
  /**
   * The name the request gave that led here: the model it asked for, or one of its fallbacks (an
   * alias or a `provider/model`). A caller allowed that name is allowed every target an
   * operator's route adds to it.
   */
  via: string;
}

export interface Router {
  /**
   * Every target a request may be served by, in the order to try them: the route's targets as
   * its strategy orders them, then its fallbacks, then the request's own `fallbacks` (names or
   * aliases). Unknown names throw MODEL_NOT_FOUND (404) before any upstream call.
   */
  route(
    requested: string,
    fallbacks: readonly string[],
    view: HealthView,
    random?: () => number,
  ): Target[];
  /**
   * Picks a key weighted-randomly among those whose `models` globs admit the model and that are
   * usable now; -1 for a provider without keys. Throws NO_KEY_FOR_MODEL (404) when no key admits
   * the model and KEYS_COOLING (429) when every key that does is set aside.
   */
  pickKey(
    target: Pick<Target, "provider" | "model">,
    view: HealthView,
    now: number,
    random?: () => number,
  ): number;
}

interface CompiledKey {
  index: number;
  weight: number;
  admits: (model: string) => boolean;
}

function notFound(requested: string, why: string): GatewayError {
  return new GatewayError(
    "MODEL_NOT_FOUND",
    `The model '${requested}' does not exist (${why}); address models as provider/model or use an alias.`,
    { param: "model" },
  );
}

export function createRouter(config: Config): Router {
  const keysByProvider = new Map<string, CompiledKey[]>();
  for (const [name, p] of Object.entries(config.providers)) {
    keysByProvider.set(
      name,
      p.keys.map((k, index) => ({ index, weight: k.weight, admits: globMatcher(k.models) })),
    );
  }

  /** `name` (`provider/model`) as a target reached through `requested`. */
  function target(name: string, requested: string): Target {
    const slash = name.indexOf("/");
    const provider = slash > 0 ? name.slice(0, slash) : "";
    const model = slash > 0 ? name.slice(slash + 1) : "";
    if (!provider || !model || !keysByProvider.has(provider)) {
      throw notFound(
        requested,
        slash > 0 ? `unknown provider "${provider}"` : "not a configured alias",
      );
    }
    if (UNSAFE_MODEL.test(model)) {
      throw new GatewayError(
        "INVALID_REQUEST",
        `The model name '${model}' holds characters no upstream model name has: ${MODEL_NAME_RULE}.`,
        { param: "model" },
      );
    }
    return { provider, model, via: requested };
  }

  /** An alias's targets in strategy order plus its fallbacks, or one `provider/model`. */
  function expand(name: string, view: HealthView, random: () => number): Target[] {
    const route = Object.hasOwn(config.models, name) ? config.models[name] : undefined;
    if (!route) return [target(name, name)];
    const targets = route.targets.map((t) => ({ ...target(t.model, name), weight: t.weight }));
    const ordered = orderTargets(targets, route.strategy, view, random);
    return [
      ...ordered.map(({ provider, model, via }) => ({ provider, model, via })),
      ...route.fallbacks.map((f) => target(f, name)),
    ];
  }

  return {
    route(requested, fallbacks, view, random = Math.random) {
      // The common case, one `provider/model` and no fallbacks, needs no expansion or dedupe.
      if (fallbacks.length === 0 && !Object.hasOwn(config.models, requested))
        return [target(requested, requested)];
      const all = [requested, ...fallbacks].flatMap((name) => expand(name, view, random));
      const seen = new Set<string>();
      return all.filter((t) => {
        const id = `${t.provider}/${t.model}`;
        if (seen.has(id)) return false;
        seen.add(id);
        return true;
      });
    },

    pickKey(t, view, now, random = Math.random) {
      const keys = keysByProvider.get(t.provider) ?? [];
      if (keys.length === 0) return -1;
      // One key serving the model and usable: the common case, with no arrays built.
      if (keys.length === 1 && keys[0]!.admits(t.model) && view.keyUsable(t.provider, 0, now))
        return 0;
      const admitted = keys.filter((k) => k.admits(t.model));
      if (admitted.length === 0) {
        throw new GatewayError(
          "NO_KEY_FOR_MODEL",
          `The model '${t.provider}/${t.model}' does not exist (no key of provider "${t.provider}" serves it).`,
          { param: "model", provider: t.provider },
        );
      }
      const usable = admitted.filter((k) => view.keyUsable(t.provider, k.index, now));
      if (usable.length === 0) {
        throw new GatewayError(
          "KEYS_COOLING",
          `Every key of provider "${t.provider}" for this model is rate-limited or failing; retry later.`,
          { provider: t.provider },
        );
      }
      const total = usable.reduce((sum, k) => sum + k.weight, 0);
      let r = random() * total;
      for (const k of usable) {
        r -= k.weight;
        if (r < 0) return k.index;
      }
      return usable[usable.length - 1]!.index;
    },
  };
}
