/**
 * The plugin pipeline: wraps the engine's chat call in the plugins' hooks (the contract is in
 * `types.ts`). With no plugins it is the engine's own function, so unused hooks cost nothing.
 *
 *   preHook 1..n  ──▶ engine.chat (skipped on a short-circuit) ──▶ postHook k..1
 *                                  └─ stream: onStreamChunk 1..n per chunk, postHook k..1 at the end
 *
 * `native` (the caller's or the provider's original body, kept for same-dialect passthrough) must
 * never contradict what plugins changed: a request or response whose canonical form a hook
 * changed loses its `native` (unless the hook changed that too), and chunks lose theirs whenever
 * any plugin rewrites chunks, so every stream is encoded from the canonical form plugins saw.
 */
import type { ChatChunk, ChatRequest, ChatResponse } from "../core/chat.ts";
import { Assembler, chunkStream, responseChunks } from "../core/assemble.ts";
import { GatewayError } from "../core/errors.ts";
import type { ChatHandler } from "../engine/engine.ts";
import type { Metrics } from "../observability/metrics.ts";
import type { RequestContext, RouteInfo } from "../observability/context.ts";
import { ContextViews, RequestState, type LoadedPlugin } from "./context.ts";
import { invoke, isPromise, rejection, SKIPPED, type Invoked } from "./invoke.ts";
import { nativeGuard } from "./native.ts";
import type {
  AuthorizeResult,
  ChunkResult,
  PostHookResult,
  PreHookResult,
  StreamEndResult,
} from "./types.ts";

export type { ChatHandler };

export interface PipelineDeps {
  metrics: Metrics;
  /** Where a model would be routed (for `ctx.route` before the provider is called). */
  resolve(model: string): RouteInfo | undefined;
}

/**
 * What the post-hooks are given: an answer, or an error. An error may carry, beside it, what the
 * upstream had answered (`response`): what a stream cut after its first chunk had sent (without
 * usage unless the upstream had sent it), or an answer a later post-hook turned into an error, so
 * a plugin can tell what was generated (and paid for) although the caller gets the error.
 */
type Outcome =
  | { response: ChatResponse; error?: undefined }
  | { error: GatewayError; response?: ChatResponse | undefined };

export interface Pipeline {
  readonly chat: ChatHandler;
  /**
   * Runs the plugins' `authorize` hooks for a request to one of the gateway's own endpoints;
   * throws the first refusal, else leaves the caller's permissions on `ctx`.
   */
  authorize(ctx: RequestContext): Promise<void>;
  /**
   * The caller of a chat, embeddings or token-count request, checked by the `authorize` hooks
   * before its body is read; throws the refusal after the post-hooks of the plugins listed before
   * the refusing one have seen it. Undefined when no plugin has an `authorize` hook.
   */
  readonly authenticate?: (ctx: RequestContext) => Promise<void>;
  /** Resolves when the post-hooks of every ended stream have run (before plugins shut down). */
  idle(): Promise<void>;
}

