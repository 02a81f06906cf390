/**
 * The engine: the request path below the transport. It routes a canonical request, runs it
 * through failover (retries, key rotation, fallbacks; see `failover.ts`) on the chosen
 * providers' pools, and gives back a response or a stream of canonical chunks. It knows nothing
 * of HTTP or dialects.
 */
import type { ChatChunk, ChatRequest, ChatResponse } from "../core/chat.ts";
import type { EmbeddingsRequest, EmbeddingsResponse } from "../core/embeddings.ts";
import { GatewayError } from "../core/errors.ts";
import type { ModelInfo } from "../core/models.ts";
import { promptTokens } from "../core/tokens.ts";
import { addUsage } from "../core/usage.ts";
import type { Config } from "../config/config.ts";
import { providerModels } from "../config/catalogue.ts";
import type { RequestContext, RouteInfo } from "../observability/context.ts";
import type { PoolStats } from "../pool/pool.ts";
import type { BoundProvider } from "../providers/registry.ts";
import type { BreakerSnapshot } from "../router/health.ts";
import { withFailover, type FailoverDeps, type RoutingOptions } from "./failover.ts";
import { afterFirstChunk } from "./first-chunk.ts";

export type { RoutingOptions } from "./failover.ts";

export type ChatOutcome =
  | { kind: "response"; response: ChatResponse }
  | { kind: "stream"; chunks: ReadableStream<ChatChunk> };

/** A chat request's way through the gateway below HTTP: the engine's, or a wrapper around it. */
export type ChatHandler = (
  req: ChatRequest,
  ctx: RequestContext,
  routing?: RoutingOptions,
) => Promise<ChatOutcome>;

export interface Engine {
  chat: ChatHandler;
  embeddings(
    req: EmbeddingsRequest,
    ctx: RequestContext,
    routing?: RoutingOptions,
  ): Promise<EmbeddingsResponse>;
  /** Where a request for `model` would go first; undefined for an unknown model. Never throws. */
  resolve(model: string): RouteInfo | undefined;
  /** Routes the request (so an unknown model is a 404) and estimates its prompt tokens. */
  estimateTokens(req: ChatRequest, ctx: RequestContext): number;
  models(): ModelInfo[];
  poolStats(): PoolStats[];
  breakers(): BreakerSnapshot[];
}

export interface EngineDeps extends FailoverDeps {
  config: Config;
}

const NO_ROUTING: RoutingOptions = { fallbacks: [] };

/** Counts a request that left a pool for its upstream. */
function sent(ctx: RequestContext): void {
  ctx.sent = (ctx.sent ?? 0) + 1;
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

/** Checks that a target can take the request, and returns the body translated for it. */
function checkChat(req: ChatRequest, bound: BoundProvider, model: string): unknown {
  checkTranslatable(req, bound);
  const name = bound.config.name;
  if (req.stream === true && !bound.adapter.capabilities.stream) {
    throw new GatewayError("UNSUPPORTED", `provider "${name}" does not stream`, {
      param: "stream",
    });
  }
  if (req.tools?.length && !bound.adapter.capabilities.tools) {
    throw new GatewayError("UNSUPPORTED", `provider "${name}" does not support tools`, {
      param: "tools",
    });
  }
  // Translated now, so that a fallback that would refuse the request is skipped rather than
  // tried; the attempts send this body instead of translating again.
  return bound.adapter.chat.toRequest(req, model);
}

function wrongKind(op: string): GatewayError {
  return new GatewayError(
    "INTERNAL",
    `the pool answered a ${op} job with the wrong kind of result`,
  );
}

export function createEngine(deps: EngineDeps): Engine {
  const { config, router, health, pools } = deps;

  function chat(req: ChatRequest, ctx: RequestContext, routing = NO_ROUTING): Promise<ChatOutcome> {
    const stream = req.stream === true;
    return withFailover(
      deps,
      req.model,
      ctx,
      routing,
      (bound, target) => checkChat(req, bound, target.model),
      async (a) => {
        const job = {
          op: "chat" as const,
          keyIndex: a.keyIndex,
          model: a.target.model,
          wire: a.prepared,
          stream,
        };
        const result = await a.pool.submit(job, a.signal, a.timeoutMs, () => sent(ctx));
        if (result.kind === "stream")
          return { kind: "stream", chunks: await afterFirstChunk(result.chunks, a.firstByte) };
        if (result.kind === "chat") {
          ctx.answered = addUsage(ctx.answered, result.response.usage);
          return { kind: "response", response: result.response };
        }
        throw wrongKind("chat");
      },
    );
  }

  function embeddings(req: EmbeddingsRequest, ctx: RequestContext, routing = NO_ROUTING) {
    const check = (bound: BoundProvider) => {
      if (!bound.adapter.embeddings) {
        throw new GatewayError(
          "UNSUPPORTED",
          `provider "${bound.config.name}" does not offer embeddings`,
          {
            param: "model",
          },
        );
      }
    };
    return withFailover(deps, req.model, ctx, routing, check, async (a) => {
      const job = {
        op: "embeddings" as const,
        keyIndex: a.keyIndex,
        model: a.target.model,
        body: req,
        stream: false as const,
      };
      const result = await a.pool.submit(job, a.signal, a.timeoutMs, () => sent(ctx));
      if (result.kind === "embeddings") return result.response;
      throw wrongKind("embeddings");
    });
  }

  /** Where a request for `model` goes first; MODEL_NOT_FOUND for an unknown one. */
  function firstTarget(model: string): RouteInfo {
    const [first] = router.route(model, [], health);
    return { requested: model, provider: first!.provider, model: first!.model };
  }

  const modelList = listModels(config);
  return {
    chat,
    embeddings,
    estimateTokens(req, ctx) {
      ctx.route = firstTarget(req.model);
      return promptTokens(req);
    },
    resolve(model) {
      try {
        return firstTarget(model);
      } catch {
        return undefined;
      }
    },
    models: () => modelList,
    poolStats: () => [...pools.values()].map((pool) => pool.stats()),
    breakers: () => health.snapshot(Date.now()),
  };
}

/** The configured providers' models (their `models`, and exact names in key `models`) and aliases. */
export function listModels(config: Config): ModelInfo[] {
  const created = Math.floor(Date.now() / 1000);
  const ids = new Map<string, string>();
  for (const id of providerModels(config)) ids.set(id, id.slice(0, id.indexOf("/")));
  for (const alias of Object.keys(config.models)) ids.set(alias, "switchyard");
  return [...ids].map(([id, owner]) => ({ id, object: "model", created, owned_by: owner }));
}
