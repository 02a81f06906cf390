/**
 * Loading the configured plugins: import each module (a built-in from the top-level `plugins/`
 * folder by name, or a file by path), check its shape, validate its config against the schema it
 * declares (defaults filled in), and run its `setup`. Any problem stops start-up with a
 * `ConfigError` naming the entry, except for an `optional` plugin, which is left out with a warning.
 */
import { Value } from "@sinclair/typebox/value";
import {
  ConfigError,
  type Config,
  type PluginEntry,
  type StorageConfig,
} from "../config/config.ts";
import { fieldName } from "../config/load.ts";
import { configuredModels } from "../config/catalogue.ts";
import type { Logger } from "../observability/logger.ts";
import type { Metrics } from "../observability/metrics.ts";
import type { LoadedPlugin } from "./context.ts";
import { hasBearer } from "./http.ts";
import {
  instantiate,
  type OperatorAccess,
  type Plugin,
  type PluginDefinition,
  type RouteHandler,
  type SetupContext,
} from "./types.ts";

export interface PluginRoute {
  method: string;
  path: string;
  plugin: string;
  handler: RouteHandler;
}

export interface PluginSet {
  readonly plugins: readonly LoadedPlugin[];
  readonly routes: readonly PluginRoute[];
  /** Runs every plugin's `shutdown`, last plugin first. */
  shutdown(): Promise<void>;
}

const BUILTIN_DIR = new URL("../../plugins/", import.meta.url);
const HOOKS = [
  "setup",
  "preHook",
  "postHook",
  "onStreamChunk",
  "onStreamEnd",
  "authorize",
  "shutdown",
] as const;
const NAME = /^[a-z0-9][a-z0-9-]*$/;

export const NO_PLUGINS: PluginSet = { plugins: [], routes: [], shutdown: async () => {} };

function where(entry: PluginEntry): string {
  return entry.name === undefined ? `module ${entry.path}` : `built-in plugin "${entry.name}"`;
}

async function importPlugin(entry: PluginEntry, field: string): Promise<Plugin> {
  const url =
    entry.name === undefined
      ? entry.path!
      : new URL(`${entry.name}/index.ts`, BUILTIN_DIR).pathname;
  let mod: { default?: unknown };
  try {
    mod = (await import(url)) as { default?: unknown };
  } catch (err) {
    const reason =
      entry.name !== undefined && !(await Bun.file(url).exists())
        ? `there is no built-in plugin "${entry.name}"`
        : `cannot load ${where(entry)}: ${(err as Error).message}`;
    throw new ConfigError(field, reason);
  }
  const def = mod.default as PluginDefinition | undefined;
  let plugin: Partial<Plugin> | undefined;
  try {
    plugin = typeof def === "function" ? (instantiate(def) as Partial<Plugin> | undefined) : def;
  } catch (err) {
    throw new ConfigError(
      field,
      `${where(entry)}: making the plugin failed: ${(err as Error).message}`,
    );
  }
  if (typeof plugin !== "object" || plugin === null) {
    throw new ConfigError(
      field,
      `${where(entry)} has no default export (export default definePlugin({...}))`,
    );
  }
  if (typeof plugin.name !== "string" || !NAME.test(plugin.name)) {
    throw new ConfigError(
      field,
      `${where(entry)}: 'name' must be lower-case letters, digits and '-'`,
    );
  }
  for (const hook of HOOKS) {
    if (plugin[hook] !== undefined && typeof plugin[hook] !== "function") {
      throw new ConfigError(field, `plugin "${plugin.name}": '${hook}' must be a function`);
    }
  }
  return plugin as Plugin;
}

function validConfig(plugin: Plugin, raw: unknown, field: string): unknown {
  if (!plugin.configSchema) return raw;
  const value = Value.Default(plugin.configSchema, structuredClone(raw));
  const first = Value.Errors(plugin.configSchema, value).First();
  if (first) {
    const at = fieldName(first.path);
    throw new ConfigError(at ? `${field}.${at}` : field, first.message);
  }
  return value;
}

export interface LoadDeps {
  logger: Logger;
  metrics: Metrics;
}

/** No governance, no operator credential: what plugins started outside a gateway see. */
export const NO_OPERATOR: OperatorAccess = {
  governance: false,
  configured: false,
  allows: () => false,
};

/** The operator's credential from the config: governance's `admin_key`, when it is on. */
export function operatorAccess(config: Config): OperatorAccess {
  const governance = config.governance as { enabled?: unknown; admin_key?: unknown } | undefined;
  const on = governance !== undefined && governance.enabled !== false;
  const key = on && typeof governance.admin_key === "string" ? governance.admin_key : undefined;
  return {
    governance: on,
    configured: key !== undefined,
    allows: (request) => key !== undefined && hasBearer(request, key),
  };
}

