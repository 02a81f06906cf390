/**
 * MCP tools in chat: wraps the engine's chat so that every request is offered the MCP tools it
 * may see (`offer.ts`) and, when any of them is auto-executed, runs the agent loop (`agent.ts`).
 * Without MCP tools to offer, the request goes straight through. Streaming callers in agent mode
 * get the final turn as a stream once it is complete (the turns before it are tool calls the
 * gateway runs itself, which the caller never sees).
 */
import { chunkStream, responseChunks } from "../core/assemble.ts";
import type { ChatChunk } from "../core/chat.ts";
import type { McpConfig } from "../config/config.ts";
import type { ChatHandler, RoutingOptions } from "../engine/engine.ts";
import type { RequestContext } from "../observability/context.ts";
import { globMatcher } from "../router/glob.ts";
import type { ChatRequest } from "../core/chat.ts";
import { runAgent } from "./agent.ts";
import { offered, withTools } from "./offer.ts";
import { chunkNamesBack, responseNamesBack } from "./results.ts";
import { qualify, type McpManager } from "./types.ts";
import { GatewayError } from "../core/errors.ts";

export function createMcpChat(
  manager: McpManager,
  config: McpConfig,
  next: ChatHandler,
): ChatHandler {
  const auto =
    config.agent.auto_execute.length > 0 ? globMatcher(config.agent.auto_execute) : () => false;
  const agent = {
    maxIterations: config.agent.max_iterations,
    timeoutMs: config.agent.timeout_ms,
    auto,
  };

  const configured = globMatcher(config.tools);

  return async (req, ctx, routing) => {
    const tools = offered(manager.tools(), configured, ctx);
    if (tools.length === 0) return next(req, ctx, routing);
    const { req: prepared, names } = withTools(req, tools);

    if (!tools.some((t) => auto(qualify(t)))) {
      const outcome = await next(prepared, ctx, routing);
      if (outcome.kind === "response")
        return { kind: "response", response: responseNamesBack(outcome.response, names) };
      const back = new TransformStream<ChatChunk, ChatChunk>({
        transform: (chunk, controller) => controller.enqueue(chunkNamesBack(chunk, names)),
      });
      return { kind: "stream", chunks: outcome.chunks.pipeThrough(back) };
    }

    const turn = async (r: ChatRequest, c: RequestContext, o?: RoutingOptions) => {
      const outcome = await next(r, c, o);
      if (outcome.kind !== "response")
        throw new GatewayError("INTERNAL", "an agent turn answered with a stream");
      return outcome.response;
    };
    const final = responseNamesBack(
      await runAgent(manager, names, agent, prepared, ctx, turn, routing),
      names,
    );
    if (req.stream === true) return { kind: "stream", chunks: chunkStream(responseChunks(final)) };
    return { kind: "response", response: final };
  };
}
