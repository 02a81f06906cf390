/**
 * The command line: `bun src/main.ts [--config FILE] [--port N] [--host H]`.
 * Config file: --config, else $SWITCHYARD_CONFIG, else ./switchyard.config.json when present, else
 * the embedded default (the offline `mock` provider). Port and host: flag, then $PORT / $HOST,
 * then the file. SIGTERM and SIGINT drain requests in flight, then exit.
 */
import { parseArgs } from "node:util";
import { existsSync } from "node:fs";
import { ConfigError, type Config } from "./config/config.ts";
import { loadConfig, parsePort } from "./config/load.ts";
import { openGateway } from "./gateway.ts";
import { createLogger, type Logger } from "./observability/logger.ts";

const DEFAULT_CONFIG_FILE = "switchyard.config.json";

const USAGE = `Usage: bun src/main.ts [--config FILE] [--port N] [--host H]

  --config FILE  JSON config (default: $SWITCHYARD_CONFIG, or ./${DEFAULT_CONFIG_FILE} if present,
                 or the built-in offline mock provider)
  --port N       listen port (default: $PORT, or server.port, or 8080)
  --host H       listen address (default: $HOST, or server.host, or 127.0.0.1)
  --help         show this help`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      config: { type: "string", short: "c" },
      port: { type: "string", short: "p" },
      host: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const file =
    values.config ??
    (process.env.SWITCHYARD_CONFIG || undefined) ??
    (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
  const overrides = {
    ...(values.port === undefined ? {} : { port: parsePort(values.port, "--port") }),
    ...(values.host === undefined ? {} : { host: values.host }),
  };
  const config = await loadConfig({ ...(file === undefined ? {} : { file }), overrides });
  const logger = createLogger({ level: config.logging.level });
  warnOnFetchLimit(config, logger);
  const gateway = await openGateway(config, { logger });
  const { url } = await gateway.listen();
  logger.info("switchyard listening", {
    url,
    config: file ?? "built-in default (mock provider)",
    providers: Object.keys(config.providers),
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info("draining", { signal });
    const { drained } = await gateway.shutdown();
    logger.info(drained ? "drained, exiting" : "drain timed out, closed remaining connections", {
      signal,
    });
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(`switchyard: invalid configuration: ${err.message}`);
  } else {
    console.error(`switchyard: ${err instanceof Error ? err.message : String(err)}`);
  }
  process.exit(1);
});

/**
 * Bun's fetch runs at most BUN_CONFIG_MAX_HTTP_REQUESTS requests at once across the whole process
 * (256 unless set). Providers whose pools together may run more can starve each other when one
 * stalls, so say so at start (`bun start` and the Dockerfile set it to 16384).
 */
function warnOnFetchLimit(config: Config, logger: Logger): void {
  const limit = Number(process.env.BUN_CONFIG_MAX_HTTP_REQUESTS ?? 256);
  const total = Object.values(config.providers).reduce((sum, p) => sum + p.pool.concurrency, 0);
  if (total > limit) {
    logger.warn("provider pools may run more upstream calls than Bun's fetch allows at once", {
      pools_concurrency: total,
      bun_config_max_http_requests: limit,
      fix: "set BUN_CONFIG_MAX_HTTP_REQUESTS to at least the sum of pool.concurrency",
    });
  }
}
