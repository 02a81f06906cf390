/**
 * The project's mock upstreams as a standalone server, for benchmarks and manual testing:
 *   bun bench/mock-upstream.ts --dialect openai --port 9000 --latency 20 --jitter 5 --words 64
 * Point a provider of type "openai" at http://127.0.0.1:9000/v1 (type "anthropic" or "gemini" at
 * http://127.0.0.1:9000 with `--dialect anthropic|gemini`). Model names ask for faults:
 * `fail-<status>`, `stall`, `slow-<ms>` (see docs/configuration.md). With `--tls-cert` and
 * `--tls-key` it serves HTTPS, offering HTTP/2 by ALPN (HTTP/1.1 to clients that do not ask for it).
 */
import { parseArgs } from "node:util";
import {
  createMockAnthropic,
  createMockGemini,
  createMockOpenAi,
} from "../src/providers/mock/index.ts";

const FACTORIES = {
  openai: createMockOpenAi,
  anthropic: createMockAnthropic,
  gemini: createMockGemini,
};

const { values } = parseArgs({
  options: {
    dialect: { type: "string", default: "openai" },
    port: { type: "string", default: "9000" },
    host: { type: "string", default: "127.0.0.1" },
    latency: { type: "string", default: "0" },
    jitter: { type: "string", default: "0" },
    "chunk-delay": { type: "string", default: "0" },
    "error-rate": { type: "string", default: "0" },
    words: { type: "string" },
    "tls-cert": { type: "string" },
    "tls-key": { type: "string" },
  },
  strict: true,
});

function num(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0)
    throw new Error(`--${name} expects a non-negative number, got "${text}"`);
  return n;
}

const dialect = values.dialect as keyof typeof FACTORIES;
if (!Object.hasOwn(FACTORIES, dialect)) {
  throw new Error(`--dialect expects openai, anthropic or gemini, got "${values.dialect}"`);
}
const handle = FACTORIES[dialect]({
  latencyMs: num("latency", values.latency),
  jitterMs: num("jitter", values.jitter),
  chunkDelayMs: num("chunk-delay", values["chunk-delay"]),
  errorRate: num("error-rate", values["error-rate"]),
  ...(values.words === undefined ? {} : { replyWords: num("words", values.words) }),
});

const tls =
  values["tls-cert"] && values["tls-key"]
    ? { cert: Bun.file(values["tls-cert"]), key: Bun.file(values["tls-key"]) }
    : undefined;
const server = Bun.serve({
  port: num("port", values.port),
  hostname: values.host,
  fetch: handle,
  // Bun's `http2` serve option is not in its types yet.
  ...(tls ? ({ tls, http2: true } as object) : {}),
});
const suffix = dialect === "openai" ? "/v1" : "";
console.log(
  `mock ${dialect} upstream on ${tls ? "https" : "http"}://${values.host}:${server.port}${suffix}`,
);
