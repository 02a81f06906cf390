/**
 * The caller's model permissions (globs over `provider/model` and alias names, set by a plugin:
 * governance's `allowed_models`), checked on every target before it is tried, wherever targets
 * come from. A target is allowed when the caller is allowed the name the request gave for it (so
 * an operator's route adds its targets and fallbacks to an alias the caller may use) or its own
 * `provider/model`. A target that is not allowed is never tried; a name the request gave (the
 * model asked for, or one of its own fallbacks) that reaches no allowed target is a 403.
 */
import { GatewayError } from "../core/errors.ts";
import { globMatcher } from "../router/glob.ts";
import type { Target } from "../router/router.ts";

/** Each permission list compiled once (lists are shared per key record). */
const matchers = new WeakMap<readonly string[], (name: string) => boolean>();

function matcherOf(models: readonly string[]): (name: string) => boolean {
  let match = matchers.get(models);
  if (match === undefined) matchers.set(models, (match = globMatcher(models)));
  return match;
}

function notAllowed(name: string, param: string): GatewayError {
  return new GatewayError(
    "MODEL_NOT_ALLOWED",
    `This caller may not use the model '${name}'${param === "model" ? "" : " (one of the request's fallbacks)"}.`,
    { param },
  );
}

export function permittedTargets(
  targets: Target[],
  requested: string,
  fallbacks: readonly string[],
  models: readonly string[] | undefined,
): Target[] {
  if (models === undefined || models.length === 0) return targets;
  const allow = matcherOf(models);
  const allowed = (t: Target) => allow(t.via) || allow(`${t.provider}/${t.model}`);
  const out = targets.filter(allowed);
  if (out.length === targets.length) return targets;
  for (const [name, param] of [
    [requested, "model"],
    ...fallbacks.map((f) => [f, "fallbacks"] as const),
  ] as const) {
    // A name the request gave that reached targets, none of them allowed.
    if (targets.some((t) => t.via === name) && !out.some((t) => t.via === name))
      throw notAllowed(name, param);
  }
  return out;
}