export interface PluginSettings {
  config: unknown;
  optional: boolean;
  timeoutMs: number;
}

/** Validates a plugin's config and runs its setup; `field` names the entry in errors. */
export async function startPlugin(
  plugin: Plugin,
  settings: PluginSettings,
  deps: LoadDeps & { storage: StorageConfig; admin: OperatorAccess; models?: readonly string[] },
  field: string,
): Promise<{ loaded: LoadedPlugin; routes: PluginRoute[] }> {
  // A built-in configured by a top-level section (`governance`) names that section's fields.
  const configField = field === GOVERNANCE_FIELD ? field : `${field}.config`;
  const pluginConfig = validConfig(plugin, settings.config, configField);
  const logger = deps.logger.child({ plugin: plugin.name });
  const routes: PluginRoute[] = [];
  const setup: SetupContext = {
    config: pluginConfig,
    logger,
    metrics: deps.metrics.handle,
    storage: deps.storage,
    admin: deps.admin,
    models: deps.models ?? [],
    route(method, path, handler) {
      routes.push({ method, path, plugin: plugin.name, handler });
    },
  };
  try {
    await plugin.setup?.(setup);
  } catch (err) {
    throw new ConfigError(
      field,
      `plugin "${plugin.name}" failed to start: ${(err as Error).message}`,
    );
  }
  const loaded: LoadedPlugin = {
    plugin,
    name: plugin.name,
    config: pluginConfig,
    optional: settings.optional,
    timeoutMs: settings.timeoutMs,
    logger,
    metrics: deps.metrics.handle,
  };
  return { loaded, routes };
}

export async function loadPlugins(config: Config, deps: LoadDeps): Promise<PluginSet> {
  const plugins: LoadedPlugin[] = [];
  const routes: PluginRoute[] = [];
  const admin = operatorAccess(config);
  const models = configuredModels(config);
  for (const { entry, field } of entriesOf(config)) {
    try {
      const plugin = await importPlugin(entry, field);
      if (plugins.some((p) => p.name === plugin.name)) {
        throw new ConfigError(field, `plugin "${plugin.name}" is loaded twice`);
      }
      const settings = {
        config: entry.config,
        optional: entry.optional,
        timeoutMs: entry.timeout_ms,
      };
      const started = await startPlugin(
        plugin,
        settings,
        { ...deps, storage: config.storage, admin, models },
        field,
      );
      plugins.push(started.loaded);
      routes.push(...started.routes);
    } catch (err) {
      if (!entry.optional) {
        await shutdownAll(plugins, deps.logger);
        throw err;
      }
      deps.logger.warn("optional plugin left out", { entry: field, error: (err as Error).message });
    }
  }
  return pluginSet(plugins, routes, deps.logger);
}

/**
 * The plugins to load, in order: the `plugins` list, with `governance` (when its top-level
 * section is there and enabled) placed after the observers that lead the list (`telemetry`,
 * `logging`: so refused requests are still timed and logged) and before everything else (it
 * decides whether a request runs at all; a cache must not answer a caller it would refuse).
 */
function entriesOf(config: Config): { entry: PluginEntry; field: string }[] {
  const out = config.plugins.map((entry, i) => ({ entry, field: `plugins[${i}]` }));
  const governance = config.governance as { enabled?: unknown } | undefined;
  if (governance !== undefined && governance.enabled !== false) {
    const entry = {
      name: "governance",
      config: governance,
      optional: false,
      timeout_ms: GOVERNANCE_TIMEOUT_MS,
    };
    let at = 0;
    while (at < out.length && OBSERVERS.has(out[at]!.entry.name ?? "")) at++;
    out.splice(at, 0, { entry, field: GOVERNANCE_FIELD });
  }
  return out;
}

const OBSERVERS = new Set(["telemetry", "logging"]);
const GOVERNANCE_FIELD = "governance";

/** Redis and the store answer within this, or the request fails (never hangs). */
const GOVERNANCE_TIMEOUT_MS = 5000;

export function pluginSet(
  plugins: LoadedPlugin[],
  routes: PluginRoute[],
  logger: Logger,
): PluginSet {
  return { plugins, routes, shutdown: () => shutdownAll(plugins, logger) };
}

async function shutdownAll(plugins: readonly LoadedPlugin[], logger: Logger): Promise<void> {
  for (const loaded of [...plugins].reverse()) {
    try {
      await loaded.plugin.shutdown?.();
    } catch (err) {
      logger.warn("plugin shutdown failed", { plugin: loaded.name, error: err });
    }
  }
}
