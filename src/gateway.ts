/**
 * The composition root: builds every layer from a Config and wires them together, bottom up
 * (providers -> pools -> router -> engine -> transport). The only module that knows them all.
 */
import type { Config } from "./config/config.ts";
import { createEngine, type Engine } from "./engine/engine.ts";
import { createLogger, type Logger } from "./observability/logger.ts";
import { createMetrics, type Metrics } from "./observability/metrics.ts";
import { ProviderPool } from "./pool/pool.ts";
import { createUpstreamClient } from "./pool/upstream.ts";
import { createWorkerExecutor, type WorkerExecutor } from "./pool/worker-executor.ts";
import { bindProviders } from "./providers/registry.ts";
import { createHealth } from "./router/health.ts";
import { createRouter } from "./router/router.ts";
import { createMcpChat } from "./mcp/chat.ts";
import { createMcpManager } from "./mcp/manager.ts";
import type { McpManager } from "./mcp/types.ts";
import { loadPlugins, NO_PLUGINS, type PluginSet } from "./plugins/load.ts";
import { createPipeline } from "./plugins/pipeline.ts";
import { createApp, type App } from "./transport/app.ts";
import { Lifecycle } from "./transport/lifecycle.ts";
import { BodyBudget, type BodyLimits } from "./transport/body.ts";

export interface GatewayOptions {
  logger?: Logger;
  metrics?: Metrics;
  /** Loaded plugins (`openGateway` loads those of the config). */
  plugins?: PluginSet;
  /** The MCP manager (`openGateway` connects the config's servers). */
  mcp?: McpManager;
}

export interface Gateway {
  readonly config: Config;
  /** Each provider's worker-thread executor, when its pool runs on workers. */
  readonly workers: ReadonlyMap<string, WorkerExecutor>;
  readonly engine: Engine;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly app: App;
  /** Starts listening on the configured host and port; resolves with the bound address. */
  listen(): Promise<{ host: string; port: number; url: string }>;
  /** Stops admitting requests, waits for those in flight (up to `drain_timeout_ms`), then closes. */
  shutdown(): Promise<{ drained: boolean }>;
  /** Closes at once: connections, workers, then plugins (their `shutdown` runs). */
  close(): Promise<void>;
}

/** A margin over `max_body_bytes` so the gateway, not Bun, answers an oversized body (in JSON). */
const BODY_LIMIT_MARGIN = 1024 * 1024;
/** Seconds a client's keep-alive connection may sit idle between requests before it is closed. */
export const CLIENT_IDLE_TIMEOUT_S = 30;

/** The gateway could not start listening (the port is taken, the address is not this host's). */
export class ListenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ListenError";
  }
}

/** Bun.serve's failure to bind, said in terms of what the operator can change. */
function listenError(err: unknown, host: string, port: number): ListenError {
  const code = (err as { code?: string }).code;
  const where = `${host}:${port}`;
  if (code === "EADDRINUSE") {
    return new ListenError(
      `port ${port} on ${host} is already in use (another gateway?); choose another with --port N, PORT=N or server.port`,
    );
  }
  if (["EADDRNOTAVAIL", "EINVAL", "ENOENT", "EAI_NONAME"].includes(code ?? "")) {
    return new ListenError(
      `cannot listen on ${where}: "${host}" is not an address of this machine; set --host, HOST or server.host`,
    );
  }
  if (code === "EACCES") {
    return new ListenError(`not allowed to listen on ${where}; choose a port above 1023`);
  }
  return new ListenError(`cannot listen on ${where}: ${(err as Error).message ?? String(err)}`);
}

/** Loads the config's plugins (running their setup), then builds the gateway. */
export async function openGateway(config: Config, options: GatewayOptions = {}): Promise<Gateway> {
  const logger = options.logger ?? createLogger({ level: config.logging.level });
  const metrics = options.metrics ?? createMetrics();
  const plugins = options.plugins ?? (await loadPlugins(config, { logger, metrics }));
  const mcp =
    options.mcp ??
    (config.mcp.servers.length > 0
      ? await createMcpManager(config.mcp, { logger, metrics: metrics.handle })
      : undefined);
  return createGateway(config, { logger, metrics, plugins, ...(mcp ? { mcp } : {}) });
}

