/** The HTTP+SSE transport of the 2024-11-05 protocol, for older servers. */
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import type { McpServerConfig } from "../config/config.ts";

export function sseTransport(server: McpServerConfig): SSEClientTransport {
  return new SSEClientTransport(new URL(server.url!), {
    requestInit: { headers: { ...server.headers } },
    eventSourceInit: {
      fetch: (url, init) =>
        fetch(url, {
          ...init,
          headers: { ...server.headers, ...(init?.headers as Record<string, string>) },
        }),
    },
  });
}
