/** The Streamable HTTP transport, for current remote servers. */
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { McpServerConfig } from "../config/config.ts";

export function httpTransport(server: McpServerConfig): StreamableHTTPClientTransport {
  return new StreamableHTTPClientTransport(new URL(server.url!), {
    requestInit: { headers: { ...server.headers } },
  });
}
