/**
 * A TCP proxy the test can freeze: while frozen it holds every byte in both directions, so the
 * client's connections stay open and nothing answers, as with a server that stalled (a stuck
 * PostgreSQL, without stopping the machine's shared one). Thawing sends what was held.
 */
import type { Socket } from "bun";

export interface FreezableProxy {
  port: number;
  freeze(): void;
  thaw(): void;
  stop(): void;
}

interface Pair {
  client: Socket<Pair>;
  server?: Socket<undefined>;
  toServer: Uint8Array[];
  toClient: Uint8Array[];
}

export function startFreezableProxy(targetPort: number, targetHost = "127.0.0.1"): FreezableProxy {
  let frozen = false;
  const pairs = new Set<Pair>();
  const pump = (pair: Pair) => {
    if (frozen) return;
    if (pair.server) for (const chunk of pair.toServer.splice(0)) pair.server.write(chunk);
    for (const chunk of pair.toClient.splice(0)) pair.client.write(chunk);
  };
  const listener = Bun.listen<Pair>({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(client) {
        const pair: Pair = { client, toServer: [], toClient: [] };
        client.data = pair;
        pairs.add(pair);
        void Bun.connect({
          hostname: targetHost,
          port: targetPort,
          socket: {
            data(_s, chunk) {
              pair.toClient.push(new Uint8Array(chunk));
              pump(pair);
            },
            close() {
              client.end();
            },
            error() {
              client.end();
            },
          },
        }).then((server) => {
          pair.server = server as unknown as Socket<undefined>;
          pump(pair);
        });
      },
      data(client, chunk) {
        client.data.toServer.push(new Uint8Array(chunk));
        pump(client.data);
      },
      close(client) {
        client.data.server?.end();
        pairs.delete(client.data);
      },
    },
  });
  return {
    port: listener.port,
    freeze: () => void (frozen = true),
    thaw() {
      frozen = false;
      for (const pair of pairs) pump(pair);
    },
    stop() {
      for (const pair of pairs) {
        pair.client.end();
        pair.server?.end();
      }
      listener.stop(true);
    },
  };
}
