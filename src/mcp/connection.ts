/**
 * One MCP server: connected with the SDK's `Client` over its transport, its tools listed at
 * connection and again whenever it sends `notifications/tools/list_changed` (the SDK refreshes
 * them for us), and reconnected with a growing pause (0.25 s doubling to 10 s) when it goes away.
 * While it is away it offers no tools.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import type { McpServerConfig } from "../config/config.ts";
import type { Logger } from "../observability/logger.ts";
import { httpTransport } from "./http.ts";
import { sseTransport } from "./sse.ts";
import { stdioTransport } from "./stdio.ts";
import type { McpCallResult, McpTool } from "./types.ts";

const FIRST_PAUSE_MS = 250;
const MAX_PAUSE_MS = 10_000;
const CALL_TIMEOUT_MS = 60_000;
/** A server that has not answered `initialize` and `tools/list` by then is retried later. */
const CONNECT_TIMEOUT_MS = 10_000;

function transportOf(server: McpServerConfig): Transport {
  if (server.transport === "stdio") return stdioTransport(server);
  if (server.transport === "http") return httpTransport(server);
  return sseTransport(server);
}

function toolOf(server: string, t: Tool): McpTool {
  return {
    server,
    name: t.name,
    ...(t.description === undefined ? {} : { description: t.description }),
    inputSchema: t.inputSchema as Record<string, unknown>,
  };
}

export class ServerConnection {
  private client: Client | undefined;
  private list: McpTool[] = [];
  private pause = FIRST_PAUSE_MS;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  /** Resolves once the first attempt to connect has ended, whatever its outcome. */
  readonly ready: Promise<void>;

  constructor(
    readonly config: McpServerConfig,
    private readonly logger: Logger,
    private readonly onChange: () => void,
  ) {
    this.ready = this.connect();
  }

  get connected(): boolean {
    return this.client !== undefined;
  }

  tools(): McpTool[] {
    return this.list;
  }

  async call(
    name: string,
    args: Record<string, unknown>,
    signal?: AbortSignal,
  ): Promise<McpCallResult> {
    const client = this.client;
    if (!client) throw new Error(`MCP server "${this.config.name}" is not connected`);
    const result = await client.callTool({ name, arguments: args }, undefined, {
      timeout: CALL_TIMEOUT_MS,
      ...(signal ? { signal } : {}),
    });
    return result as McpCallResult;
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const name = this.config.name;
    const client = new Client(
      { name: "switchyard", version: "0.1.0" },
      {
        listChanged: {
          tools: {
            onChanged: (error, tools) => {
              if (error || !tools || this.client !== client) return;
              this.list = tools.map((t) => toolOf(name, t));
              this.logger.info("mcp tools changed", { server: name, tools: this.list.length });
              this.onChange();
            },
          },
        },
      },
    );
    try {
      await client.connect(transportOf(this.config), { timeout: CONNECT_TIMEOUT_MS });
      const tools: McpTool[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.listTools(cursor === undefined ? {} : { cursor }, {
          timeout: CONNECT_TIMEOUT_MS,
        });
        tools.push(...page.tools.map((t) => toolOf(name, t)));
        cursor = page.nextCursor;
      } while (cursor);
      if (this.closed) {
        await client.close();
        return;
      }
      client.onclose = () => this.lost(client);
      this.client = client;
      this.list = tools;
      this.pause = FIRST_PAUSE_MS;
      this.logger.info("mcp server connected", { server: name, tools: tools.length });
      this.onChange();
    } catch (error) {
      this.logger.warn("mcp server unreachable", { server: name, retry_ms: this.pause, error });
      await client.close().catch(() => {});
      this.retry();
    }
  }

  private lost(client: Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.list = [];
    this.onChange();
    if (this.closed) return;
    this.logger.warn("mcp server went away; reconnecting", { server: this.config.name });
    this.retry();
  }

  private retry(): void {
    if (this.closed) return;
    const pause = this.pause;
    this.pause = Math.min(MAX_PAUSE_MS, this.pause * 2);
    this.timer = setTimeout(() => void this.connect(), pause);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    this.list = [];
    await client?.close().catch(() => {});
  }
}
