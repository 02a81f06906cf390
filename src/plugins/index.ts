/**
 * The public plugin API: everything a plugin imports. Plugins import this module and nothing
 * else from the gateway (`import { definePlugin, Type } from "switchyard/plugins"`, or by path).
 */
export { Type, type Static, type TSchema } from "@sinclair/typebox";
export { definePlugin } from "./types.ts";
export type {
  AuthorizeResult,
  Caller,
  ChunkResult,
  HookName,
  HookTiming,
  OperatorAccess,
  Plugin,
  PluginContext,
  PluginDefinition,
  PluginErrorSpec,
  PostHookResult,
  PreHookResult,
  RouteHandler,
  SetupContext,
  StreamEndResult,
} from "./types.ts";
export type {
  ChatChunk,
  ChunkChoice,
  FinishReason,
  ChatMessage,
  ChatRequest,
  ChatResponse,
  ContentPart,
  Usage,
} from "../core/chat.ts";
export type { GatewayError, ErrorCode } from "../core/errors.ts";
export type { StorageConfig } from "../config/config.ts";
export type { Logger } from "../observability/logger.ts";
export type { MetricsHandle } from "../observability/metrics-handle.ts";
export { Assembler, responseChunks } from "../core/assemble.ts";
export { mapRequestText, mapResponseText, mapChunkText, type TextMapper } from "./text.ts";
export { hasBearer, jsonError, unavailable } from "./http.ts";
export { migratePostgres, migrateSqlite, type Migrations } from "./migrate.ts";
export { whereClause } from "./sql.ts";
export { textReply, type ReplyOptions } from "./reply.ts";
export { connectRedis, type RedisConnection, type RedisOptions } from "./redis.ts";
export { guardPostgres } from "./postgres.ts";
export { throttle } from "./throttle.ts";
export {
  DependencyUnavailable,
  guardDependency,
  type Dependency,
  type DependencyOptions,
} from "./dependency.ts";
export {
  lastMessageText,
  messageText,
  promptTokens as estimatePromptTokens,
  textTokens,
} from "../core/tokens.ts";
export { globMatcher } from "../router/glob.ts";
