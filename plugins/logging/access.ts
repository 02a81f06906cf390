/**
 * Who may read `GET /v1/logs`, decided once at start. Logs hold every caller's requests, so they
 * are closed unless the operator opens them on purpose:
 *
 *   public_logs: true        anyone (said as a warning at start)
 *   query_key, admin key     a caller sending one of them as `Authorization: Bearer` (the admin key
 *                            is governance's `admin_key`, when governance is on)
 *   neither                  nobody; with `bodies` on and governance off the gateway refuses to
 *                            start instead, since it would keep prompts nobody is meant to read
 *
 * The decision is said at start in one line.
 */
import { hasBearer, type Logger, type OperatorAccess } from "../../src/plugins/index.ts";

export interface LogAccess {
  allows(request: Request): boolean;
  /** The 401's message. */
  readonly refusal: string;
}

export interface AccessSettings {
  bodies: boolean;
  query_key?: string | undefined;
  public_logs: boolean;
}

export function logAccess(
  config: AccessSettings,
  admin: OperatorAccess,
  logger: Logger,
): LogAccess {
  if (config.public_logs) {
    logger.warn("logging: GET /v1/logs is open to anyone (public_logs: true)");
    return { allows: () => true, refusal: "" };
  }
  const queryKey = config.query_key;
  const credentials = [
    ...(admin.configured ? ["the admin key"] : []),
    ...(queryKey !== undefined ? ["the logs query key"] : []),
  ];
  if (credentials.length === 0) {
    if (config.bodies && !admin.governance) {
      throw new Error(
        "bodies are kept but nothing guards GET /v1/logs: set query_key (a secret readers send as Authorization: Bearer), or public_logs: true to open the logs on purpose",
      );
    }
    logger.info(
      "logging: GET /v1/logs is closed (no query_key or governance admin_key is set to read it)",
    );
    return {
      allows: () => false,
      refusal:
        "GET /v1/logs is closed: the operator has set no credential to read logs (logging's query_key, or governance's admin_key).",
    };
  }
  const who = credentials.join(" or ");
  logger.info(`logging: GET /v1/logs needs ${who}`);
  return {
    allows: (request) =>
      admin.allows(request) || (queryKey !== undefined && hasBearer(request, queryKey)),
    refusal: `Send ${who} as Authorization: Bearer <key>.`,
  };
}
