export { mock } from "./adapter.ts";
export {
  createMockOpenAi,
  openAiError,
  type MockUpstreamOptions,
  type SeenRequest,
} from "./openai-upstream.ts";
export {
  planReply,
  countTokens,
  exampleFromSchema,
  mockEmbedding,
  type MockTurn,
} from "./reply.ts";
export { createMockAnthropic, createMockGemini } from "./dialect-upstream.ts";
