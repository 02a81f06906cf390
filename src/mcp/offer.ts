/**
 * Which MCP tools a chat request is offered, and the request as the provider gets it: the tools
 * that pass every filter (the config's `mcp.tools`, the caller's permissions, the
 * `x-switchyard-mcp-tools` header: patterns, or `none`) appended to the caller's own tools under
 * provider-safe names, and earlier MCP tool calls in the conversation renamed the same way.
 */
import type { ChatRequest, FunctionTool, JsonObject } from "../core/chat.ts";
import type { RequestContext } from "../observability/context.ts";
import { globMatcher } from "../router/glob.ts";
import { toolNames, type ToolNames } from "./names.ts";
import { qualify, type McpTool } from "./types.ts";

export const TOOLS_HEADER = "x-switchyard-mcp-tools";

/** The tools the caller may see and run: its permissions (governance's `mcp_tools`) decide. */
export function permitted(all: readonly McpTool[], ctx: RequestContext): McpTool[] {
  const allowed = globMatcher(ctx.permissions?.mcpTools ?? []);
  return all.filter((t) => allowed(qualify(t)));
}

/**
 * The tools `configured` (the config's `mcp.tools`, compiled once by the caller) lets through,
 * filtered further by the caller's permissions and header; `none` offers nothing.
 */
export function offered(
  all: readonly McpTool[],
  configured: (qualified: string) => boolean,
  ctx: RequestContext,
): McpTool[] {
  const header = ctx.headers?.get(TOOLS_HEADER)?.trim();
  if (header?.toLowerCase() === "none") return [];
  const permissions = globMatcher(ctx.permissions?.mcpTools ?? []);
  const asked = globMatcher(
    header
      ? header
          .split(",")
          .map((p) => p.trim())
          .filter(Boolean)
      : [],
  );
  return all.filter((t) => {
    const name = qualify(t);
    return configured(name) && permissions(name) && asked(name);
  });
}

export interface Prepared {
  req: ChatRequest;
  names: ToolNames;
}

export function withTools(req: ChatRequest, tools: readonly McpTool[]): Prepared {
  const own = new Set((req.tools ?? []).map((t) => t.function.name));
  const names = toolNames(tools.map(qualify), own);
  const added: FunctionTool[] = tools.map((t) => ({
    type: "function",
    function: {
      name: names.safe(qualify(t)),
      ...(t.description === undefined ? {} : { description: t.description }),
      parameters: t.inputSchema as JsonObject,
    },
  }));
  const messages = req.messages.map((m) =>
    m.tool_calls
      ? {
          ...m,
          tool_calls: m.tool_calls.map((c) => ({
            ...c,
            function: { ...c.function, name: names.safe(c.function.name) },
          })),
        }
      : m,
  );
  // The tools exist in the canonical request only: the caller's original body is left behind.
  const { native: _, ...rest } = req;
  return { req: { ...rest, messages, tools: [...(req.tools ?? []), ...added] }, names };
}