export function createPipeline(
  plugins: readonly LoadedPlugin[],
  next: ChatHandler,
  deps: PipelineDeps,
): Pipeline {
  if (plugins.length === 0) return { chat: next, authorize: async () => {}, idle: async () => {} };
  const { metrics } = deps;
  const pending = new Set<Promise<unknown>>();
  const rewritesChunks = plugins.some((p) => p.plugin.onStreamChunk);
  const hasPost = plugins.some((p) => p.plugin.postHook);
  const endsStreams = plugins.some((p) => p.plugin.onStreamEnd);
  const hasPre = plugins.some((p) => p.plugin.preHook);

  /** Runs the pre-hooks; returns how many plugins were reached, and any short-circuit. */
  async function pre(views: ContextViews, req: ChatRequest) {
    for (let i = 0; i < plugins.length; i++) {
      const loaded = plugins[i]!;
      const hook = loaded.plugin.preHook;
      if (!hook) continue;
      const called = invoke<PreHookResult>(metrics, loaded, "preHook", views.state, () =>
        hook.call(loaded.plugin, views.of(i, loaded), req),
      );
      const r = isPromise<Invoked<PreHookResult>>(called) ? await called : called;
      if (!r.ok) return { reached: i + 1, outcome: { error: r.error } as Outcome };
      const value = r.value === SKIPPED ? undefined : r.value;
      if (value && "response" in value)
        return { reached: i + 1, outcome: { response: value.response } };
      if (value && "error" in value)
        return { reached: i + 1, outcome: { error: rejection(loaded, value.error) } as Outcome };
    }
    return { reached: plugins.length, outcome: undefined };
  }

  /** Runs the post-hooks of the plugins reached, last first; each may replace the outcome. */
  async function post(views: ContextViews, reached: number, outcome: Outcome): Promise<Outcome> {
    let current = outcome;
    for (let i = reached - 1; i >= 0; i--) {
      const loaded = plugins[i]!;
      const hook = loaded.plugin.postHook;
      if (!hook) continue;
      const called = invoke<PostHookResult>(metrics, loaded, "postHook", views.state, () =>
        hook.call(loaded.plugin, views.of(i, loaded), current.response, current.error),
      );
      const r = isPromise<Invoked<PostHookResult>>(called) ? await called : called;
      // An answer a post-hook turns into an error was still paid for: the plugins before it see
      // both, the error and the answer the caller will not get.
      if (!r.ok) current = { error: r.error, response: current.response };
      else if (r.value && r.value !== SKIPPED) {
        if ("response" in r.value) current = { response: r.value.response };
        else if ("error" in r.value)
          current = { error: rejection(loaded, r.value.error), response: current.response };
      }
    }
    return current;
  }

  /** The chunks as the plugins rewrite them, with the post-hooks run when the stream ends. */
  function wrap(source: ReadableStream<ChatChunk>, views: ContextViews, reached: number) {
    const reader = source.getReader();
    const assembler = hasPost ? new Assembler() : undefined;
    let finished = false;
    const finish = (outcome: Outcome) => {
      if (finished) return;
      finished = true;
      const done = post(views, reached, outcome);
      pending.add(done);
      void done.finally(() => pending.delete(done));
    };
    return new ReadableStream<ChatChunk>(
      {
        async pull(controller) {
          try {
            for (;;) {
              const { value, done } = await reader.read();
              if (done) {
                if (endsStreams) {
                  for (const last of await streamEnd(views)) {
                    assembler?.push(last);
                    controller.enqueue(last);
                  }
                }
                controller.close();
                finish({ response: assembler ? assembler.response() : emptyResponse() });
                return;
              }
              const rewritten = rewritesChunks ? rewrite(views, value) : value;
              const chunk = isPromise<ChatChunk | null>(rewritten) ? await rewritten : rewritten;
              if (chunk === null) continue;
              assembler?.push(chunk);
              controller.enqueue(chunk);
              return;
            }
          } catch (err) {
            const error = GatewayError.from(err);
            void reader.cancel(error).catch(() => {});
            finish({ error, response: assembler?.response() });
            controller.error(error);
          }
        },
        cancel(reason) {
          const error = new GatewayError("CLIENT_CLOSED", "The client closed the stream.");
          finish({ error, response: assembler?.response() });
          return reader.cancel(reason);
        },
      },
      { highWaterMark: 0 },
    );
  }

  /** One chunk through every plugin's onStreamChunk; null when a plugin drops it. */
  function rewrite(
    views: ContextViews,
    original: ChatChunk,
  ): ChatChunk | null | Promise<ChatChunk | null> {
    let chunk: ChatChunk = original;
    if (chunk.native) {
      const { native: _, ...canonical } = chunk;
      chunk = canonical;
    }
    return rewriteFrom(views, chunk, 0);
  }

  /** The chunk through plugins `from`.., synchronously until a hook answers with a promise. */
  function rewriteFrom(
    views: ContextViews,
    start: ChatChunk,
    from: number,
  ): ChatChunk | null | Promise<ChatChunk | null> {
    let chunk = start;
    for (let i = from; i < plugins.length; i++) {
      const loaded = plugins[i]!;
      const hook = loaded.plugin.onStreamChunk;
      if (!hook) continue;
      const current = chunk;
      const called = invoke(metrics, loaded, "onStreamChunk", views.state, () =>
        hook.call(loaded.plugin, views.of(i, loaded), current),
      );
      if (isPromise<Invoked<ChunkResult>>(called)) {
        return called.then((r) => {
          const next = applied(r, current);
          return next === null ? null : rewriteFrom(views, next, i + 1);
        });
      }
      const next = applied(called, current);
      if (next === null) return null;
      chunk = next;
    }
    return chunk;
  }

  /** The last chunks plugins send when the source has ended, through the later chunk hooks. */
  async function streamEnd(views: ContextViews): Promise<ChatChunk[]> {
    const out: ChatChunk[] = [];
    for (let i = 0; i < plugins.length; i++) {
      const loaded = plugins[i]!;
      const hook = loaded.plugin.onStreamEnd;
      if (!hook) continue;
      const r = await invoke<StreamEndResult>(metrics, loaded, "onStreamEnd", views.state, () =>
        hook.call(loaded.plugin, views.of(i, loaded)),
      );
      if (!r.ok) throw r.error;
      if (!r.value || r.value === SKIPPED) continue;
      for (const chunk of r.value) {
        const next = await rewriteFrom(views, chunk, i + 1);
        if (next) out.push(next);
      }
    }
    return out;
  }

  /** The state a request's authorize hooks ran in (before its body was read), for its hooks. */
  const checked = new WeakMap<RequestContext, RequestState>();

  const chat: ChatHandler = async (req, rctx, routing) => {
    const state = new RequestState(rctx, req, deps.resolve, checked.get(rctx));
    const views = new ContextViews(state);
    // Only hooks that see the request or the response can make their native body stale.
    const guard = hasPre ? nativeGuard(req) : undefined;
    const { reached, outcome: early } = await pre(views, req);
    grant(state, rctx);
    if (guard) {
      req = guard.settle(req);
      state.req = req;
    }
    const stream = req.stream === true;

    let outcome: Outcome | undefined = early;
    let chunks: ReadableStream<ChatChunk> | undefined;
    if (!outcome) {
      try {
        const result = await next(req, rctx, routing);
        if (result.kind === "stream") chunks = result.chunks;
        else outcome = { response: result.response };
      } catch (err) {
        outcome = { error: GatewayError.from(err) };
      }
    }
    if (stream) {
      if (chunks) return { kind: "stream", chunks: wrap(chunks, views, reached) };
      if (outcome!.response) {
        return {
          kind: "stream",
          chunks: wrap(chunkStream(responseChunks(outcome!.response)), views, reached),
        };
      }
      // Failed before the first chunk: an ordinary error, which post-hooks may still replace.
      const after = await post(views, reached, outcome!);
      if (after.error) throw after.error;
      return { kind: "stream", chunks: chunkStream(responseChunks(after.response)) };
    }
    const responseGuard = hasPost && outcome!.response && nativeGuard(outcome!.response);
    const after = await post(views, reached, outcome!);
    if (after.error) throw after.error;
    const response = responseGuard ? responseGuard.settle(after.response) : after.response;
    return { kind: "response", response };
  };
  /** Runs the authorize hooks; the refusal and the index of the plugin that made it, if any. */
  async function runAuthorize(
    state: RequestState,
    views: ContextViews,
  ): Promise<{ error: GatewayError; at: number } | undefined> {
    for (let i = 0; i < plugins.length; i++) {
      const loaded = plugins[i]!;
      const hook = loaded.plugin.authorize;
      if (!hook) continue;
      const r = await invoke<AuthorizeResult>(metrics, loaded, "authorize", state, () =>
        hook.call(loaded.plugin, views.of(i, loaded)),
      );
      if (!r.ok) return { error: r.error, at: i };
      if (r.value && r.value !== SKIPPED && "error" in r.value)
        return { error: rejection(loaded, r.value.error), at: i };
    }
    return undefined;
  }

  async function authorize(rctx: RequestContext): Promise<void> {
    const state = new RequestState(rctx, { model: "", messages: [] }, deps.resolve);
    const refused = await runAuthorize(state, new ContextViews(state));
    if (refused) throw refused.error;
    grant(state, rctx);
  }

  /**
   * The caller of a request checked before its body is read. A refusal is still seen by the
   * plugins listed before the one that refused (the observers: telemetry, logging), whose
   * post-hooks run with it, so refused requests are timed and logged as before.
   */
  async function authenticate(rctx: RequestContext): Promise<void> {
    const state = new RequestState(rctx, { model: "", messages: [] }, deps.resolve);
    const views = new ContextViews(state);
    const refused = await runAuthorize(state, views);
    if (!refused) {
      checked.set(rctx, state);
      return grant(state, rctx);
    }
    await post(views, refused.at, { error: refused.error });
    throw refused.error;
  }

  return {
    chat,
    authorize,
    ...(plugins.some((p) => p.plugin.authorize) ? { authenticate } : {}),
    async idle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}

/** A chunk hook's verdict applied: the chunk to go on with, or null when it was dropped. */
function applied(r: Invoked<ChunkResult>, chunk: ChatChunk): ChatChunk | null {
  if (!r.ok) throw r.error;
  if (r.value === null) return null;
  return r.value !== undefined && r.value !== SKIPPED ? r.value : chunk;
}

/** What plugins decided the caller may use, passed down to the layers below. */
function grant(state: RequestState, rctx: RequestContext): void {
  const { mcpTools, models } = state.caller;
  if (!mcpTools && !models) return;
  rctx.permissions = {
    ...rctx.permissions,
    ...(mcpTools ? { mcpTools } : {}),
    ...(models ? { models } : {}),
  };
}

function emptyResponse(): ChatResponse {
  return { id: "", object: "chat.completion", created: 0, model: "", choices: [] };
}
