/**
 * How an alias with several targets orders them: `weighted` draws them one after another in
 * proportion to their weights; `least-latency` prefers the lowest moving-average latency (a
 * target never measured comes first, so every target gets measured); `least-busy` prefers the
 * provider with the fewest calls in flight. Ties keep the configured order.
 */
import type { RouteStrategy } from "../config/config.ts";
import type { HealthView } from "./health.ts";
import type { Target } from "./router.ts";

type Weighted = Pick<Target, "provider" | "model"> & { weight: number };

function weightedOrder<T extends Weighted>(targets: T[], random: () => number): T[] {
  const left = [...targets];
  const out: T[] = [];
  while (left.length > 0) {
    const total = left.reduce((sum, t) => sum + t.weight, 0);
    let r = random() * total;
    let at = left.length - 1;
    for (let i = 0; i < left.length; i++) {
      r -= left[i]!.weight;
      if (r < 0) {
        at = i;
        break;
      }
    }
    out.push(...left.splice(at, 1));
  }
  return out;
}

export function orderTargets<T extends Weighted>(
  targets: T[],
  strategy: RouteStrategy,
  view: HealthView,
  random: () => number,
): T[] {
  if (targets.length < 2) return targets;
  if (strategy === "weighted") return weightedOrder(targets, random);
  const score =
    strategy === "least-latency"
      ? (t: Weighted) => view.latency(t.provider, t.model) ?? -1
      : (t: Weighted) => view.inFlight(t.provider);
  return targets
    .map((t, i) => ({ t, i, s: score(t) }))
    .sort((a, b) => a.s - b.s || a.i - b.i)
    .map((x) => x.t);
}
