/**
 * What the router knows about upstream health: a circuit breaker per provider and per key, key
 * cool-downs (after 401/403/429), and a moving average of each target's latency. The engine
 * writes outcomes here; the router reads them through `HealthView` and stays pure.
 */
import type { Config } from "../config/config.ts";
import { CircuitBreaker, type BreakerState } from "./breaker.ts";

/** Weight of the newest sample in the latency average. */
const EWMA_ALPHA = 0.3;

export interface HealthView {
  /** Not cooling down, and its breaker (and its provider's) lets a call through. */
  keyUsable(provider: string, keyIndex: number, now: number): boolean;
  providerUsable(provider: string, now: number): boolean;
  /** Moving average of time to first byte, ms; undefined before the first success. */
  latency(provider: string, model: string): number | undefined;
  inFlight(provider: string): number;
}

export interface BreakerSnapshot {
  provider: string;
  /** "*" for the provider's own breaker, else the key's index (never the key). */
  key: string;
  state: BreakerState;
  /** Seconds left of a key's cool-down. */
  cooling_s?: number;
}

export interface Health extends HealthView {
  started(provider: string, keyIndex: number, now: number): void;
  succeeded(
    provider: string,
    keyIndex: number,
    model: string,
    latencyMs: number,
    now: number,
  ): void;
  failed(provider: string, keyIndex: number, now: number): void;
  /** A call ended with no verdict on the upstream; a probe it carried is released. */
  abandoned(provider: string, keyIndex: number): void;
  coolDown(provider: string, keyIndex: number, untilMs: number): void;
  /** Seconds until a key or the provider may be tried again. */
  retryAfter(provider: string, now: number): number;
  snapshot(now: number): BreakerSnapshot[];
}

/** One provider's state: its breaker, each key's breaker and cool-down, each model's latency. */
interface ProviderHealth {
  readonly breaker: CircuitBreaker;
  readonly keys: { readonly breaker: CircuitBreaker; coolingUntil: number }[];
  readonly latency: Map<string, number>;
}

export function createHealth(config: Config, inFlight: (provider: string) => number): Health {
  // Looked up by provider, then indexed by key: no string is built per request.
  const providers = new Map<string, ProviderHealth>();
  for (const p of Object.values(config.providers)) {
    providers.set(p.name, {
      breaker: new CircuitBreaker(p.breaker),
      keys: p.keys.map(() => ({ breaker: new CircuitBreaker(p.breaker), coolingUntil: 0 })),
      latency: new Map(),
    });
  }
  const key = (provider: string, keyIndex: number) =>
    keyIndex < 0 ? undefined : providers.get(provider)?.keys[keyIndex];
  const providerUsable = (provider: string, now: number) =>
    providers.get(provider)?.breaker.available(now) ?? true;

  return {
    providerUsable,
    keyUsable(provider, keyIndex, now) {
      if (!providerUsable(provider, now)) return false;
      const k = key(provider, keyIndex);
      if (k === undefined) return true;
      return k.coolingUntil <= now && k.breaker.available(now);
    },
    latency: (provider, model) => providers.get(provider)?.latency.get(model),
    inFlight,
    started(provider, keyIndex, now) {
      providers.get(provider)?.breaker.start(now);
      key(provider, keyIndex)?.breaker.start(now);
    },
    succeeded(provider, keyIndex, model, latencyMs, now) {
      const p = providers.get(provider);
      if (p === undefined) return;
      p.breaker.success(now);
      if (keyIndex >= 0) p.keys[keyIndex]?.breaker.success(now);
      const prev = p.latency.get(model);
      p.latency.set(model, prev === undefined ? latencyMs : prev + EWMA_ALPHA * (latencyMs - prev));
    },
    failed(provider, keyIndex, now) {
      providers.get(provider)?.breaker.failure(now);
      key(provider, keyIndex)?.breaker.failure(now);
    },
    abandoned(provider, keyIndex) {
      providers.get(provider)?.breaker.abandon();
      key(provider, keyIndex)?.breaker.abandon();
    },
    coolDown(provider, keyIndex, untilMs) {
      const k = key(provider, keyIndex);
      if (k !== undefined) k.coolingUntil = untilMs;
    },
    retryAfter(provider, now) {
      const p = providers.get(provider);
      let soonest = p?.breaker.retryAfter(now) ?? 0;
      if (p && p.keys.length > 0) {
        let keySoonest = Infinity;
        for (const k of p.keys) {
          const until = Math.max(k.coolingUntil, now + k.breaker.retryAfter(now) * 1000);
          keySoonest = Math.min(keySoonest, Math.max(0, Math.ceil((until - now) / 1000)));
        }
        soonest = Math.max(soonest, keySoonest);
      }
      return Math.max(1, soonest);
    },
    snapshot(now) {
      const out: BreakerSnapshot[] = [];
      for (const [provider, p] of providers) {
        out.push({ provider, key: "*", state: p.breaker.current() });
        p.keys.forEach((k, i) => {
          const entry: BreakerSnapshot = { provider, key: String(i), state: k.breaker.current() };
          if (k.coolingUntil > now) entry.cooling_s = Math.ceil((k.coolingUntil - now) / 1000);
          out.push(entry);
        });
      }
      return out;
    },
  };
}
