/**
 * The Anthropic Messages surface, at `/anthropic/v1` and `/v1`: `POST messages` (plain and
 * streamed with Anthropic's event sequence) and `POST messages/count_tokens` (an estimate). The
 * caller's key is read from `x-api-key` (or `Authorization: Bearer`).
 */
import { Elysia, t } from "elysia";
import { anthropic } from "../../dialects/anthropic/index.ts";
import { isRecord } from "../../dialects/fields.ts";
import { bodyParser } from "../intake.ts";
import { requestContext } from "../credentials.ts";
import type { TransportDeps } from "../exchange.ts";
import { serveChat, serveJson } from "../respond.ts";
import { routingOptions } from "../routing.ts";

export const ANTHROPIC_PREFIXES = ["/anthropic/v1", "/v1"] as const;

const AnyBody = t.Unknown({
  description:
    "An Anthropic Messages request (model as provider/model or an alias); see docs/dialects.md for the supported fields.",
});

export function anthropicRoutes(deps: TransportDeps, prefix: string) {
  // count_tokens takes a Messages body without max_tokens.
  const countTokens = (body: unknown, request: Request) => {
    const ctx = requestContext("anthropic", request);
    return serveJson(deps, anthropic, ctx, () => {
      const withLimit =
        isRecord(body) && body.max_tokens === undefined ? { ...body, max_tokens: 1 } : body;
      return {
        body: { input_tokens: deps.engine.estimateTokens(anthropic.requestIn(withLimit), ctx) },
      };
    });
  };

  return new Elysia({ name: `anthropic:${prefix}`, prefix, normalize: false })
    .onParse(bodyParser(deps, "anthropic"))
    .post(
      "/messages",
      ({ body, request }) =>
        serveChat(deps, anthropic, requestContext("anthropic", request), () => ({
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
