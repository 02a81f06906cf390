/**
 * Loading: read the JSON file, validate it against the schema, fill defaults, resolve `env.NAME`
 * references, check what the schema cannot, and freeze the result.
 */
import { Value } from "@sinclair/typebox/value";
import type { Static } from "@sinclair/typebox";
import {
  ConfigSchema,
  NAME_PATTERN,
  ProviderSchema,
  RouteSchema,
  type ConfigInput,
} from "./schema.ts";
import { dirname, isAbsolute, resolve } from "node:path";
import {
  ConfigError,
  type Config,
  type McpConfig,
  type McpServerConfig,
  type PluginEntry,
  type ProviderConfig,
  type RouteConfig,
} from "./config.ts";

type RouteInput = Static<typeof RouteSchema>;
import { DEFAULT_CONFIG } from "./defaults.ts";
import { MODEL_NAME_RULE, UNSAFE_MODEL } from "../core/models.ts";

export type Env = Readonly<Record<string, string | undefined>>;

export interface LoadOptions {
  /** Path of a JSON config file; without one the embedded default (the `mock` provider) is used. */
  file?: string;
  env?: Env;
  /** Command-line values, which win over the environment and the file. */
  overrides?: { port?: number; host?: string };
}

const ENV_REF = /^env\.([A-Za-z_][A-Za-z0-9_]*)$/;
const NAME_RE = new RegExp(NAME_PATTERN);

/** Resolves where the config comes from and returns it validated and frozen. */
export async function loadConfig(options: LoadOptions = {}): Promise<Config> {
  const env = options.env ?? process.env;
  const raw = options.file === undefined ? DEFAULT_CONFIG : await readJsonFile(options.file);
  const overrides = { ...envOverrides(env), ...definedOnly(options.overrides ?? {}) };
  const baseDir = options.file === undefined ? process.cwd() : dirname(resolve(options.file));
  return parseConfig(raw, env, overrides, baseDir);
}

async function readJsonFile(path: string): Promise<unknown> {
  const file = Bun.file(path);
  if (!(await file.exists())) throw new ConfigError("", `config file not found: ${path}`);
  const text = await file.text();
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError("", `config file ${path} is not valid JSON: ${(err as Error).message}`);
  }
}

function envOverrides(env: Env): { port?: number; host?: string } {
  const out: { port?: number; host?: string } = {};
  if (env.PORT !== undefined && env.PORT !== "") out.port = parsePort(env.PORT, "PORT");
  if (env.HOST !== undefined && env.HOST !== "") out.host = env.HOST;
  return out;
}

export function parsePort(text: string, field: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(field, `expected a port number between 0 and 65535, got "${text}"`);
  }
  return port;
}

