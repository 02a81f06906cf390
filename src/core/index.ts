export type * from "./chat.ts";
export type * from "./embeddings.ts";
export type * from "./models.ts";
export { GatewayError } from "./errors.ts";
export type { ErrorCode, ErrorSource, GatewayErrorData, GatewayErrorOptions } from "./errors.ts";
export type * from "./stream.ts";
export type { UpstreamErrorInfo } from "./errors.ts";
