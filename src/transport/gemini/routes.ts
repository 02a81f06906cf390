/**
 * The Gemini surface, at `/gemini/v1beta` and `/v1beta` (and `/v1`, the SDK's default): `POST models/{model}:generateContent`,
 * `:streamGenerateContent` (SSE; `alt=sse` is the only stream framing offered) and `:countTokens`
 * (an estimate). `{model}` may contain slashes (`openai/gpt-4o-mini`). The caller's key is read
 * from `x-goog-api-key` or `?key=`.
 */
import { Elysia, t } from "elysia";
import { GatewayError } from "../../core/errors.ts";
import { invalidField, isRecord } from "../../dialects/fields.ts";
import { gemini } from "../../dialects/gemini/index.ts";
import { bodyParser } from "../intake.ts";
import { requestContext } from "../credentials.ts";
import type { TransportDeps } from "../exchange.ts";
import { failure, serveChat, serveJson } from "../respond.ts";
import { routingOptions } from "../routing.ts";

/**
 * `v1beta` is the API the issue and most clients name; `@google/genai` 3.x defaults to `v1`, so the
 * same routes answer there too (`POST /v1/models/{model}:...` does not collide with OpenAI's
 * `GET /v1/models`).
 */
export const GEMINI_PREFIXES = ["/gemini/v1beta", "/v1beta", "/gemini/v1", "/v1"] as const;

const METHODS = ["generateContent", "streamGenerateContent", "countTokens"] as const;
type Method = (typeof METHODS)[number];

/** `openai/gpt-4o-mini:generateContent` -> its model and method. */
export function parseModelPath(path: string): { model: string; method: string } {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path).replace(/^models\//, "");
  } catch {
    throw invalidField("model", "the model in the path is not valid percent-encoding");
  }
  const colon = decoded.lastIndexOf(":");
  if (colon <= 0) return { model: decoded, method: "" };
  return { model: decoded.slice(0, colon), method: decoded.slice(colon + 1) };
}

export function geminiRoutes(deps: TransportDeps, prefix: string) {
  // countTokens takes either a bare `contents` body or a whole `generateContentRequest`.
  const countTokens = (body: unknown, model: string, request: Request) => {
    const ctx = requestContext("gemini", request);
    return serveJson(deps, gemini, ctx, () => {
      const inner =
        isRecord(body) && isRecord(body.generateContentRequest)
          ? body.generateContentRequest
          : body;
      const req = gemini.requestIn(inner, { model, stream: false });
      return { body: { totalTokens: deps.engine.estimateTokens(req, ctx) } };
    });
  };

  function dispatch(path: string, body: unknown, request: Request): Promise<Response> | Response {
    let parsed: { model: string; method: string };
    try {
      parsed = parseModelPath(path);
    } catch (err) {
      return failure(deps, gemini, err, requestContext("gemini", request), false);
    }
    const { model, method } = parsed;
    if (!(METHODS as readonly string[]).includes(method)) {
      const ctx = requestContext("gemini", request);
      const err = new GatewayError(
        "NOT_FOUND",
        `Method "${method}" is not offered on models; use generateContent, streamGenerateContent or countTokens.`,
      );
      return failure(deps, gemini, err, ctx, false);
    }
    if ((method as Method) === "countTokens") return countTokens(body, model, request);
    const stream = method === "streamGenerateContent";
    return serveChat(deps, gemini, requestContext("gemini", request), () => ({
      req: gemini.requestIn(body, { model, stream }),
      routing: routingOptions(request),
    }));
  }

  return new Elysia({ name: `gemini:${prefix}`, prefix, normalize: false })
    .onParse(bodyParser(deps, "gemini"))
    .post("/models/*", ({ params, body, request }) => dispatch(params["*"], body, request), {
      body: t.Unknown({
        description:
          "A Gemini GenerateContentRequest; the path is models/{provider/model}:{generateContent|streamGenerateContent|countTokens}.",
      }),
      detail: { tags: ["Gemini"], summary: "Generate content (plain or streamed), count tokens" },
    });
}