function definedOnly<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Validates a parsed config document; throws ConfigError naming the first bad field. */
export function parseConfig(
  raw: unknown,
  env: Env = process.env,
  overrides: { port?: number; host?: string } = {},
  /** Where relative paths in the document (plugins, SQLite file) start from. */
  baseDir: string = process.cwd(),
): Config {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ConfigError("", "the config must be a JSON object");
  }
  for (const field of ["server", "providers", "models", "logging", "storage", "mcp"] as const) {
    const value = (raw as Record<string, unknown>)[field];
    if (Array.isArray(value)) throw new ConfigError(field, "expected an object, got an array");
  }
  const doc = Value.Default(ConfigSchema, structuredClone(raw)) as ConfigInput;
  // TypeBox does not fill defaults inside Record values; do the providers by hand.
  if (typeof doc.providers === "object" && doc.providers !== null) {
    for (const [name, p] of Object.entries(doc.providers)) {
      if (Array.isArray((p as { headers?: unknown }).headers)) {
        throw new ConfigError(`providers.${name}.headers`, "expected an object, got an array");
      }
      doc.providers[name] = Value.Default(ProviderSchema, p) as typeof p;
    }
  }
  if (typeof doc.models === "object" && doc.models !== null) {
    for (const [alias, route] of Object.entries(doc.models)) {
      if (typeof route === "object" && route !== null && !Array.isArray(route)) {
        doc.models[alias] = Value.Default(RouteSchema, route) as RouteInput;
      }
    }
  }
  const first = Value.Errors(ConfigSchema, doc).First();
  if (first) throw new ConfigError(fieldName(first.path), first.message);

  resolveEnvRefs(doc, "", env);
  const providers: Record<string, ProviderConfig> = {};
  for (const [name, p] of Object.entries(doc.providers)) {
    const field = `providers.${name}`;
    if (!NAME_RE.test(name)) {
      throw new ConfigError(field, "a provider name may hold letters, digits, '.', '_' and '-'");
    }
    const type = p.type ?? name;
    if (p.mock !== undefined && type !== "mock") {
      throw new ConfigError(`${field}.mock`, "only a provider of type 'mock' takes mock options");
    }
    if (p.base_url !== undefined) checkUrl(p.base_url, `${field}.base_url`);
    checkHeaders(p.headers, p.keys, field);
    providers[name] = {
      name,
      type,
      ...(p.base_url === undefined ? {} : { base_url: p.base_url.replace(/\/+$/, "") }),
      keys: p.keys,
      headers: p.headers,
      timeout_ms: p.timeout_ms,
      ...(p.first_byte_timeout_ms === undefined
        ? {}
        : { first_byte_timeout_ms: p.first_byte_timeout_ms }),
      headers_timeout_ms: p.headers_timeout_ms,
      stream_idle_timeout_ms: p.stream_idle_timeout_ms,
      max_response_bytes: p.max_response_bytes,
      max_event_bytes: p.max_event_bytes,
      retry: p.retry,
      breaker: p.breaker,
      key_cooldown_ms: p.key_cooldown_ms,
      http2: p.http2,
      ...(p.ca_file === undefined ? {} : { ca_file: p.ca_file }),
      models: p.models,
      pool: p.pool,
      mock: { latency_ms: 0, chunk_delay_ms: 0, ...p.mock },
    };
  }
  const models: Record<string, RouteConfig> = {};
  for (const [alias, route] of Object.entries(doc.models)) {
    models[alias] = resolveRoute(alias, route, providers);
  }
  const config: Config = {
    server: { ...doc.server, ...definedOnly(overrides) },
    providers,
    models,
    logging: doc.logging,
    storage: {
      ...doc.storage,
      sqlite_path: inDir(baseDir, doc.storage.sqlite_path),
    },
    plugins: doc.plugins.map((entry, i) => pluginEntry(entry, `plugins[${i}]`, baseDir)),
    mcp: mcpConfig(doc.mcp, baseDir),
    ...(doc.governance === undefined ? {} : { governance: doc.governance }),
  };
  const names = config.plugins.flatMap((p) => (p.name ? [p.name] : []));
  if (names.includes("governance")) {
    throw new ConfigError("plugins", "configure governance in the top-level 'governance' section");
  }
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new ConfigError("plugins", `plugin "${twice}" is listed twice`);
  return deepFreeze(config);
}

/**
 * Upstream headers and keys must be sendable as HTTP headers (the upstream client builds each
 * key's headers once, at start). The message names the field, never the value: it may be a secret.
 */
function checkHeaders(
  headers: Record<string, string>,
  keys: readonly { value: string }[],
  field: string,
): void {
  for (const [name, value] of Object.entries(headers)) {
    try {
      new Headers({ [name]: value });
    } catch {
      throw new ConfigError(
        `${field}.headers.${name}`,
        "not a valid HTTP header (a name with spaces or symbols, or a value with a line break?)",
      );
    }
  }
  keys.forEach((key, i) => {
    try {
      new Headers({ authorization: `Bearer ${key.value}` });
    } catch {
      throw new ConfigError(
        `${field}.keys[${i}].value`,
        "holds characters an HTTP header cannot carry (a line break?)",
      );
    }
  });
}