/** Builds the gateway; plugins must be loaded already (see `openGateway`). */
export function createGateway(config: Config, options: GatewayOptions = {}): Gateway {
  const logger = options.logger ?? createLogger({ level: config.logging.level });
  const metrics = options.metrics ?? createMetrics();
  const plugins = options.plugins ?? NO_PLUGINS;
  if (config.plugins.length > 0 && options.plugins === undefined) {
    throw new Error("this config has plugins: build the gateway with openGateway()");
  }
  const providers = bindProviders(config.providers);
  const pools = new Map<string, ProviderPool>();
  const workerExecutors = new Map<string, WorkerExecutor>();
  for (const [name, bound] of providers) {
    const { concurrency, queue_size, workers, on_full } = bound.config.pool;
    const limits = { concurrency, queueSize: queue_size, onFull: on_full };
    if (workers > 0) {
      const executor = createWorkerExecutor(bound.config, workers);
      workerExecutors.set(name, executor);
      pools.set(name, new ProviderPool(name, limits, executor, () => executor.size()));
    } else {
      pools.set(name, new ProviderPool(name, limits, createUpstreamClient(bound)));
    }
  }
  const health = createHealth(config, (provider) => pools.get(provider)?.stats().inFlight ?? 0);
  const router = createRouter(config);
  const engine = createEngine({ config, router, health, providers, pools, metrics });
  metrics.trackPools(() => engine.poolStats());
  metrics.trackBreakers(() => engine.breakers());
  const lifecycle = new Lifecycle();
  const mcp = options.mcp;
  if (config.mcp.servers.length > 0 && mcp === undefined) {
    throw new Error("this config has MCP servers: build the gateway with openGateway()");
  }
  const chat = mcp ? createMcpChat(mcp, config.mcp, engine.chat) : engine.chat;
  const pipeline = createPipeline(plugins.plugins, chat, {
    metrics,
    resolve: engine.resolve,
  });
  const limits = config.server;
  const body: BodyLimits = {
    maxBytes: limits.max_body_bytes,
    json: { maxDepth: limits.max_json_depth, maxValues: limits.max_json_values },
    budget: new BodyBudget(limits.max_body_bytes_in_flight),
    refused: (reason) => metrics.refused(reason),
  };
  metrics.trackBodyBytes(() => body.budget.inUse);
  const app = createApp({
    engine,
    chat: pipeline.chat,
    authorize: pipeline.authorize,
    ...(pipeline.authenticate ? { authenticate: pipeline.authenticate } : {}),
    pluginRoutes: plugins.routes,
    ...(mcp ? { mcp } : {}),
    metrics,
    logger,
    lifecycle,
    body,
  });

  /** Once no request is left: workers, stream post-hooks, plugins, MCP connections. */
  async function closeBelow(): Promise<void> {
    for (const executor of workerExecutors.values()) executor.close();
    await pipeline.idle();
    await plugins.shutdown();
    await mcp?.close();
  }

  return {
    config,
    workers: workerExecutors,
    engine,
    metrics,
    logger,
    app,
    async listen() {
      const tls = config.server.tls;
      try {
        app.listen({
          port: config.server.port,
          hostname: config.server.host,
          maxRequestBodySize: config.server.max_body_bytes + BODY_LIMIT_MARGIN,
          // Chosen here, not left to Elysia's defaults: a port already in use is an error (Elysia
          // turns on reusePort, which lets a second gateway silently share the port), idle
          // keep-alive connections close after CLIENT_IDLE_TIMEOUT_S, and no development pages.
          reusePort: false,
          idleTimeout: CLIENT_IDLE_TIMEOUT_S,
          development: false,
          // Bun serves HTTP/2 beside HTTP/1.1 on the same port (ALPN with TLS, prior knowledge without).
          ...({ http2: config.server.http2 } as object),
          ...(tls ? { tls: { cert: Bun.file(tls.cert_file), key: Bun.file(tls.key_file) } } : {}),
        });
      } catch (err) {
        throw listenError(err, config.server.host, config.server.port);
      }
      const server = app.server!;
      lifecycle.ready = true;
      const host = config.server.host;
      const port = server.port!;
      const urlHost = host.includes(":") ? `[${host}]` : host;
      return { host, port, url: `${tls ? "https" : "http"}://${urlHost}:${port}` };
    },
    async close() {
      lifecycle.draining = true;
      await app.server?.stop(true);
      await closeBelow();
    },
    async shutdown() {
      lifecycle.draining = true;
      const server = app.server;
      if (!server) {
        await closeBelow();
        return { drained: true };
      }
      // Stop listening; requests in flight (streams included) run to their end.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const closed = server.stop(false).then(() => true);
      const timeout = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), config.server.drain_timeout_ms);
      });
      const drained = await Promise.race([closed, timeout]);
      clearTimeout(timer);
      if (!drained) await server.stop(true);
      await closeBelow();
      return { drained };
    },
  };
}
