/**
 * Token usage as an upstream reported it, made safe to add up: every count a whole number of at
 * least 0. Budgets, metrics and logs add these numbers, so a negative, fractional, string or
 * missing count from a misbehaving upstream must not reach them (a negative count would credit
 * a budget; a string would turn a sum into text).
 */
import type { Usage } from "./chat.ts";

/**
 * The most tokens one answer is taken to have used, per count: far above any model's context, and
 * small enough that sums and costs stay exact integers (a count past it is held to it).
 */
export const MAX_TOKEN_COUNT = 1_000_000_000;

/** A token count as a whole number from 0 to MAX_TOKEN_COUNT; undefined for a non-number. */
function count(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value >= 0
    ? Math.min(MAX_TOKEN_COUNT, Math.ceil(value))
    : undefined;
}

/** A count read from an upstream's usage: a whole number of at least 0 (0 for anything else). */
export function tokenCount(value: unknown): number {
  return count(value) ?? 0;
}

function clean(value: unknown): value is number {
  return (
    typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= MAX_TOKEN_COUNT
  );
}

/** The usage object itself when it is already clean (the common case: nothing is copied). */
export function cleanUsage(raw: unknown): Usage | undefined {
  if (typeof raw !== "object" || raw === null) return undefined;
  const u = raw as Record<string, unknown>;
  const details = u.prompt_tokens_details as Record<string, unknown> | undefined | null;
  const { prompt_tokens: p, completion_tokens: c, total_tokens: t } = u;
  // Cached tokens are part of the prompt, and the total is at least prompt plus completion:
  // otherwise a cost could come out negative (a credit) or tokens be counted as none.
  const cachedOk =
    details == null ||
    details.cached_tokens === undefined ||
    (clean(details.cached_tokens) && clean(p) && details.cached_tokens <= p);
  if (clean(p) && clean(c) && clean(t) && t >= p + c && cachedOk) return raw as Usage;
  const prompt = count(u.prompt_tokens) ?? 0;
  const completion = count(u.completion_tokens) ?? 0;
  const usage: Usage = {
    ...(u as object),
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: Math.max(count(u.total_tokens) ?? 0, prompt + completion),
  } as Usage;
  const cached =
    typeof details === "object" && details !== null ? count(details.cached_tokens) : undefined;
  if (cached === undefined) delete usage.prompt_tokens_details;
  else usage.prompt_tokens_details = { ...details, cached_tokens: Math.min(cached, prompt) };
  return usage;
}

/** Two usages added up (cached tokens too); `undefined` stands for none. */
export function addUsage(a: Usage | undefined, b: Usage | undefined): Usage | undefined {
  if (!b) return a;
  if (!a) return b;
  const cached =
    (a.prompt_tokens_details?.cached_tokens ?? 0) + (b.prompt_tokens_details?.cached_tokens ?? 0);
  return {
    prompt_tokens: a.prompt_tokens + b.prompt_tokens,
    completion_tokens: a.completion_tokens + b.completion_tokens,
    total_tokens: a.total_tokens + b.total_tokens,
    ...(cached > 0 ? { prompt_tokens_details: { cached_tokens: cached } } : {}),
  };
}
