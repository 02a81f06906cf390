/**
 * The Anthropic Messages surface, at `/anthropic/v1` and `/v1`: `POST messages` (plain and
 * streamed with Anthropic's event sequence) and `POST messages/count_tokens` (an estimate). The
 * caller's key is read from `x-api-key` (or `Authorization: Bearer`).
 */
import { Elysia, t } from "elysia";
import { anthropic } from "../../dialects/anthropic/index.ts";
import { isRecord } from "../../dialects/fields.ts";
import { createContext } from "../../observability/context.ts";
import { readJsonBody } from "../body.ts";
import { admit, JSON_TYPE, metaHeaders, type TransportDeps } from "../exchange.ts";
import { bearer } from "../openai/routes.ts";
import { failure, serveChat } from "../respond.ts";
import { routingOptions } from "../routing.ts";

export const ANTHROPIC_PREFIXES = ["/anthropic/v1", "/v1"] as const;

const AnyBody = t.Unknown({
  description:
    "An Anthropic Messages request (model as provider/model or an alias); see docs/dialects.md for the supported fields.",
});

function anthropicContext(request: Request) {
  const ctx = createContext("anthropic", request.signal, request.headers.get("x-request-id"));
  const credential = request.headers.get("x-api-key")?.trim() || bearer(request);
  if (credential) ctx.credential = credential;
  return ctx;
}

export function anthropicRoutes(deps: TransportDeps, prefix: string) {
  async function countTokens(body: unknown, request: Request): Promise<Response> {
    const ctx = anthropicContext(request);
    try {
      admit(deps);
    } catch (err) {
      return failure(deps, anthropic, err, ctx, false);
    }
    try {
      // count_tokens takes a Messages body without max_tokens.
      const withLimit =
        isRecord(body) && body.max_tokens === undefined ? { ...body, max_tokens: 1 } : body;
      const tokens = deps.engine.estimateTokens(anthropic.requestIn(withLimit), ctx);
      return new Response(JSON.stringify({ input_tokens: tokens }), {
        headers: { ...metaHeaders(ctx), "content-type": JSON_TYPE },
      });
    } catch (err) {
      return failure(deps, anthropic, err, ctx, false);
    } finally {
      deps.lifecycle.leave();
    }
  }

  return new Elysia({ name: `anthropic:${prefix}`, prefix })
    .onParse(({ request }) => readJsonBody(request, deps.maxBodyBytes))
    .post(
      "/messages",
      ({ body, request }) =>
        serveChat(deps, anthropic, anthropicContext(request), () => ({
          req: anthropic.requestIn(body),
          routing: routingOptions(request),
        })),
      {
        body: AnyBody,
        detail: { tags: ["Anthropic"], summary: "Create a message (plain or streamed)" },
      },
    )
    .post("/messages/count_tokens", ({ body, request }) => countTokens(body, request), {
      body: AnyBody,
      detail: { tags: ["Anthropic"], summary: "Estimate the input tokens of a message" },
    });
}
