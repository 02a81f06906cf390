/**
 * The per-request state the pipeline keeps, and the `PluginContext` each plugin's hooks see: one
 * small view per plugin over the shared state, adding that plugin's config, logger and metrics.
 */
import type { ChatRequest } from "../core/chat.ts";
import { headerValue, isHeaderName } from "../core/headers.ts";
import type { Logger } from "../observability/logger.ts";
import type { MetricsHandle } from "../observability/metrics-handle.ts";
import type { RequestContext, RouteInfo } from "../observability/context.ts";
import type { Caller, HookName, HookTiming, Plugin, PluginContext } from "./types.ts";

/** A plugin as loaded: the module's plugin object with its settings and handles. */
export interface LoadedPlugin {
  readonly plugin: Plugin;
  readonly name: string;
  readonly config: unknown;
  readonly optional: boolean;
  readonly timeoutMs: number;
  readonly logger: Logger;
  readonly metrics: MetricsHandle;
}

const NO_HEADERS = new Headers();

export class RequestState {
  readonly caller: Caller;
  readonly timings: HookTiming[] = [];
  costUsd: number | undefined;
  private scratchMap: Map<string, unknown> | undefined;
  private resolved: { model: string; route: RouteInfo | undefined } | undefined;

  /** `checked`: the state the request's authorize hooks ran in (its caller and scratch go on). */
  constructor(
    readonly rctx: RequestContext,
    public req: ChatRequest,
    private readonly resolve: (model: string) => RouteInfo | undefined,
    checked?: RequestState,
  ) {
    this.caller = checked?.caller ?? { credential: rctx.credential };
    this.scratchMap = checked?.scratchMap;
  }

  get scratch(): Map<string, unknown> {
    return (this.scratchMap ??= new Map());
  }

  route(): RouteInfo | undefined {
    if (this.rctx.route) return this.rctx.route;
    const model = this.req.model;
    if (this.resolved?.model !== model) this.resolved = { model, route: this.resolve(model) };
    return this.resolved.route;
  }

  time(plugin: string, hook: HookName, ms: number): void {
    if (hook === "onStreamChunk") {
      // One entry per plugin for a whole stream, not one per chunk.
      const found = this.timings.find((t) => t.plugin === plugin && t.hook === hook);
      if (found) {
        found.ms += ms;
        return;
      }
    }
    this.timings.push({ plugin, hook, ms });
  }
}

class HookContext implements PluginContext {
  private boundLogger: Logger | undefined;

  constructor(
    private readonly state: RequestState,
    private readonly loaded: LoadedPlugin,
  ) {}

  get requestId() {
    return this.state.rctx.id;
  }
  get dialect() {
    return this.state.rctx.dialect;
  }
  get stream() {
    return this.state.req.stream === true;
  }
  get route() {
    return this.state.route();
  }
  get caller() {
    return this.state.caller;
  }
  get headers() {
    return this.state.rctx.headers ?? NO_HEADERS;
  }
  setHeader(name: string, value: string): void {
    // Building the answer's headers must never fail (it may come after a paid upstream call): a
    // name HTTP cannot carry is left out, and a value is made sendable.
    if (typeof name !== "string" || !isHeaderName(name)) {
      this.logger.warn("setHeader: not a valid header name; left out", { name: String(name) });
      return;
    }
    (this.state.rctx.responseHeaders ??= {})[name.toLowerCase()] = headerValue(String(value));
  }
  get responseHeaders() {
    return this.state.rctx.responseHeaders ?? {};
  }
  get scratch() {
    return this.state.scratch;
  }
  get startedAt() {
    return this.state.rctx.startedAt;
  }
  get attempts() {
    return this.state.rctx.attempts ?? 0;
  }
  get sent() {
    return this.state.rctx.sent ?? 0;
  }
  get answeredUsage() {
    return this.state.rctx.answered;
  }
  get fallbackUsed() {
    return this.state.rctx.fallbackUsed ?? false;
  }
  get costUsd() {
    return this.state.costUsd;
  }
  set costUsd(value: number | undefined) {
    this.state.costUsd = value;
  }
  get timings() {
    return this.state.timings;
  }
  get config() {
    return this.loaded.config;
  }
  get logger() {
    return (this.boundLogger ??= this.loaded.logger.child({ request_id: this.state.rctx.id }));
  }
  get metrics() {
    return this.loaded.metrics;
  }
}

/** Each plugin's view of one request, made when its first hook runs. */
export class ContextViews {
  private readonly views: (HookContext | undefined)[] = [];

  constructor(readonly state: RequestState) {}

  of(index: number, loaded: LoadedPlugin): PluginContext {
    return (this.views[index] ??= new HookContext(this.state, loaded));
  }
}
