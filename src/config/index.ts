export { ConfigError } from "./config.ts";
export type { Config, LogLevel, ProviderConfig, ProviderKey, ServerConfig } from "./config.ts";
export {
  loadConfig,
  parseConfig,
  parsePort,
  fieldName,
  type Env,
  type LoadOptions,
} from "./load.ts";
export { DEFAULT_CONFIG } from "./defaults.ts";
