/** The MCP manager's contract, as the rest of the gateway sees it. */

/** A tool one connected server offers. */
export interface McpTool {
  server: string;
  name: string;
  description?: string;
  /** The tool's JSON schema for its arguments. */
  inputSchema: Record<string, unknown>;
}

/** What running a tool gives back: the MCP `CallToolResult`, as the server sent it. */
export interface McpCallResult {
  content: unknown[];
  isError?: boolean;
  structuredContent?: unknown;
  [key: string]: unknown;
}

export interface McpManager {
  /** Every tool of every connected server; a server that is away offers none. */
  tools(): McpTool[];
  /** Runs `server/tool` (arguments validated against its schema first: 400 naming the field). */
  call(
    qualified: string,
    args: Record<string, unknown>,
    signal?: AbortSignal,
    /** Logged with the call: the request it runs for, and the caller's safe id. */
    who?: { requestId: string; caller?: string },
  ): Promise<McpCallResult>;
  /** Per server: connected or not, and its tool count. */
  status(): { server: string; connected: boolean; tools: number }[];
  close(): Promise<void>;
}

/** `server/tool`, the name tools go by in config patterns, headers and the HTTP API. */
export function qualify(tool: Pick<McpTool, "server" | "name">): string {
  return `${tool.server}/${tool.name}`;
}
