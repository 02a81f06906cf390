/**
 * Recorded OpenAI traffic: a `chat.completion` body, a text stream and a tool-call stream made with
 * `stream_options.include_usage` (so every chunk carries `"usage":null` and a last chunk with no
 * choices carries the usage), a stream that fails midway, and an embeddings body. The SSE bodies
 * are kept byte for byte as the upstream sent them.
 */
import type { ProviderFixtures } from "../../../test/helpers/provider-conformance.ts";

export const chatCompletion = {
  id: "chatcmpl-BvK6pN1qWz8rTf3Ye0LmXa7cHsDgU",
  object: "chat.completion",
  created: 1753112290,
  model: "gpt-4o-mini-2024-07-18",
  choices: [
    {
      index: 0,
      message: {
        role: "assistant",
        content: "Hello! How can I assist you today?",
        refusal: null,
        annotations: [],
      },
      logprobs: null,
      finish_reason: "stop",
    },
  ],
  usage: {
    prompt_tokens: 19,
    completion_tokens: 10,
    total_tokens: 29,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  },
  service_tier: "default",
  system_fingerprint: "fp_34a54ae93c",
};

/**
 * "Bonjour ! Comment puis-je vous aider aujourd’hui ? 😊", streamed. A plain template, not
 * String.raw: Bun's transpiler rewrites non-ASCII characters inside String.raw as `\u` escapes.
 */
export const textStream = `data: {"id":"chatcmpl-BvK7sXc2aE1mQy3Rk9TLpZ0uWnDfH","object":"chat.completion.chunk","created":1753112345,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_34a54ae93c","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"Fs7x"}

data: {"id":"chatcmpl-BvK7sXc2aE1mQy3Rk9TLpZ0uWnDfH","object":"chat.completion.chunk","created":1753112345,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_34a54ae93c","choices":[{"index":0,"delta":{"content":"Bonjour"},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"3kQ"}

data: {"id":"chatcmpl-BvK7sXc2aE1mQy3Rk9TLpZ0uWnDfH","object":"chat.completion.chunk","created":1753112345,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_34a54ae93c","choices":[{"index":0,"delta":{"content":" !"},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"x"}

data: {"id":"chatcmpl-BvK7sXc2aE1mQy3Rk9TLpZ0uWnDfH","object":"chat.completion.chunk","created":1753112345,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_34a54ae93c","choices":[{"index":0,"delta":{"content":" Comment"},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"Zr"}

data: {"id":"chatcmpl-BvK7sXc2aE1mQy3Rk9TLpZ0uWnDfH","object":"chat.completion.chunk","created":1753112345,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_34a54ae93c","choices":[{"index":0,"delta":{"content":" puis"},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"9"}

data: {"id":"chatcmpl-BvK7sXc2aE1mQy3Rk9TLpZ0uWnDfH","object":"chat.completion.chunk","created":1753112345,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_34a54ae93c","choices":[{"index":0,"delta":{"content":"-je"},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"Lw0"}

data: {"id":"chatcmpl-BvK7sXc2aE1mQy3Rk9TLpZ0uWnDfH","object":"chat.completion.chunk","created":1753112345,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_34a54ae93c","choices":[{"index":0,"delta":{"content":" vous"},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"pY"}

data: {"id":"chatcmpl-BvK7sXc2aE1mQy3Rk9TLpZ0uWnDfH","object":"chat.completion.chunk","created":1753112345,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_34a54ae93c","choices":[{"index":0,"delta":{"content":" aider"},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"Q"}

data: {"id":"chatcmpl-BvK7sXc2aE1mQy3Rk9TLpZ0uWnDfH","object":"chat.completion.chunk","created":1753112345,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_34a54ae93c","choices":[{"index":0,"delta":{"content":" aujourd"},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"vT2"}

data: {"id":"chatcmpl-BvK7sXc2aE1mQy3Rk9TLpZ0uWnDfH","object":"chat.completion.chunk","created":1753112345,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_34a54ae93c","choices":[{"index":0,"delta":{"content":"’hui"},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"aB"}

data: {"id":"chatcmpl-BvK7sXc2aE1mQy3Rk9TLpZ0uWnDfH","object":"chat.completion.chunk","created":1753112345,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_34a54ae93c","choices":[{"index":0,"delta":{"content":" ?"},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"r8N"}

data: {"id":"chatcmpl-BvK7sXc2aE1mQy3Rk9TLpZ0uWnDfH","object":"chat.completion.chunk","created":1753112345,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_34a54ae93c","choices":[{"index":0,"delta":{"content":" 😊"},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"c"}

data: {"id":"chatcmpl-BvK7sXc2aE1mQy3Rk9TLpZ0uWnDfH","object":"chat.completion.chunk","created":1753112345,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_34a54ae93c","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null,"obfuscation":"Ka"}

data: {"id":"chatcmpl-BvK7sXc2aE1mQy3Rk9TLpZ0uWnDfH","object":"chat.completion.chunk","created":1753112345,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_34a54ae93c","choices":[],"usage":{"prompt_tokens":24,"completion_tokens":14,"total_tokens":38,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},"obfuscation":"wP1"}

data: [DONE]

`;

/**
 * get_weather({"location":"Paris, France","unit":"celsius"}), streamed in argument fragments
 * (String.raw keeps the JSON escapes of the fragments; this stream is ASCII only).
 */
