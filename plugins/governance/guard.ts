/**
 * Admission of one request: who is calling (401), may they use this model (403), are they within
 * their rate limits and budgets at every level (429); and afterwards, what it cost. Errors are
 * plugin errors, which the gateway sends in the caller's own API format.
 */
import {
  estimatePromptTokens,
  textTokens,
  type ChatRequest,
  type ChatResponse,
  type GatewayError,
  type PluginContext,
  type PluginErrorSpec,
  type Usage,
} from "../../src/plugins/index.ts";
import type { GovernanceConfig } from "./config.ts";
import { KeysUnavailable, type KeyDirectory } from "./directory.ts";
import { levelsOf } from "./levels.ts";
import { LimiterUnavailable } from "./limiter/resilient.ts";
import type { Decision, LevelLimits, Limiter, Remaining } from "./limiter/types.ts";
import { costMicros, type Pricing } from "./pricing.ts";
import type { RecentUsage } from "./recent.ts";
import type { GroupRecord, KeyRecord } from "./store/types.ts";

const WHERE_KEY = {
  openai: "Authorization: Bearer <key>",
  anthropic: "x-api-key",
  gemini: "x-goog-api-key (or ?key=)",
} as const;

export interface Admitted {
  key: KeyRecord;
  levels: LevelLimits[];
  /** What was reserved: tokens and micro-dollars. */
  tokens: number;
  micros: number;
  /** The prompt estimate, and the choices asked for (`n`), to learn from the answer. */
  estimate: number;
  choices: number;
  /** The prompt tokens reserved (the estimate, as this key's history scales it). */
  prompt: number;
}

export interface GuardDeps {
  config: GovernanceConfig;
  directory: KeyDirectory;
  limiter: Limiter;
  pricing: Pricing;
  groups: () => ReadonlyMap<string, GroupRecord>;
  recent: RecentUsage;
}

function refuse(
  status: number,
  message: string,
  type: string,
  code: string,
  retryAfter?: number,
): { error: PluginErrorSpec } {
  return {
    error: { status, message, type, code, ...(retryAfter === undefined ? {} : { retryAfter }) },
  };
}

function rateHeaders(
  ctx: PluginContext,
  kind: "requests" | "tokens",
  r: Remaining | undefined,
): void {
  if (!r) return;
  ctx.setHeader(`x-ratelimit-limit-${kind}`, String(r.limit));
  ctx.setHeader(`x-ratelimit-remaining-${kind}`, String(r.remaining));
  ctx.setHeader(`x-ratelimit-reset-${kind}`, `${r.resetS}s`);
}

function refusal(d: Extract<Decision, { ok: false }>): { error: PluginErrorSpec } {
  if (d.reason === "budget") {
    return refuse(
      429,
      `Budget exceeded for ${d.scope}; it renews in ${d.retryAfterS} s.`,
      "budget_exceeded",
      "budget_exceeded",
      d.retryAfterS,
    );
  }
  const what = d.reason === "requests" ? "requests per minute" : "tokens per minute";
  return refuse(
    429,
    `Rate limit of ${what} reached for ${d.scope}; retry in ${d.retryAfterS} s.`,
    "rate_limit_error",
    "rate_limit_exceeded",
    d.retryAfterS,
  );
}

type Refusal = { error: PluginErrorSpec };
type Admission = { admitted: Admitted } | Refusal;

function missingKey(ctx: PluginContext): Refusal {
  return refuse(
    401,
    `Missing virtual key: send it as ${WHERE_KEY[ctx.dialect]}.`,
    "authentication_error",
    "missing_api_key",
  );
}

/** The key (or a 401), with the caller filled in from it. */
/** Where `identify` leaves the caller's key for the same request's `admit`. */
const IDENTIFIED = "governance.key";

