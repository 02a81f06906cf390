/**
 * What happens to a request before its handler runs, as Elysia's body parser: its context is made
 * (with the caller's key from its API's header), the credential is checked by the plugins'
 * `authorize` hooks (governance) before a byte of the body is read, so a caller without a valid key
 * costs no body read or parse; then the body is read within its bounds (`body.ts`).
 */
import type { WireDialect } from "../core/chat.ts";
import { readJsonBody } from "./body.ts";
import { requestContext } from "./credentials.ts";
import type { TransportDeps } from "./exchange.ts";

export function bodyParser(deps: TransportDeps, dialect: WireDialect) {
  return async ({ request }: { request: Request }): Promise<unknown> => {
    const ctx = requestContext(dialect, request);
    if (deps.authenticate) await deps.authenticate(ctx);
    return readJsonBody(request, ctx, deps.body);
  };
}
