/**
 * The OpenAI surface's request and response schemas: they validate what the gateway reads (a bad
 * field is a 400 naming it) and describe the API in the OpenAPI document at `/docs`. Objects stay
 * open (`additionalProperties`) so fields the gateway does not model pass through untouched.
 */
// Plain TypeBox types: Elysia's own `t.Number`, `t.Integer` and `t.Boolean` coerce strings (for query
// strings), which makes every body pass through a transform walk; a JSON body needs no coercion.
import { Type as t } from "@sinclair/typebox";

const open = { additionalProperties: true } as const;

const ContentPart = t.Object(
  { type: t.String({ minLength: 1 }) },
  { ...open, description: "text, image_url, ..." },
);

const ToolCall = t.Object(
  {
    id: t.String(),
    type: t.Literal("function"),
    function: t.Object({ name: t.String(), arguments: t.String() }, open),
  },
  open,
);

const Message = t.Object(
  {
    role: t.Union(
      ["system", "developer", "user", "assistant", "tool", "function"].map((r) => t.Literal(r)),
    ),
    content: t.Optional(t.Union([t.String(), t.Null(), t.Array(ContentPart)])),
    name: t.Optional(t.String()),
    tool_calls: t.Optional(t.Array(ToolCall)),
    tool_call_id: t.Optional(t.String()),
  },
  open,
);

const FunctionTool = t.Object(
  {
    type: t.Literal("function"),
    function: t.Object(
      {
        name: t.String({ minLength: 1, maxLength: 128 }),
        description: t.Optional(t.String()),
        parameters: t.Optional(t.Record(t.String(), t.Unknown())),
      },
      open,
    ),
  },
  open,
);

const ToolChoice = t.Union([
  t.Literal("none"),
  t.Literal("auto"),
  t.Literal("required"),
  t.Object({ type: t.Literal("function"), function: t.Object({ name: t.String() }, open) }, open),
]);

const ResponseFormat = t.Object(
  { type: t.Union([t.Literal("text"), t.Literal("json_object"), t.Literal("json_schema")]) },
  open,
);

export const ChatCompletionRequest = t.Object(
  {
    model: t.String({ minLength: 1, description: "`provider/model` or an alias from the config" }),
    messages: t.Array(Message, { minItems: 1 }),
    stream: t.Optional(t.Boolean()),
    stream_options: t.Optional(
      t.Union([t.Null(), t.Object({ include_usage: t.Optional(t.Boolean()) }, open)]),
    ),
    temperature: t.Optional(t.Union([t.Number({ minimum: 0, maximum: 2 }), t.Null()])),
    top_p: t.Optional(t.Union([t.Number({ minimum: 0, maximum: 1 }), t.Null()])),
    max_tokens: t.Optional(t.Union([t.Integer({ minimum: 1 }), t.Null()])),
    max_completion_tokens: t.Optional(t.Union([t.Integer({ minimum: 1 }), t.Null()])),
    n: t.Optional(t.Union([t.Integer({ minimum: 1, maximum: 128 }), t.Null()])),
    stop: t.Optional(t.Union([t.String(), t.Array(t.String(), { maxItems: 4 }), t.Null()])),
    tools: t.Optional(t.Array(FunctionTool)),
    tool_choice: t.Optional(ToolChoice),
    response_format: t.Optional(ResponseFormat),
    user: t.Optional(t.String()),
  },
  { ...open, description: "OpenAI Chat Completions request" },
);

const Usage = t.Object(
  { prompt_tokens: t.Integer(), completion_tokens: t.Integer(), total_tokens: t.Integer() },
  open,
);

export const ChatCompletionResponse = t.Object(
  {
    id: t.String(),
    object: t.Literal("chat.completion"),
    created: t.Integer(),
    model: t.String(),
    choices: t.Array(
      t.Object(
        {
          index: t.Integer(),
          message: t.Object(
            {
              role: t.Literal("assistant"),
              content: t.Union([t.String(), t.Null()]),
              tool_calls: t.Optional(t.Array(ToolCall)),
            },
            open,
          ),
          finish_reason: t.Union([t.String(), t.Null()]),
        },
        open,
      ),
    ),
    usage: t.Optional(Usage),
  },
  {
    ...open,
    description:
      "A chat completion; with `stream: true`, a text/event-stream of `chat.completion.chunk` objects ending in `data: [DONE]`.",
  },
);

export const EmbeddingsRequestSchema = t.Object(
  {
    model: t.String({ minLength: 1 }),
    input: t.Union([
      t.String(),
      t.Array(t.String(), { minItems: 1 }),
      t.Array(t.Integer(), { minItems: 1 }),
      t.Array(t.Array(t.Integer()), { minItems: 1 }),
    ]),
    encoding_format: t.Optional(t.Union([t.Literal("float"), t.Literal("base64")])),
    dimensions: t.Optional(t.Integer({ minimum: 1 })),
    user: t.Optional(t.String()),
  },
  open,
);

export const EmbeddingsResponseSchema = t.Object(
  {
    object: t.Literal("list"),
    data: t.Array(
      t.Object({
        object: t.Literal("embedding"),
        index: t.Integer(),
        embedding: t.Union([t.Array(t.Number()), t.String()]),
      }),
    ),
    model: t.String(),
    usage: t.Object({ prompt_tokens: t.Integer(), total_tokens: t.Integer() }),
  },
  open,
);

export const ModelList = t.Object({
  object: t.Literal("list"),
  data: t.Array(
    t.Object({
      id: t.String(),
      object: t.Literal("model"),
      created: t.Integer(),
      owned_by: t.String(),
    }),
  ),
});

export const OpenAiErrorBody = t.Object({
  error: t.Object({
    message: t.String(),
    type: t.String(),
    code: t.Union([t.String(), t.Null()]),
    param: t.Union([t.String(), t.Null()]),
  }),
});