export const toolCallStream = String.raw`data: {"id":"chatcmpl-BvK9QmT4yLd2nWc8Hs6JeRa1oXbZk","object":"chat.completion.chunk","created":1753112411,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_07871e2ad8","choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_8Jv2kRmQ0xWcN4tLpY6sHdFa","type":"function","function":{"name":"get_weather","arguments":""}}],"refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-BvK9QmT4yLd2nWc8Hs6JeRa1oXbZk","object":"chat.completion.chunk","created":1753112411,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_07871e2ad8","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\""}}]},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-BvK9QmT4yLd2nWc8Hs6JeRa1oXbZk","object":"chat.completion.chunk","created":1753112411,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_07871e2ad8","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"location"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-BvK9QmT4yLd2nWc8Hs6JeRa1oXbZk","object":"chat.completion.chunk","created":1753112411,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_07871e2ad8","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\":\""}}]},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-BvK9QmT4yLd2nWc8Hs6JeRa1oXbZk","object":"chat.completion.chunk","created":1753112411,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_07871e2ad8","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"Paris"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-BvK9QmT4yLd2nWc8Hs6JeRa1oXbZk","object":"chat.completion.chunk","created":1753112411,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_07871e2ad8","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":","}}]},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-BvK9QmT4yLd2nWc8Hs6JeRa1oXbZk","object":"chat.completion.chunk","created":1753112411,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_07871e2ad8","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":" France"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-BvK9QmT4yLd2nWc8Hs6JeRa1oXbZk","object":"chat.completion.chunk","created":1753112411,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_07871e2ad8","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\",\""}}]},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-BvK9QmT4yLd2nWc8Hs6JeRa1oXbZk","object":"chat.completion.chunk","created":1753112411,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_07871e2ad8","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"unit"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-BvK9QmT4yLd2nWc8Hs6JeRa1oXbZk","object":"chat.completion.chunk","created":1753112411,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_07871e2ad8","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\":\""}}]},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-BvK9QmT4yLd2nWc8Hs6JeRa1oXbZk","object":"chat.completion.chunk","created":1753112411,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_07871e2ad8","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"c"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-BvK9QmT4yLd2nWc8Hs6JeRa1oXbZk","object":"chat.completion.chunk","created":1753112411,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_07871e2ad8","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"elsius"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-BvK9QmT4yLd2nWc8Hs6JeRa1oXbZk","object":"chat.completion.chunk","created":1753112411,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_07871e2ad8","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"}"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-BvK9QmT4yLd2nWc8Hs6JeRa1oXbZk","object":"chat.completion.chunk","created":1753112411,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_07871e2ad8","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}],"usage":null}

data: {"id":"chatcmpl-BvK9QmT4yLd2nWc8Hs6JeRa1oXbZk","object":"chat.completion.chunk","created":1753112411,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_07871e2ad8","choices":[],"usage":{"prompt_tokens":82,"completion_tokens":18,"total_tokens":100,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}

data: [DONE]

`;

/** A stream that starts answering, then carries an error event and ends. */
export const failingStream = String.raw`data: {"id":"chatcmpl-BvK7sXc2aE1mQy3Rk9TLpZ0uWnDfH","object":"chat.completion.chunk","created":1753112345,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_34a54ae93c","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-BvK7sXc2aE1mQy3Rk9TLpZ0uWnDfH","object":"chat.completion.chunk","created":1753112345,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_34a54ae93c","choices":[{"index":0,"delta":{"content":"Bonjour"},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-BvK7sXc2aE1mQy3Rk9TLpZ0uWnDfH","object":"chat.completion.chunk","created":1753112345,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_34a54ae93c","choices":[{"index":0,"delta":{"content":" !"},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"error":{"message":"The server had an error while processing your request. Sorry about that!","type":"server_error","param":null,"code":null}}

`;

export const embeddingsResponse = {
  object: "list",
  data: [
    {
      object: "embedding",
      index: 0,
      embedding: [-0.0071890964, 0.0276413, -0.01962844, 0.0309145],
    },
  ],
  model: "text-embedding-3-small",
  usage: { prompt_tokens: 2, total_tokens: 2 },
};

const completionDetails = {
  reasoning_tokens: 0,
  audio_tokens: 0,
  accepted_prediction_tokens: 0,
  rejected_prediction_tokens: 0,
};

/** The usage the last chunk of each recorded stream reports. */
const textStreamUsage = {
  prompt_tokens: 24,
  completion_tokens: 14,
  total_tokens: 38,
  prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
  completion_tokens_details: completionDetails,
};
const toolCallStreamUsage = {
  prompt_tokens: 82,
  completion_tokens: 18,
  total_tokens: 100,
  prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
  completion_tokens_details: completionDetails,
};

export const openAiFixtures: ProviderFixtures = {
  model: "gpt-4o-mini",
  chat: {
    response: chatCompletion,
    text: "Hello! How can I assist you today?",
    usage: chatCompletion.usage,
  },
  stream: {
    sse: textStream,
    text: "Bonjour ! Comment puis-je vous aider aujourd’hui ? 😊",
    finishReason: "stop",
    usage: textStreamUsage,
  },
  toolStream: {
    sse: toolCallStream,
    name: "get_weather",
    arguments: { location: "Paris, France", unit: "celsius" },
    usage: toolCallStreamUsage,
  },
  errorStream: { sse: failingStream, code: "UPSTREAM_ERROR" },
  errorBody: (message, type, code) => ({ error: { message, type, param: null, code } }),
  auth: { header: "authorization", value: (key) => `Bearer ${key}` },
  passesUnknownFields: true,
  modelIn: "body",
  errorCodes: true,
  embeddings: { response: embeddingsResponse, dimensions: 4 },
};
