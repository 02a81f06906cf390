/**
 * Testing a plugin without a server: `pluginHarness(plugin, { config })` runs the real pipeline
 * (the same hook order, time budgets, short-circuits and stream handling as the gateway) around a
 * scripted provider, and reports what a caller would get and what the provider was sent.
 *
 *   const h = await pluginHarness(myPlugin, { config: { greeting: "hi" } });
 *   const r = await h.chat({ model: "mock/echo", messages: [{ role: "user", content: "ping" }] });
 *   expect(r.headers["x-greeting"]).toBe("hi");
 *   expect(r.upstreamRequest).toBeUndefined(); // short-circuited
 *   await h.close();
 */
import type { ChatChunk, ChatRequest, ChatResponse, WireDialect } from "../core/chat.ts";
import { chunkStream, responseChunks } from "../core/assemble.ts";
import { GatewayError } from "../core/errors.ts";
import type { StorageConfig } from "../config/config.ts";
import { DEFAULT_STORAGE_TIMEOUT_MS } from "../config/schema.ts";
import { hasBearer } from "./http.ts";
import { createContext } from "../observability/context.ts";
import { createLogger, type Logger } from "../observability/logger.ts";
import { createMetrics } from "../observability/metrics.ts";
import { NO_OPERATOR, startPlugin, type PluginRoute } from "./load.ts";
import type { LoadedPlugin } from "./context.ts";
import { createPipeline } from "./pipeline.ts";
import { textReply } from "./reply.ts";
import {
  instantiate,
  type OperatorAccess,
  type PluginDefinition,
  type PluginErrorSpec,
} from "./types.ts";

export interface HarnessOptions {
  config?: unknown;
  optional?: boolean;
  timeoutMs?: number;
  storage?: Partial<StorageConfig>;
  logger?: Logger;
  /** The operator's credential the plugins see (none by default). */
  admin?: OperatorAccess;
}

/** What the scripted provider answers: a response, the chunks of a stream, or an error. */
export type ScriptedAnswer = ChatResponse | ChatChunk[] | { error: PluginErrorSpec };

export interface ChatOptions {
  answer?: ScriptedAnswer;
  headers?: Record<string, string>;
  /** The key the caller presents. */
  credential?: string;
  dialect?: WireDialect;
}

export interface HarnessResult {
  /** 200, or the error's status. */
  status: number;
  response?: ChatResponse;
  /** For streamed requests: the chunks the caller received. */
  chunks?: ChatChunk[];
  error?: GatewayError;
  /** Headers plugins set on the answer. */
  headers: Record<string, string>;
  /** What the provider was sent; undefined when a plugin answered instead. */
  upstreamRequest?: ChatRequest;
}

export interface Harness {
  chat(req: ChatRequest, options?: ChatOptions): Promise<HarnessResult>;
  /** Calls a route the plugins serve. */
  fetch(method: string, path: string, init?: RequestInit): Promise<Response>;
  /** The Prometheus text of the harness's registry. */
  metrics(): Promise<string>;
  close(): Promise<void>;
}

/** An operator credential for a harness (`{ admin: operatorKey("...") }`), as governance gives one. */
export function operatorKey(key: string, governance = true): OperatorAccess {
  return {
    governance,
    configured: true,
    allows: (request) => hasBearer(request, key),
  };
}

/** A reply with fixed text, the default answer. */
export function textResponse(text: string, model = "echo"): ChatResponse {
  const usage = { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 };
  return { ...textReply(text, { model, id: "chatcmpl-harness", usage }), created: 0 };
}

async function readAll<T>(stream: ReadableStream<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of stream) out.push(item);
  return out;
}

export async function pluginHarness(
  plugins: PluginDefinition | readonly PluginDefinition[],
  options: HarnessOptions = {},
): Promise<Harness> {
  const list = (Array.isArray(plugins) ? plugins : [plugins]).map((d: PluginDefinition) =>
    instantiate(d),
  );
  const logger = options.logger ?? createLogger({ level: "error" });
  const metrics = createMetrics({ defaultMetrics: false });
  const storage: StorageConfig = {
    sqlite_path: ":memory:",
    timeout_ms: DEFAULT_STORAGE_TIMEOUT_MS,
    ...options.storage,
  };
  const loaded: LoadedPlugin[] = [];
  const routes: PluginRoute[] = [];
  for (const [i, plugin] of list.entries()) {
    const settings = {
      config: i === 0 ? (options.config ?? {}) : {},
      optional: options.optional ?? false,
      timeoutMs: options.timeoutMs ?? 2000,
    };
    const admin = options.admin ?? NO_OPERATOR;
    const started = await startPlugin(
      plugin,
      settings,
      { logger, metrics, storage, admin },
      plugin.name,
    );
    loaded.push(started.loaded);
    routes.push(...started.routes);
  }

  let answer: ScriptedAnswer = textResponse("ok");
  let sent: ChatRequest | undefined;
  const pipeline = createPipeline(
    loaded,
    async (req, rctx) => {
      sent = structuredClone(req);
      // As the engine counts a call that reached an upstream.
      rctx.attempts = (rctx.attempts ?? 0) + 1;
      rctx.sent = (rctx.sent ?? 0) + 1;
      if ("error" in answer) {
        const { status, message } = answer.error;
        throw new GatewayError("UPSTREAM_ERROR", message, { status, source: "upstream" });
      }
      const chunks = Array.isArray(answer) ? answer : undefined;
      if (req.stream === true) {
        return {
          kind: "stream",
          chunks: chunkStream(chunks ?? responseChunks(answer as ChatResponse)),
        };
      }
      if (chunks)
        throw new Error("the harness was given chunks for a request that does not stream");
      return { kind: "response", response: structuredClone(answer as ChatResponse) };
    },
    {
      metrics,
      resolve: (model) => {
        const slash = model.indexOf("/");
        return slash > 0
          ? { requested: model, provider: model.slice(0, slash), model: model.slice(slash + 1) }
          : undefined;
      },
    },
  );

  return {
    async chat(req, chatOptions = {}) {
      answer = chatOptions.answer ?? textResponse("ok");
      sent = undefined;
      const ctx = createContext(
        chatOptions.dialect ?? "openai",
        new AbortController().signal,
        null,
      );
      ctx.headers = new Headers(chatOptions.headers);
      if (chatOptions.credential) ctx.credential = chatOptions.credential;
      const result: HarnessResult = { status: 200, headers: {} };
      try {
        const outcome = await pipeline.chat(structuredClone(req), ctx);
        if (outcome.kind === "response") result.response = outcome.response;
        else result.chunks = await readAll(outcome.chunks);
      } catch (err) {
        result.error = GatewayError.from(err);
        result.status = result.error.status;
      }
      await pipeline.idle();
      result.headers = { ...ctx.responseHeaders };
      if (sent) result.upstreamRequest = sent;
      return result;
    },
    async fetch(method, path, init) {
      const route = routes.find(
        (r) => r.method === method && r.path === new URL(path, "http://h").pathname,
      );
      if (!route) return new Response("not found", { status: 404 });
      return route.handler(
        new Request(new URL(path, "http://harness.local").href, { ...init, method }),
      );
    },
    metrics: () => metrics.render(),
    async close() {
      await pipeline.idle();
      for (const l of [...loaded].reverse()) await l.plugin.shutdown?.();
    },
  };
}
