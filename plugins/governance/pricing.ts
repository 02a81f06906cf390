/**
 * Prices and costs. Costs are kept in micro-dollars (integers) everywhere they are added up, so
 * that counters in Redis and the database never drift; they are shown in dollars.
 *
 * A model is priced by `provider/model`, else by its upstream name, else by the name of the model
 * it is a snapshot or alias of: a dated snapshot (`gpt-4o-2024-08-06`, `claude-sonnet-4-5-20250929`,
 * `claude-sonnet-4-5@20250929`, `gpt-4-0613`), a `-latest` alias, or a name routed through an
 * aggregator (`openrouter/openai/gpt-4o` is priced as `gpt-4o`).
 */
import type { Usage } from "../../src/plugins/index.ts";
import type { Price } from "./config.ts";
import shipped from "./pricing.json";

export const MICRO = 1_000_000;

export interface Pricing {
  /** The price of `provider/model` (or of the model it stands for); undefined when unknown. */
  price(provider: string, model: string): Price | undefined;
}

/** What a snapshot or alias name stands for, most specific first. */
const SNAPSHOT = [/-\d{4}-\d{2}-\d{2}$/, /-\d{8}$/, /@[\w.-]+$/, /-latest$/, /-\d{4}$/];

/** The names a model may be priced under, most specific first (the name itself included). */
export function priceNames(model: string): string[] {
  const names = [model];
  const base = model.includes("/") ? model.slice(model.lastIndexOf("/") + 1) : model;
  if (base !== model) names.push(base);
  for (const pattern of SNAPSHOT) {
    const stripped = base.replace(pattern, "");
    if (stripped !== base && stripped !== "" && !names.includes(stripped)) names.push(stripped);
  }
  return names;
}

export function createPricing(overrides: Readonly<Record<string, Price>>): Pricing {
  const table = new Map<string, Price>();
  for (const [name, price] of Object.entries(shipped)) {
    if (!name.startsWith("$")) table.set(name, price as Price);
  }
  for (const [name, price] of Object.entries(overrides)) table.set(name, price);
  const found = new Map<string, Price | null>();
  return {
    price(provider, model) {
      const id = `${provider}/${model}`;
      const hit = found.get(id);
      if (hit !== undefined) return hit ?? undefined;
      let price: Price | undefined;
      for (const name of priceNames(model)) {
        price = table.get(`${provider}/${name}`) ?? table.get(name);
        if (price) break;
      }
      if (found.size > 10_000) found.clear();
      found.set(id, price ?? null);
      return price;
    },
  };
}

/** The cost of `usage` in micro-dollars; cached prompt tokens at the cached price when known. */
export function costMicros(price: Price | undefined, usage: Usage): number {
  if (!price) return 0;
  // Never below 0: cached tokens are part of the prompt, whatever an upstream said.
  const cached = Math.min(usage.prompt_tokens, usage.prompt_tokens_details?.cached_tokens ?? 0);
  const cachedPrice = price.cached_input_per_million ?? price.input_per_million;
  const micros =
    (usage.prompt_tokens - cached) * price.input_per_million +
    cached * cachedPrice +
    usage.completion_tokens * price.output_per_million;
  return Math.max(0, Math.ceil(micros));
}
