/**
 * The project's mock OpenAI upstream on a real socket, for end-to-end tests: it records every
 * request it receives and whether the gateway aborted it.
 */
import {
  createMockOpenAi,
  type MockUpstreamOptions,
  type SeenRequest,
} from "../../src/providers/mock/index.ts";

export interface MockUpstream {
  /** Base URL in the OpenAI SDK's convention (ends in /v1). */
  url: string;
  seen: SeenRequest[];
  /** Requests whose connection the gateway closed before the answer ended. */
  aborted: number;
  /** The client-side port of each request's TCP connection (one port = one reused connection). */
  clientPorts: number[];
  stop(): Promise<void>;
}

export function startMockUpstream(options: MockUpstreamOptions = {}): MockUpstream {
  const seen: SeenRequest[] = [];
  const handle = createMockOpenAi({ ...options, onRequest: (r) => seen.push(r) });
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
  return {
    url: `http://127.0.0.1:${server.port}/v1`,
    seen,
    clientPorts,
    get aborted() {
      return state.aborted;
    },
    stop: () => server.stop(true),
  };
}
