export type * from "./types.ts";
export { bindProviders, knownProviderTypes, type BoundProvider } from "./registry.ts";
export { upstreamError, openAiErrorInfo } from "./errors.ts";