function mcpConfig(input: ConfigInput["mcp"], baseDir: string): McpConfig {
  const names = new Set<string>();
  const servers = input.servers.map((server, i): McpServerConfig => {
    const field = `mcp.servers[${i}]`;
    if (names.has(server.name))
      throw new ConfigError(`${field}.name`, `"${server.name}" is listed twice`);
    names.add(server.name);
    if (server.transport === "stdio" && server.command === undefined) {
      throw new ConfigError(`${field}.command`, "a stdio server needs a command");
    }
    if (server.transport !== "stdio") {
      if (server.url === undefined)
        throw new ConfigError(`${field}.url`, `a ${server.transport} server needs a url`);
      checkUrl(server.url, `${field}.url`);
    }
    return { ...server, ...(server.cwd === undefined ? {} : { cwd: inDir(baseDir, server.cwd) }) };
  });
  return { servers, tools: input.tools, agent: input.agent };
}

function inDir(baseDir: string, path: string): string {
  return path === ":memory:" || isAbsolute(path) ? path : resolve(baseDir, path);
}

function pluginEntry(
  entry: ConfigInput["plugins"][number],
  field: string,
  baseDir: string,
): PluginEntry {
  if ((entry.name === undefined) === (entry.path === undefined)) {
    throw new ConfigError(field, "a plugin needs either 'name' (a built-in) or 'path' (a module)");
  }
  return {
    ...(entry.name === undefined ? {} : { name: entry.name }),
    ...(entry.path === undefined ? {} : { path: inDir(baseDir, entry.path) }),
    config: entry.config ?? {},
    optional: entry.optional,
    timeout_ms: entry.timeout_ms,
  };
}

/** A `"provider/model"` naming a configured provider, or a ConfigError at `field`. */
function checkTarget(target: string, field: string, providers: Record<string, ProviderConfig>) {
  const slash = target.indexOf("/");
  if (slash <= 0 || target.endsWith("/")) {
    throw new ConfigError(field, `expected "provider/model", got "${target}"`);
  }
  const provider = target.slice(0, slash);
  if (!Object.hasOwn(providers, provider)) {
    throw new ConfigError(field, `refers to unknown provider "${provider}"`);
  }
  if (UNSAFE_MODEL.test(target.slice(slash + 1))) {
    throw new ConfigError(field, `"${target}": ${MODEL_NAME_RULE}`);
  }
}

/** An alias as a route: a plain string is one target; defaults filled, every name checked. */
function resolveRoute(
  alias: string,
  input: string | RouteInput,
  providers: Record<string, ProviderConfig>,
): RouteConfig {
  const field = `models.${alias}`;
  if (typeof input === "string") {
    checkTarget(input, field, providers);
    return { targets: [{ model: input, weight: 1 }], fallbacks: [], strategy: "weighted" };
  }
  const route = input;
  route.targets.forEach((t, i) => checkTarget(t.model, `${field}.targets[${i}].model`, providers));
  route.fallbacks.forEach((f, i) => checkTarget(f, `${field}.fallbacks[${i}]`, providers));
  return {
    targets: route.targets.map((t) => ({ model: t.model, weight: t.weight })),
    fallbacks: route.fallbacks,
    strategy: route.strategy,
  };
}

function checkUrl(value: string, field: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(field, `not a valid URL: "${value}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigError(field, `expected an http or https URL, got "${value}"`);
  }
}

/** Replaces every string value `env.NAME` with the variable's value, in place. */
function resolveEnvRefs(node: unknown, path: string, env: Env): void {
  if (typeof node !== "object" || node === null) return;
  const entries: [string | number, unknown][] = Array.isArray(node)
    ? node.map((v, i) => [i, v])
    : Object.entries(node);
  for (const [key, value] of entries) {
    const field = typeof key === "number" ? `${path}[${key}]` : path ? `${path}.${key}` : key;
    if (typeof value === "string") {
      const ref = ENV_REF.exec(value);
      if (!ref) continue;
      const resolved = env[ref[1]!];
      if (resolved === undefined || resolved === "") {
        throw new ConfigError(field, `environment variable ${ref[1]} is not set`);
      }
      (node as Record<string | number, unknown>)[key] = resolved;
    } else {
      resolveEnvRefs(value, field, env);
    }
  }
}

/** `/providers/openai/keys/0/value` -> `providers.openai.keys[0].value` */
export function fieldName(pointer: string): string {
  return pointer
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce(
      (acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part),
      "",
    );
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
