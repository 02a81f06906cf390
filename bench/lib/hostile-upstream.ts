/**
 * A hostile upstream on a real socket (the tests' and the `hostile` bench scenario's; run it alone
 * with `bun bench/hostile-upstream.ts --port 9300 --key K`): it speaks the OpenAI, Anthropic and Gemini wire formats
 * and checks the key it is sent as each API does (401 in the API's own error format otherwise),
 * then misbehaves as the model name asks. The part of the model name after the last `/` picks
 * the behaviour:
 *
 *   leak            an error (400) that echoes the key it was sent in every field
 *   leak-429        the same as a 429 with Retry-After
 *   leak-body       a 200 whose body is the key itself (not JSON: a parser's error quotes it)
 *   leak-stream     a stream that sends one chunk, then an error event echoing the key (in
 *                   Anthropic's, even as the event body's own type)
 *   redirect        a 307 to another host (which must never be followed with the key)
 *   gzip-<MiB>      a 200 answer of that many MiB of JSON, gzip-compressed (tiny on the wire)
 *   ping-stream     a stream that sends one chunk, then only keep-alive comments
 *   slow-error      a 500 whose body arrives a byte at a time, for ever
 *   stall           accepts the request and never answers
 *   silent-stream   sends the stream's headers and one chunk, then nothing
 *   huge-<MiB>      a 200 answer of that many MiB, chunked (no Content-Length)
 *   long-line-<MiB> a stream whose first event is one line of that many MiB
 *   odd-model       a valid answer naming a model outside ASCII, with nonsense usage
 *   odd-shape       an answer whose message content is an object, not text
 *   fail            a 503, every time
 *   tool-then-fail  the first request per model: a call of the first tool; then 503s
 *   metered         usage counted as providers count it (below); the answer fills max_tokens × n
 *   anything else   an echo of the last user text, in the caller's API's format
 *
 * `metered` counts prompt tokens the way real tokenizers come out: 4 per message, each CJK
 * character 1, other text 1 per 4 characters, 765 per image, tool definitions 1 per 4 characters
 * of their JSON; completion tokens are max_tokens (or max_completion_tokens, 1024 without) × n.
 */

export interface HostileUpstream {
  /** The origin (`http://127.0.0.1:port`); OpenAI's base URL is `${url}/v1`. */
  url: string;
  /** Requests received per model name (after authentication). */
  seen: Map<string, number>;
  /** Requests the gateway aborted before the answer ended. */
  aborted: number;
  stop(): Promise<void>;
}

type Api = "openai" | "anthropic" | "gemini";
type Json = Record<string, unknown>;

const CJK = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff00-\uffef]/g;

function textTokens(text: string): number {
  const cjk = text.match(CJK)?.length ?? 0;
  return cjk + Math.ceil((text.length - cjk) / 4);
}

/** Prompt tokens of an OpenAI chat body as `metered` counts them. */
export function meteredPromptTokens(body: Json): number {
  let n = 0;
  for (const m of (body.messages as Json[]) ?? []) {
    n += 4;
    const content = m.content;
    if (typeof content === "string") n += textTokens(content);
    else if (Array.isArray(content)) {
      for (const part of content as Json[]) {
        if (part.type === "text") n += textTokens(String(part.text));
        else if (part.type === "image_url") n += 765;
      }
    }
  }
  if (Array.isArray(body.tools)) n += Math.ceil(JSON.stringify(body.tools).length / 4);
  return n;
}

/** The last user text, from an OpenAI or Anthropic `messages` or a Gemini `contents` list. */
function lastUserText(body: Json): string {
  const textOf = (parts: unknown): string =>
    typeof parts === "string"
      ? parts
      : Array.isArray(parts)
        ? parts.map((p: Json) => (typeof p.text === "string" ? p.text : "")).join("")
        : "";
  const contents = body.contents as Json[] | undefined;
  if (contents) return textOf(contents.at(-1)?.parts);
  const messages = (body.messages as Json[] | undefined) ?? [];
  return textOf(messages.at(-1)?.content);
}

