/**
 * The MCP manager: one `ServerConnection` per configured server, their tools gathered under
 * `server/tool` names, and tool calls routed to the server that offers them after their
 * arguments are checked. Counts calls in `/metrics` and logs each.
 */
import type { McpConfig } from "../config/config.ts";
import { GatewayError } from "../core/errors.ts";
import type { Logger } from "../observability/logger.ts";
import type { MetricsHandle } from "../observability/metrics-handle.ts";
import { ServerConnection } from "./connection.ts";
import { qualify, type McpManager, type McpTool } from "./types.ts";
import { checkArguments } from "./validate.ts";

export interface ManagerDeps {
  logger: Logger;
  metrics: MetricsHandle;
}

export async function createMcpManager(config: McpConfig, deps: ManagerDeps): Promise<McpManager> {
  const logger = deps.logger.child({ component: "mcp" });
  const calls = deps.metrics.counter({
    name: "switchyard_mcp_tool_calls_total",
    help: "MCP tool executions, by server, tool and outcome (ok, tool_error, failed).",
    labelNames: ["server", "tool", "outcome"],
  });
  const connectedGauge = deps.metrics.gauge({
    name: "switchyard_mcp_server_connected",
    help: "1 while the gateway is connected to the MCP server, else 0.",
    labelNames: ["server"],
  });
  let index = new Map<string, McpTool>();
  const reindex = () => {
    index = new Map(connections.flatMap((c) => c.tools().map((t) => [qualify(t), t] as const)));
    for (const c of connections) connectedGauge.set({ server: c.config.name }, c.connected ? 1 : 0);
  };
  const connections: ServerConnection[] = config.servers.map(
    (s) => new ServerConnection(s, logger, reindex),
  );
  // Discovery at start: wait for every server's first attempt (each retries on its own after).
  await Promise.all(connections.map((c) => c.ready));
  reindex();

  return {
    tools: () => [...index.values()],
    async call(qualified, args, signal, who) {
      const tool = index.get(qualified);
      if (!tool) {
        throw new GatewayError(
          "NOT_FOUND",
          `No MCP tool "${qualified}" is available (its server may be away).`,
          {
            param: "name",
          },
        );
      }
      checkArguments(qualified, tool.inputSchema, args);
      const connection = connections.find((c) => c.config.name === tool.server)!;
      const started = performance.now();
      try {
        const result = await connection.call(tool.name, args, signal);
        const outcome = result.isError ? "tool_error" : "ok";
        calls.inc({ server: tool.server, tool: tool.name, outcome });
        logger.info("mcp tool call", {
          ...(who
            ? { request_id: who.requestId, ...(who.caller ? { caller: who.caller } : {}) }
            : {}),
          tool: qualified,
          outcome,
          ms: Math.round(performance.now() - started),
        });
        return result;
      } catch (error) {
        calls.inc({ server: tool.server, tool: tool.name, outcome: "failed" });
        logger.warn("mcp tool call failed", { request_id: who?.requestId, tool: qualified, error });
        throw new GatewayError(
          "UPSTREAM_ERROR",
          `The MCP tool "${qualified}" failed: ${(error as Error).message}`,
          {
            cause: error,
            provider: `mcp:${tool.server}`,
          },
        );
      }
    },
    status: () =>
      connections.map((c) => ({
        server: c.config.name,
        connected: c.connected,
        tools: c.tools().length,
      })),
    async close() {
      await Promise.all(connections.map((c) => c.close()));
    },
  };
}
