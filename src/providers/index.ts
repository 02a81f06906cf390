export type * from "./types.ts";
export { bindProviders, knownProviderTypes, type BoundProvider } from "./registry.ts";
export { upstreamError } from "../core/upstream-error.ts";