/** An ordinary answer of `text` in `api`'s wire format, plain or streamed. */
function answer(api: Api, model: string, text: string, stream: boolean): Response {
  if (api === "anthropic") {
    const message = {
      id: "msg_hostile",
      type: "message",
      role: "assistant",
      model,
      content: [{ type: "text", text }],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: { input_tokens: 5, output_tokens: 5 },
    };
    if (!stream) return Response.json(message);
    const event = (type: string, data: Json) =>
      `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
    return sse([
      event("message_start", {
        message: {
          ...message,
          content: [],
          stop_reason: null,
          usage: { input_tokens: 5, output_tokens: 0 },
        },
      }),
      event("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
      event("content_block_delta", { index: 0, delta: { type: "text_delta", text } }),
      event("content_block_stop", { index: 0 }),
      event("message_delta", {
        delta: { stop_reason: "end_turn", stop_sequence: null },
        usage: { output_tokens: 5 },
      }),
      event("message_stop", {}),
    ]);
  }
  if (api === "gemini") {
    const reply = {
      candidates: [
        { content: { role: "model", parts: [{ text }] }, finishReason: "STOP", index: 0 },
      ],
      usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 5, totalTokenCount: 10 },
      modelVersion: model,
    };
    return stream ? sse([`data: ${JSON.stringify(reply)}\n\n`]) : Response.json(reply);
  }
  const usage = { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 };
  if (stream)
    return sse([
      chunk(model, { role: "assistant", content: text }),
      chunk(model, {}, "stop", usage),
      "data: [DONE]\n\n",
    ]);
  return Response.json(chatCompletion(model, text, usage));
}

const sse = (events: string[]) =>
  new Response(events.join(""), { headers: { "content-type": "text/event-stream" } });

function chatCompletion(model: string, content: unknown, usage: unknown, extra: Json = {}) {
  return {
    id: "chatcmpl-hostile",
    object: "chat.completion",
    created: 1,
    model,
    choices: [
      { index: 0, message: { role: "assistant", content, ...extra }, finish_reason: "stop" },
    ],
    usage,
  };
}

function chunk(model: string, delta: Json, finish: string | null = null, usage?: Json): string {
  const body: Json = {
    id: "chatcmpl-hostile",
    object: "chat.completion.chunk",
    created: 1,
    model,
    choices: [{ index: 0, delta, finish_reason: finish }],
  };
  if (usage) body.usage = usage;
  return `data: ${JSON.stringify(body)}\n\n`;
}

/** A body of `mib` MiB, sent in 64 KiB pieces with no Content-Length. */
function hugeBody(prefix: string, mib: number, suffix: string): ReadableStream<Uint8Array> {
  const piece = new Uint8Array(64 * 1024).fill(0x61);
  let left = mib * 16;
  let started = false;
  return new ReadableStream({
    pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(new TextEncoder().encode(prefix));
        return;
      }
      if (left-- > 0) controller.enqueue(piece);
      else {
        controller.enqueue(new TextEncoder().encode(suffix));
        controller.close();
      }
    },
  });
}

function errorBody(api: Api, status: number, text: string): Json {
  if (api === "anthropic")
    return { type: "error", error: { type: text, message: text, details: { error_code: text } } };
  if (api === "gemini")
    return { error: { code: status, message: text, status: text, details: [{ reason: text }] } };
  return { error: { message: text, type: text, code: text, param: text } };
}

function unauthorized(api: Api): Response {
  const body =
    api === "anthropic"
      ? { type: "error", error: { type: "authentication_error", message: "invalid x-api-key" } }
      : api === "gemini"
        ? { error: { code: 401, message: "API key not valid.", status: "UNAUTHENTICATED" } }
        : {
            error: {
              message: "Incorrect API key provided.",
              type: "invalid_request_error",
              code: "invalid_api_key",
              param: null,
            },
          };
  return Response.json(body, { status: 401 });
}

function leakStream(api: Api, key: string): Response {
  const error = JSON.stringify(errorBody(api, 500, key));
  if (api === "anthropic") {
    // An `error` event whose body does not even say it is one: its type is the key too.
    const hostile = JSON.stringify({ ...errorBody(api, 500, key), type: key });
    const start = {
      type: "message_start",
      message: {
        id: "msg_hostile",
        type: "message",
        role: "assistant",
        model: "leak-stream",
        content: [],
        stop_reason: null,
        usage: { input_tokens: 1, output_tokens: 0 },
      },
    };
    return sse([
      `event: message_start\ndata: ${JSON.stringify(start)}\n\n`,
      `event: error\ndata: ${hostile}\n\n`,
    ]);
  }
  if (api === "gemini") {
    const first = { candidates: [{ content: { role: "model", parts: [{ text: "Hi" }] } }] };
    return sse([`data: ${JSON.stringify(first)}\n\n`, `data: ${error}\n\n`]);
  }
  return sse([chunk("leak-stream", { role: "assistant", content: "Hi" }), `data: ${error}\n\n`]);
}

function metered(body: Json, model: string): Response {
  const n = typeof body.n === "number" ? body.n : 1;
  const max = (body.max_completion_tokens ?? body.max_tokens ?? 1024) as number;
  const prompt = meteredPromptTokens(body);
  const choices = Array.from({ length: n }, (_, index) => ({
    index,
    message: { role: "assistant", content: "tok ".repeat(max) },
    finish_reason: "length",
  }));
  const usage = {
    prompt_tokens: prompt,
    completion_tokens: max * n,
    total_tokens: prompt + max * n,
  };
  return Response.json({ ...chatCompletion(model, "", usage), choices });
}

export function startHostileUpstream(key: string, port = 0): HostileUpstream {
  const seen = new Map<string, number>();
  const state = { aborted: 0 };
  const origin = (): string => `http://127.0.0.1:${server.port}`;

  function behave(
    api: Api,
    model: string,
    body: Json,
    stream: boolean,
    signal: AbortSignal,
  ): Response | Promise<Response> {
    const name = model.slice(model.lastIndexOf("/") + 1);
    const count = (seen.get(model) ?? 0) + 1;
    seen.set(model, count);
    if (name === "leak") return Response.json(errorBody(api, 400, key), { status: 400 });
    if (name === "leak-429")
      return Response.json(errorBody(api, 429, key), {
        status: 429,
        headers: { "retry-after": "1" },
      });
    if (name === "leak-stream") return leakStream(api, key);
    if (name === "leak-body")
      return new Response(key, { headers: { "content-type": "application/json" } });
    if (name === "stall")
      return new Promise<Response>((_, reject) =>
        signal.addEventListener("abort", () => reject(new Error("aborted")), { once: true }),
      );
    if (name === "silent-stream") {
      return new Response(
        new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode(chunk(model, { role: "assistant" })));
          },
        }),
        { headers: { "content-type": "text/event-stream" } },
      );
    }
    const huge = /^huge-(\d+)$/.exec(name);
    if (huge) {
      const prefix = `{"id":"x","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"`;
      return new Response(hugeBody(prefix, Number(huge[1]), `"}}]}`), {
        headers: { "content-type": "application/json" },
      });
    }
    const long = /^long-line-(\d+)$/.exec(name);
    if (long) {
      return new Response(hugeBody("data: ", Number(long[1]), "\n\n"), {
        headers: { "content-type": "text/event-stream" },
      });
    }
    const oddUsage = { prompt_tokens: -1_000_000, completion_tokens: "12", total_tokens: null };
    if (name === "odd-model") {
      if (stream)
        return sse([
          chunk("модель", { role: "assistant", content: "Hi" }),
          chunk("модель", {}, "stop", oddUsage),
          "data: [DONE]\n\n",
        ]);
      return Response.json(chatCompletion("модель", "Hi", oddUsage));
    }
    if (name === "odd-shape") return Response.json(chatCompletion(model, { not: "text" }, null));
    if (name === "fail") return Response.json(errorBody(api, 503, "overloaded"), { status: 503 });
    if (name === "redirect")
      return new Response(null, { status: 307, headers: { location: `${origin()}/stolen` } });
    const gzip = /^gzip-(\d+)$/.exec(name);
    if (gzip) {
      const answer = chatCompletion(model, "a".repeat(Number(gzip[1]) * 1024 * 1024), null);
      return new Response(Bun.gzipSync(JSON.stringify(answer)), {
        headers: { "content-type": "application/json", "content-encoding": "gzip" },
      });
    }
    if (name === "ping-stream" || name === "slow-error") {
      const first =
        name === "ping-stream" ? chunk(model, { role: "assistant", content: "Hi" }) : "{";
      let timer: ReturnType<typeof setInterval> | undefined;
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(first));
          timer = setInterval(() => {
            try {
              controller.enqueue(
                new TextEncoder().encode(name === "ping-stream" ? ": ping\n\n" : " "),
              );
            } catch {
              clearInterval(timer);
            }
          }, 50);
          signal.addEventListener("abort", () => clearInterval(timer), { once: true });
        },
        cancel: () => clearInterval(timer),
      });
      return new Response(body, {
        status: name === "slow-error" ? 500 : 200,
        headers: {
          "content-type": name === "ping-stream" ? "text/event-stream" : "application/json",
        },
      });
    }
    if (name === "tool-then-fail") {
      if (count > 1) return Response.json(errorBody(api, 503, "overloaded"), { status: 503 });
      const tool = ((body.tools as Json[] | undefined)?.[0]?.function as Json | undefined)?.name;
      const call = {
        id: "call_1",
        type: "function",
        function: { name: String(tool), arguments: '{"path":"notes.txt"}' },
      };
      return Response.json({
        ...chatCompletion(
          model,
          null,
          { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 },
          {
            tool_calls: [call],
          },
        ),
        choices: [
          {
            index: 0,
            message: { role: "assistant", content: null, tool_calls: [call] },
            finish_reason: "tool_calls",
          },
        ],
      });
    }
    if (name === "metered") return metered(body, model);
    return answer(api, model, `You said: ${lastUserText(body)}`, stream);
  }

  const server = Bun.serve({
    port,
    hostname: "127.0.0.1",
    idleTimeout: 0,
    async fetch(req) {
      req.signal.addEventListener("abort", () => state.aborted++, { once: true });
      const url = new URL(req.url);
      if (url.pathname === "/stolen") {
        // Where a redirect points: anything that arrives here was sent on by the gateway.
        const carried = [...req.headers.values()].some((v) => v.includes(key));
        seen.set("stolen", (seen.get("stolen") ?? 0) + 1);
        if (carried) seen.set("stolen-with-key", (seen.get("stolen-with-key") ?? 0) + 1);
        return Response.json({ error: { message: "redirected here" } }, { status: 404 });
      }
      const gemini = /^\/v1(?:beta)?\/models\/(.+):(generateContent|streamGenerateContent)$/.exec(
        url.pathname,
      );
      const api: Api = gemini ? "gemini" : url.pathname === "/v1/messages" ? "anthropic" : "openai";
      // Anthropic takes its key in x-api-key (as the gateway sends it) or as a bearer token (as
      // its SDK sends it).
      const bearer = req.headers.get("authorization")?.replace(/^Bearer /, "");
      const given =
        api === "anthropic"
          ? (req.headers.get("x-api-key") ?? bearer)
          : api === "gemini"
            ? req.headers.get("x-goog-api-key")
            : bearer;
      if (given !== key) return unauthorized(api);
      const body = (await req.json()) as Json;
      const model = gemini ? decodeURIComponent(gemini[1]!) : String(body.model);
      const stream = gemini ? gemini[2] === "streamGenerateContent" : body.stream === true;
      return behave(api, model, body, stream, req.signal);
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    seen,
    get aborted() {
      return state.aborted;
    },
    stop: () => server.stop(true),
  };
}
