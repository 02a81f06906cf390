export { anthropicProvider, ANTHROPIC_VERSION } from "./adapter.ts";