function known(ctx: PluginContext, key: KeyRecord | undefined): { key: KeyRecord } | Refusal {
  if (!key || key.revokedAt !== null) {
    return refuse(
      401,
      "Invalid or revoked virtual key.",
      "authentication_error",
      "invalid_api_key",
    );
  }
  ctx.caller.id = key.id;
  if (key.team) ctx.caller.team = key.team;
  if (key.customer) ctx.caller.customer = key.customer;
  if (key.mcpTools) ctx.caller.mcpTools = key.mcpTools;
  if (key.allowedModels.length > 0) ctx.caller.models = key.allowedModels;
  return { key };
}

/** The caller's key (401 when missing, unknown or revoked), with the caller filled in from it. */
export async function identify(
  deps: Pick<GuardDeps, "directory">,
  ctx: PluginContext,
): Promise<{ key: KeyRecord } | Refusal> {
  const credential = ctx.caller.credential;
  if (!credential) return missingKey(ctx);
  return deps.directory.find(credential).then((key) => {
    const who = known(ctx, key);
    if ("key" in who) ctx.scratch.set(IDENTIFIED, who.key);
    return who;
  }, keysUnavailable);
}

/** The store could not be read: a 503 the caller may retry, never a 401 for a good key. */
function keysUnavailable(err: unknown): Refusal {
  if (!(err instanceof KeysUnavailable)) throw err;
  return refuse(
    503,
    "Keys cannot be checked right now; retry shortly.",
    "api_error",
    "keys_unavailable",
    1,
  );
}

/**
 * Checks and charges the request up front; `Admitted` on success, an error to answer otherwise.
 * Synchronous when the key is in the instance's cache and limits are in memory (the common case
 * on one instance), so that it costs no promise, microtask or timer.
 */
export function admit(
  deps: GuardDeps,
  ctx: PluginContext,
  req: ChatRequest,
): Admission | Promise<Admission> {
  // Identified before the body was read (the authorize hook): the same key, not looked up again.
  const identified = ctx.scratch.get(IDENTIFIED) as KeyRecord | undefined;
  if (identified) return withKey(deps, ctx, req, identified);
  const credential = ctx.caller.credential;
  if (!credential) return missingKey(ctx);
  const cached = deps.directory.cached(credential);
  if (cached) return withKey(deps, ctx, req, cached.key);
  return deps.directory
    .find(credential)
    .then((key) => withKey(deps, ctx, req, key), keysUnavailable);
}

function withKey(
  deps: GuardDeps,
  ctx: PluginContext,
  req: ChatRequest,
  found: KeyRecord | undefined,
): Admission | Promise<Admission> {
  const who = known(ctx, found);
  if ("error" in who) return who;
  const { key } = who;
  const route = ctx.route;
  const routed = route ? `${route.provider}/${route.model}` : undefined;
  // Model permissions are the engine's to check, on every target (`ctx.caller.models`).
  const levels = levelsOf(key, deps.groups(), Date.now());
  const price = route && deps.pricing.price(route.provider, route.model);
  if (route && !price && deps.config.unpriced === "refuse" && levels.some((l) => l.budget)) {
    return refuse(
      403,
      `The model "${routed}" has no price and a budget applies to this key, so its cost could not be counted; the operator can price it in governance.pricing.`,
      "permission_error",
      "model_unpriced",
    );
  }
  const choices = typeof req.n === "number" && req.n > 1 ? Math.floor(req.n) : 1;
  const estimate = estimatePromptTokens(req);
  const expected = deps.recent.expected(
    key.id,
    routed ?? req.model,
    estimate,
    req.max_completion_tokens ?? req.max_tokens,
    deps.config.default_output_tokens,
  );
  const prompt = expected.promptTokens;
  const output = expected.outputTokens * choices;
  const admitted: Admitted = {
    key,
    levels,
    tokens: prompt + output,
    micros: costMicros(price, {
      prompt_tokens: prompt,
      completion_tokens: output,
      total_tokens: prompt + output,
    }),
    estimate,
    choices,
    prompt,
  };
  if (levels.length === 0) return { admitted };
  const ask = { levels, tokens: admitted.tokens, costMicros: admitted.micros };
  const sync = deps.limiter.sync;
  if (sync) return decided(ctx, admitted, sync.admit(ask));
  return deps.limiter.admit(ask).then(
    (decision) => decided(ctx, admitted, decision),
    (err: unknown) => {
      if (!(err instanceof LimiterUnavailable)) throw err;
      return refuse(
        503,
        "Rate limits cannot be checked right now; retry shortly.",
        "api_error",
        "limits_unavailable",
        1,
      );
    },
  );
}

