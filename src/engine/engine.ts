/**
 * The engine: the request path below the transport. It routes a canonical request, hands it to
 * the chosen provider's pool and gives back a response or a stream of canonical chunks. It knows
 * nothing of HTTP or dialects.
 */
import type { ChatChunk, ChatRequest, ChatResponse } from "../core/chat.ts";
import type { EmbeddingsRequest, EmbeddingsResponse } from "../core/embeddings.ts";
import { GatewayError } from "../core/errors.ts";
import type { ModelInfo } from "../core/models.ts";
import { promptTokens } from "../core/tokens.ts";
import type { Config } from "../config/config.ts";
import type { RequestContext } from "../observability/context.ts";
import type { ProviderPool, PoolStats } from "../pool/pool.ts";
import type { BoundProvider } from "../providers/registry.ts";
import type { RoutePlan, Router } from "../router/router.ts";

export type ChatOutcome =
  | { kind: "response"; response: ChatResponse }
  | { kind: "stream"; chunks: ReadableStream<ChatChunk> };

export interface Engine {
  chat(req: ChatRequest, ctx: RequestContext): Promise<ChatOutcome>;
  embeddings(req: EmbeddingsRequest, ctx: RequestContext): Promise<EmbeddingsResponse>;
  /** Routes the request (so an unknown model is a 404) and estimates its prompt tokens. */
  estimateTokens(req: ChatRequest, ctx: RequestContext): number;
  models(): ModelInfo[];
  poolStats(): PoolStats[];
}

/**
 * A request written in one dialect may hold fields only that dialect can express. They travel on
 * to a provider of the same dialect; any other provider would have to drop them, so it is refused.
 */
function checkTranslatable(req: ChatRequest, bound: BoundProvider): void {
  const native = req.native;
  if (!native || native.dialect === bound.adapter.dialect || native.unmapped.length === 0) return;
  const field = native.unmapped[0]!;
  throw new GatewayError(
    "INVALID_REQUEST",
    `'${field}' has no equivalent in the ${bound.adapter.dialect} API spoken by provider "${bound.config.name}"; remove it or choose a provider that speaks the ${native.dialect} API.`,
    { param: field },
  );
}

export interface EngineDeps {
  config: Config;
  router: Router;
  providers: ReadonlyMap<string, BoundProvider>;
  pools: ReadonlyMap<string, ProviderPool>;
}

export function createEngine(deps: EngineDeps): Engine {
  const { config, router, providers, pools } = deps;

  function plan(
    requested: string,
    ctx: RequestContext,
  ): { plan: RoutePlan; pool: ProviderPool; bound: BoundProvider } {
    const routed = router.plan(requested);
    ctx.route = { requested, provider: routed.provider, model: routed.model };
    return {
      plan: routed,
      pool: pools.get(routed.provider)!,
      bound: providers.get(routed.provider)!,
    };
  }

  async function chat(req: ChatRequest, ctx: RequestContext): Promise<ChatOutcome> {
    const { plan: p, pool, bound } = plan(req.model, ctx);
    checkTranslatable(req, bound);
    const stream = req.stream === true;
    if (stream && !bound.adapter.capabilities.stream) {
      throw new GatewayError("UNSUPPORTED", `provider "${p.provider}" does not stream`, {
        param: "stream",
      });
    }
    if (req.tools?.length && !bound.adapter.capabilities.tools) {
      throw new GatewayError("UNSUPPORTED", `provider "${p.provider}" does not support tools`, {
        param: "tools",
      });
    }
    const result = await pool.submit(
      { op: "chat", keyIndex: p.keyIndex, model: p.model, body: req, stream },
      ctx.signal,
      bound.config.timeout_ms,
    );
    if (result.kind === "stream") return { kind: "stream", chunks: result.chunks };
    if (result.kind === "chat") return { kind: "response", response: result.response };
    throw new GatewayError(
      "INTERNAL",
      "the pool answered a chat job with the wrong kind of result",
    );
  }

  async function embeddings(
    req: EmbeddingsRequest,
    ctx: RequestContext,
  ): Promise<EmbeddingsResponse> {
    const { plan: p, pool, bound } = plan(req.model, ctx);
    if (!bound.adapter.embeddings) {
      throw new GatewayError("UNSUPPORTED", `provider "${p.provider}" does not offer embeddings`, {
        param: "model",
      });
    }
    const result = await pool.submit(
      { op: "embeddings", keyIndex: p.keyIndex, model: p.model, body: req, stream: false },
      ctx.signal,
      bound.config.timeout_ms,
    );
    if (result.kind === "embeddings") return result.response;
    throw new GatewayError(
      "INTERNAL",
      "the pool answered an embeddings job with the wrong kind of result",
    );
  }

  const modelList = listModels(config);
  return {
    chat,
    embeddings,
    estimateTokens(req, ctx) {
      plan(req.model, ctx);
      return promptTokens(req);
    },
    models: () => modelList,
    poolStats: () => [...pools.values()].map((pool) => pool.stats()),
  };
}

/** The configured providers' models (their `models`, and exact names in key `models`) and aliases. */
export function listModels(config: Config): ModelInfo[] {
  const created = Math.floor(Date.now() / 1000);
  const ids = new Map<string, string>();
  for (const p of Object.values(config.providers)) {
    const names = [...p.models, ...p.keys.flatMap((k) => k.models.filter((m) => !/[*?]/.test(m)))];
    for (const name of names) ids.set(`${p.name}/${name}`, p.name);
  }
  for (const alias of Object.keys(config.models)) ids.set(alias, "switchyard");
  return [...ids].map(([id, owner]) => ({ id, object: "model", created, owned_by: owner }));
}
