/**
 * Agent mode: while the model calls only tools listed in `agent.auto_execute`, the gateway runs
 * them, appends the results and calls the model again. It stops when the model answers in text,
 * calls a tool that is not auto-executed (that turn goes to the caller, as an ordinary tool
 * call), repeats a call with the same arguments (`AGENT_CYCLE`), is still calling after
 * `max_iterations` model calls (`AGENT_MAX_ITERATIONS`), or runs past `timeout_ms`
 * (`AGENT_TIMEOUT`). `x-switchyard-agent-iterations` says how many model calls were made.
 * Usage is summed over every turn, so budgets and logs see the whole loop.
 */
import type { ChatMessage, ChatRequest, ChatResponse, ToolCall, Usage } from "../core/chat.ts";
import { GatewayError } from "../core/errors.ts";
import { withDeadline } from "../core/deadline.ts";
import { addUsage } from "../core/usage.ts";
import type { RoutingOptions } from "../engine/engine.ts";
import type { RequestContext } from "../observability/context.ts";
import type { ToolNames } from "./names.ts";
import { resultText } from "./results.ts";
import type { McpManager } from "./types.ts";

export interface AgentOptions {
  maxIterations: number;
  timeoutMs: number;
  /** Whether the gateway runs this `server/tool` itself. */
  auto(qualified: string): boolean;
}

export type TurnRunner = (
  req: ChatRequest,
  ctx: RequestContext,
  routing?: RoutingOptions,
) => Promise<ChatResponse>;

/** The agent loop's time limit, as the caller is told of it. */
const timedOut = (iterations: number) => () =>
  new GatewayError(
    "AGENT_TIMEOUT",
    `The agent loop ran past its time limit after ${iterations} model calls.`,
  );

async function runTool(
  manager: McpManager,
  call: ToolCall,
  qualified: string,
  signal: AbortSignal,
  requestId: string,
): Promise<string> {
  let args: Record<string, unknown>;
  try {
    args = JSON.parse(call.function.arguments || "{}") as Record<string, unknown>;
  } catch {
    return `Tool error: the arguments are not valid JSON.`;
  }
  try {
    return resultText(await manager.call(qualified, args, signal, { requestId }));
  } catch (err) {
    // The model gets to see what went wrong (a schema violation, a failing tool) and react.
    return `Tool error: ${(err as Error).message}`;
  }
}

/** How long after the loop's own deadline a model call still in flight is cancelled, ms. */
const TURN_GRACE_MS = 50;

export async function runAgent(
  manager: McpManager,
  names: ToolNames,
  options: AgentOptions,
  req: ChatRequest,
  ctx: RequestContext,
  turn: TurnRunner,
  routing?: RoutingOptions,
): Promise<ChatResponse> {
  const deadline = Date.now() + options.timeoutMs;
  const seen = new Set<string>();
  const messages: ChatMessage[] = [...req.messages];
  // Tool calls stop when the loop ends (for whatever reason) or the client leaves.
  const abort = new AbortController();
  const toolSignal = AbortSignal.any([ctx.signal, abort.signal]);
  let usage: Usage | undefined;
  let iterations = 0;
  const header = () =>
    ((ctx.responseHeaders ??= {})["x-switchyard-agent-iterations"] = String(iterations));
  try {
    for (;;) {
      if (iterations >= options.maxIterations) {
        throw new GatewayError(
          "AGENT_MAX_ITERATIONS",
          `The model was still calling tools after ${iterations} model calls (agent.max_iterations).`,
        );
      }
      iterations++;
      header();
      const left = deadline - Date.now();
      if (left <= 0)
        throw new GatewayError(
          "AGENT_TIMEOUT",
          `The agent loop ran past its time limit after ${iterations - 1} model calls.`,
        );
      // The model call gets the loop's remaining time as its own deadline (a little after the
      // loop's, so the loop's timeout is what the caller sees): it is cancelled, and its pool
      // slot freed, instead of running on after the loop gave up on it.
      const deadlineMs = Math.min(routing?.timeoutMs ?? Infinity, left + TURN_GRACE_MS);
      const res = await withDeadline(
        turn({ ...req, messages, stream: false }, ctx, {
          fallbacks: routing?.fallbacks ?? [],
          timeoutMs: deadlineMs,
        }),
        left,
        timedOut(iterations),
      );
      usage = addUsage(usage, res.usage);
      const calls = res.choices[0]?.message.tool_calls ?? [];
      const qualified = calls.map((c) => names.qualified(c.function.name));
      if (calls.length === 0 || qualified.some((q) => q === undefined || !options.auto(q))) {
        return usage ? { ...res, usage } : res;
      }
      for (const [i, call] of calls.entries()) {
        const key = `${qualified[i]}\0${call.function.arguments}`;
        if (seen.has(key)) {
          throw new GatewayError(
            "AGENT_CYCLE",
            `The model called ${qualified[i]} again with the same arguments; the agent loop stopped after ${iterations} model calls.`,
          );
        }
        seen.add(key);
      }
      messages.push({
        role: "assistant",
        content: res.choices[0]!.message.content,
        tool_calls: calls,
      });
      for (const [i, call] of calls.entries()) {
        const left2 = deadline - Date.now();
        const content = await withDeadline(
          runTool(manager, call, qualified[i]!, toolSignal, ctx.id),
          Math.max(1, left2),
          timedOut(iterations),
        );
        messages.push({ role: "tool", tool_call_id: call.id, content });
      }
    }
  } finally {
    abort.abort();
  }
}