function decided(ctx: PluginContext, admitted: Admitted, decision: Decision): Admission {
  rateHeaders(ctx, "requests", decision.requests);
  rateHeaders(ctx, "tokens", decision.tokens);
  if (decision.ok) return { admitted };
  const level = admitted.levels.find((l) => l.scope === decision.scope);
  const limit =
    decision.reason === "requests"
      ? level?.rpm
      : decision.reason === "tokens"
        ? level?.tpm
        : undefined;
  if (limit !== undefined && decision.reason !== "budget") {
    rateHeaders(ctx, decision.reason, { limit, remaining: 0, resetS: decision.retryAfterS });
  }
  return refusal(decision);
}

/**
 * Failures after which the last upstream call may have been paid although no usage came back: the
 * caller left, the deadline cut the answer, the agent loop's time ran out mid-call.
 */
const CUT_FAILURES = new Set(["CLIENT_CLOSED", "UPSTREAM_TIMEOUT", "AGENT_TIMEOUT"]);

/** The completion tokens of what an answer (or the part of a stream that was sent) holds. */
function outputTokens(res: ChatResponse): number {
  let n = 0;
  for (const choice of res.choices) {
    const m = choice.message;
    if (typeof m.content === "string") n += textTokens(m.content);
    for (const call of m.tool_calls ?? [])
      n += textTokens(call.function.name + call.function.arguments);
  }
  return n;
}

/**
 * What the request really used, in tokens and micro-dollars:
 *
 *   never sent upstream (refused, a cache hit,   nothing
 *   gave up while queued)
 *   answered with usage                          the usage, at the answering model's price (an
 *                                                unpriced model under a budget: the reservation);
 *                                                also when a plugin then turned it into an error
 *   answered without usage                       the reservation
 *   failed                                       what its earlier answers cost (an agent loop's
 *                                                turns), plus, when the last call may have been
 *                                                paid (CUT_FAILURES, or a stream cut after its
 *                                                first chunk), the larger of the reservation and
 *                                                what the part that was sent cost
 */
export function actualCost(
  a: Admitted,
  deps: Pick<GuardDeps, "pricing" | "config">,
  ctx: PluginContext,
  res: ChatResponse | undefined,
  err: GatewayError | undefined,
): { tokens: number; micros: number; usage?: Usage } {
  if (ctx.sent === 0) return { tokens: 0, micros: 0 };
  const route = ctx.route;
  const price = route && deps.pricing.price(route.provider, route.model);
  // An unpriced model (a fallback) under a budget is charged what was reserved, never 0.
  const unpriced = !price && deps.config.unpriced === "refuse" && a.levels.some((l) => l.budget);
  const cost = (usage: Usage) => (unpriced ? a.micros : costMicros(price, usage));
  if (res?.usage) {
    const micros = cost(res.usage);
    const cut = err !== undefined && CUT_FAILURES.has(err.code);
    return {
      tokens: res.usage.total_tokens,
      micros: cut ? Math.max(micros, a.micros) : micros,
      usage: res.usage,
    };
  }
  if (!err) return { tokens: a.tokens, micros: a.micros };
  const earlier = ctx.answeredUsage;
  const paid = { tokens: earlier?.total_tokens ?? 0, micros: earlier ? cost(earlier) : 0 };
  if (!res && !CUT_FAILURES.has(err.code)) return paid;
  const sent = res ? outputTokens(res) : 0;
  const partial = unpriced
    ? 0
    : costMicros(price, {
        prompt_tokens: a.prompt,
        completion_tokens: sent,
        total_tokens: a.prompt + sent,
      });
  return {
    tokens: paid.tokens + Math.max(a.tokens, a.prompt + sent),
    micros: paid.micros + Math.max(a.micros, partial),
  };
}
