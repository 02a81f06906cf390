/**
 * Prices and costs. Costs are kept in micro-dollars (integers) everywhere they are added up, so
 * that counters in Redis and the database never drift; they are shown in dollars.
 */
import type { Usage } from "../../src/plugins/index.ts";
import type { Price } from "./config.ts";
import shipped from "./pricing.json";

export const MICRO = 1_000_000;

export interface Pricing {
  /** The price of `provider/model` (or of the model name alone); undefined when unknown. */
  price(provider: string, model: string): Price | undefined;
}

export function createPricing(overrides: Readonly<Record<string, Price>>): Pricing {
  const table = new Map<string, Price>();
  for (const [name, price] of Object.entries(shipped)) {
    if (!name.startsWith("$")) table.set(name, price as Price);
  }
  for (const [name, price] of Object.entries(overrides)) table.set(name, price);
  return {
    price: (provider, model) => table.get(`${provider}/${model}`) ?? table.get(model),
  };
}

/** The cost of `usage` in micro-dollars; cached prompt tokens at the cached price when known. */
export function costMicros(price: Price | undefined, usage: Usage): number {
  if (!price) return 0;
  const cached = usage.prompt_tokens_details?.cached_tokens ?? 0;
  const cachedPrice = price.cached_input_per_million ?? price.input_per_million;
  const micros =
    (usage.prompt_tokens - cached) * price.input_per_million +
    cached * cachedPrice +
    usage.completion_tokens * price.output_per_million;
  return Math.ceil(micros);
}
