/** The stdio transport: the server runs as a child process speaking JSON-RPC on its stdin/stdout. */
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { McpServerConfig } from "../config/config.ts";

export function stdioTransport(server: McpServerConfig): StdioClientTransport {
  return new StdioClientTransport({
    command: server.command!,
    args: [...server.args],
    env: { ...(process.env as Record<string, string>), ...server.env },
    ...(server.cwd === undefined ? {} : { cwd: server.cwd }),
    stderr: "ignore",
  });
}
