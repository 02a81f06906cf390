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

export function createHealth(config: Config, inFlight: (provider: string) => number): Health {
  const breakers = new Map<string, CircuitBreaker>();
  const cooling = new Map<string, number>();
  const latency = new Map<string, number>();
  for (const p of Object.values(config.providers)) {
    breakers.set(p.name, new CircuitBreaker(p.breaker));
    p.keys.forEach((_, i) => breakers.set(`${p.name}#${i}`, new CircuitBreaker(p.breaker)));
  }
  const breaker = (provider: string, keyIndex: number) => breakers.get(`${provider}#${keyIndex}`);
  const providerUsable = (provider: string, now: number) =>
    breakers.get(provider)?.available(now) ?? true;

  return {
    providerUsable,
    keyUsable(provider, keyIndex, now) {
      if (!providerUsable(provider, now)) return false;
      if (keyIndex < 0) return true;
      if ((cooling.get(`${provider}#${keyIndex}`) ?? 0) > now) return false;
      return breaker(provider, keyIndex)?.available(now) ?? true;
    },
    latency: (provider, model) => latency.get(`${provider}/${model}`),
    inFlight,
    started(provider, keyIndex, now) {
      breakers.get(provider)?.start(now);
      breaker(provider, keyIndex)?.start(now);
    },
    succeeded(provider, keyIndex, model, latencyMs, now) {
      breakers.get(provider)?.success(now);
      breaker(provider, keyIndex)?.success(now);
      const id = `${provider}/${model}`;
      const prev = latency.get(id);
      latency.set(id, prev === undefined ? latencyMs : prev + EWMA_ALPHA * (latencyMs - prev));
    },
    failed(provider, keyIndex, now) {
      breakers.get(provider)?.failure(now);
      breaker(provider, keyIndex)?.failure(now);
    },
    abandoned(provider, keyIndex) {
      breakers.get(provider)?.abandon();
      breaker(provider, keyIndex)?.abandon();
    },
    coolDown(provider, keyIndex, untilMs) {
      if (keyIndex >= 0) cooling.set(`${provider}#${keyIndex}`, untilMs);
    },
    retryAfter(provider, now) {
      const p = config.providers[provider];
      let soonest = breakers.get(provider)?.retryAfter(now) ?? 0;
      if (p && p.keys.length > 0) {
        let keySoonest = Infinity;
        p.keys.forEach((_, i) => {
          const until = Math.max(
            cooling.get(`${provider}#${i}`) ?? 0,
            now + (breaker(provider, i)?.retryAfter(now) ?? 0) * 1000,
          );
          keySoonest = Math.min(keySoonest, Math.max(0, Math.ceil((until - now) / 1000)));
        });
        soonest = Math.max(soonest, keySoonest);
      }
      return Math.max(1, soonest);
    },
    snapshot(now) {
      const out: BreakerSnapshot[] = [];
      for (const [id, b] of breakers) {
        const hash = id.lastIndexOf("#");
        const provider = hash < 0 ? id : id.slice(0, hash);
        const key = hash < 0 ? "*" : id.slice(hash + 1);
        const entry: BreakerSnapshot = { provider, key, state: b.current() };
        const until = cooling.get(id) ?? 0;
        if (until > now) entry.cooling_s = Math.ceil((until - now) / 1000);
        out.push(entry);
      }
      return out;
    },
  };
}
