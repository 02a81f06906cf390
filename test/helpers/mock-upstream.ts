/**
 * The project's mock upstreams on real sockets, for end-to-end tests: each records every request
 * it receives and whether the gateway aborted it. One per wire dialect.
 */
import type { WireDialect } from "../../src/core/chat.ts";
import {
  createMockAnthropic,
  createMockGemini,
  createMockOpenAi,
  type MockUpstreamOptions,
  type SeenRequest,
} from "../../src/providers/mock/index.ts";

export interface MockUpstream {
  /** Base URL in the dialect's SDK convention (OpenAI's ends in /v1; the others are the origin). */
  url: string;
  seen: SeenRequest[];
  /** Requests whose connection the gateway closed before the answer ended. */
  aborted: number;
  /** The client-side port of each request's TCP connection (one port = one reused connection). */
  clientPorts: number[];
  stop(): Promise<void>;
}

const FACTORIES = {
  openai: createMockOpenAi,
  anthropic: createMockAnthropic,
  gemini: createMockGemini,
} satisfies Record<WireDialect, unknown>;

export function startMockUpstream(
  options: MockUpstreamOptions = {},
  dialect: WireDialect = "openai",
): MockUpstream {
  const seen: SeenRequest[] = [];
  const handle = FACTORIES[dialect]({ ...options, onRequest: (r) => seen.push(r) });
  const state = { aborted: 0 };
  const clientPorts: number[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    idleTimeout: 0,
    fetch(req, srv) {
      clientPorts.push(srv.requestIP(req)?.port ?? -1);
      req.signal.addEventListener("abort", () => state.aborted++, { once: true });
      return handle(req);
    },
  });
  const origin = `http://127.0.0.1:${server.port}`;
  return {
    url: dialect === "openai" ? `${origin}/v1` : origin,
    seen,
    clientPorts,
    get aborted() {
      return state.aborted;
    },
    stop: () => server.stop(true),
  };
}
