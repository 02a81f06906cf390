/**
 * Switchyard as an MCP server: `/mcp` speaks Streamable HTTP (the SDK's web-standard server
 * transport, stateless: a server and transport per request) and offers the tools of every
 * connected server that the caller may use, under provider-safe names (`server__tool`, which any
 * MCP client and any model API accepts), running them through the manager.
 */
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { GatewayError } from "../core/errors.ts";
import type { RequestContext } from "../observability/context.ts";
import { permitted } from "./offer.ts";
import { toolNames } from "./names.ts";
import { qualify, type McpManager } from "./types.ts";

export async function serveMcp(
  manager: McpManager,
  request: Request,
  ctx: RequestContext,
  /** The POST body, read and checked by the transport. */
  parsedBody?: unknown,
): Promise<Response> {
  const tools = permitted(manager.tools(), ctx);
  const names = toolNames(tools.map(qualify));
  const server = new Server(
    { name: "switchyard", version: "0.1.0" },
    { capabilities: { tools: {} } },
  );
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: tools.map((t) => ({
      name: names.safe(qualify(t)),
      ...(t.description === undefined ? {} : { description: t.description }),
      inputSchema: t.inputSchema as { type: "object" },
    })),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (req) => {
    const qualified = names.qualified(req.params.name);
    if (!qualified)
      return {
        content: [{ type: "text", text: `Unknown tool "${req.params.name}".` }],
        isError: true,
      };
    try {
      return await manager.call(qualified, req.params.arguments ?? {}, ctx.signal, {
        requestId: ctx.id,
      });
    } catch (err) {
      const message = err instanceof GatewayError ? err.message : "The tool failed.";
      return { content: [{ type: "text", text: message }], isError: true };
    }
  });
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  await server.connect(transport);
  try {
    return await transport.handleRequest(
      request,
      parsedBody === undefined ? undefined : { parsedBody },
    );
  } finally {
    void server.close();
  }
}
