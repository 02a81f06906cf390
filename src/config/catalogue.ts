/**
 * The models a config names: what its providers list (their `models`, and the exact names in key
 * `models` globs) and what its aliases route to. As `provider/model`.
 */
import type { Config } from "./config.ts";

/** Each provider's listed models, as `provider/model`, in config order, without repeats. */
export function providerModels(config: Config): string[] {
  const ids = new Set<string>();
  for (const p of Object.values(config.providers)) {
    const names = [...p.models, ...p.keys.flatMap((k) => k.models.filter((m) => !/[*?]/.test(m)))];
    for (const name of names) ids.add(`${p.name}/${name}`);
  }
  return [...ids];
}

/** Every `provider/model` the config names: listed ones, and every alias's targets and fallbacks. */
export function configuredModels(config: Config): string[] {
  const ids = new Set(providerModels(config));
  for (const route of Object.values(config.models)) {
    for (const t of route.targets) ids.add(t.model);
    for (const f of route.fallbacks) ids.add(f);
  }
  return [...ids];
}
