/**
 * Starts a real gateway on a free port from a config document (plugins loaded), for end-to-end
 * tests.
 */
import { parseConfig } from "../../src/config/load.ts";
import { openGateway, type Gateway } from "../../src/gateway.ts";
import { createLogger, type Logger } from "../../src/observability/logger.ts";

export interface TestGateway {
  url: string;
  gateway: Gateway;
  /** Every log line the gateway wrote. */
  logs: string[];
  stop(): Promise<void>;
}

export async function startGateway(
  doc: Record<string, unknown>,
  env: Record<string, string> = {},
): Promise<TestGateway> {
  const server = { ...(doc.server as object | undefined), port: 0, host: "127.0.0.1" };
  const config = parseConfig({ ...doc, server }, env);
  const logs: string[] = [];
  const logger: Logger = createLogger({ level: "debug", write: (line) => logs.push(line) });
  const gateway = await openGateway(config, { logger });
  const { url } = await gateway.listen();
  return {
    url,
    gateway,
    logs,
    stop: () => gateway.close(),
  };
}
