/** The `governance` section of the config, as the plugin's schema (defaults filled in). */
import { Type, type Static } from "../../src/plugins/index.ts";

const PERIOD = "^[1-9][0-9]*(m|h|d|w|mo)$";

export const RateLimitSchema = Type.Object(
  {
    requests_per_minute: Type.Optional(Type.Integer({ minimum: 1 })),
    tokens_per_minute: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);

export const BudgetSchema = Type.Object(
  {
    max_usd: Type.Number({ exclusiveMinimum: 0 }),
    /** `30m`, `1h`, `1d`, `7d`, `1w`, `1mo` (calendar month); windows are aligned to UTC. */
    period: Type.String({ pattern: PERIOD, default: "1mo" }),
  },
  { additionalProperties: false },
);

const Limits = {
  rate_limit: Type.Optional(RateLimitSchema),
  budget: Type.Optional(BudgetSchema),
};

export const VirtualKeySchema = Type.Object(
  {
    /** At least 24 characters, at least 10 of them different (checked at start). */
    key: Type.String({ minLength: 1 }),
    name: Type.String({ minLength: 1 }),
    team: Type.Optional(Type.String({ minLength: 1 })),
    customer: Type.Optional(Type.String({ minLength: 1 })),
    /** `provider/model` globs and alias names; empty allows every model. */
    allowed_models: Type.Array(Type.String({ minLength: 1 }), { default: [] }),
    /** `server/tool` and `server/*` patterns of the MCP tools the key may see and run; unset: all. */
    mcp_tools: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    ...Limits,
  },
  { additionalProperties: false },
);

const GroupSchema = Type.Object(
  { name: Type.String({ minLength: 1 }), ...Limits },
  { additionalProperties: false },
);

export const PriceSchema = Type.Object(
  {
    input_per_million: Type.Number({ minimum: 0 }),
    output_per_million: Type.Number({ minimum: 0 }),
    cached_input_per_million: Type.Optional(Type.Number({ minimum: 0 })),
  },
  { additionalProperties: false },
);

export const GovernanceSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true }),
    /** Guards `/admin`; without it the admin API is off. */
    admin_key: Type.Optional(Type.String({ minLength: 16 })),
    virtual_keys: Type.Array(VirtualKeySchema, { default: [] }),
    teams: Type.Array(GroupSchema, { default: [] }),
    customers: Type.Array(GroupSchema, { default: [] }),
    /** Prices by `provider/model` or upstream model name, over the shipped table. */
    pricing: Type.Record(Type.String(), PriceSchema, { default: {} }),
    /**
     * With the key store (PostgreSQL) unreachable: `open` keeps serving the keys this instance has
     * seen on their last known record; `closed` refuses every key it must read (503).
     */
    on_store_error: Type.Union([Type.Literal("open"), Type.Literal("closed")], { default: "open" }),
    /** With Redis unreachable: `open` keeps serving on this instance's own limits; `closed` refuses (503). */
    on_redis_error: Type.Union([Type.Literal("open"), Type.Literal("closed")], { default: "open" }),
    /**
     * A model without a price, for a key with a budget: `refuse` (403; a budget cannot count what
     * it cannot price) or `allow` (it costs 0).
     */
    unpriced: Type.Union([Type.Literal("refuse"), Type.Literal("allow")], { default: "refuse" }),
    /** Output tokens assumed for a request without `max_tokens`, when reserving up front. */
    default_output_tokens: Type.Integer({ minimum: 1, default: 1024 }),
    /** How long an instance trusts its copy of a key before reading the store again. */
    key_cache_ms: Type.Integer({ minimum: 0, maximum: 1000, default: 500 }),
  },
  { additionalProperties: false },
);

export type GovernanceConfig = Static<typeof GovernanceSchema>;
export type RateLimit = Static<typeof RateLimitSchema>;
export type Budget = Static<typeof BudgetSchema>;
export type Price = Static<typeof PriceSchema>;
