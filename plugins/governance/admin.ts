/**
 * The admin API under `/admin`, guarded by `Authorization: Bearer <admin_key>`:
 *
 *   GET    /admin/keys                 list keys (never the key itself: a `key_hint` only)
 *   POST   /admin/keys                 create; the answer holds the new key, shown once
 *   GET    /admin/keys/:id             one key
 *   PATCH  /admin/keys/:id             change name, team, customer, allowed_models, rate_limit, budget
 *   POST   /admin/keys/:id/rotate      a new key for the same record; the old one stops working
 *   DELETE /admin/keys/:id             revoke
 *   GET    /admin/keys/:id/budget      spent, reserved and remaining at every level, this window
 *   GET    /admin/usage                daily roll-ups; ?key= &team= &customer= &model= &since= &until=
 *
 * Changes are written to the store; other instances see them within `key_cache_ms`.
 */
import { Value } from "@sinclair/typebox/value";
import {
  DependencyUnavailable,
  hasBearer,
  jsonError,
  unavailable,
  Type,
  type SetupContext,
  type TSchema,
} from "../../src/plugins/index.ts";
import { BudgetSchema, RateLimitSchema } from "./config.ts";
import type { KeyDirectory } from "./directory.ts";
import { keyHint, hashKey, keyRecord, newKey } from "./keys.ts";
import { levelsOf } from "./levels.ts";
import type { Limiter } from "./limiter/types.ts";
import { MICRO } from "./pricing.ts";
import type { GovernanceStore, GroupRecord, KeyPatch, KeyRecord } from "./store/types.ts";
import type { UsageWriter } from "./usage-writer.ts";

const Editable = {
  name: Type.Optional(Type.String({ minLength: 1 })),
  team: Type.Optional(Type.Union([Type.String({ minLength: 1 }), Type.Null()])),
  customer: Type.Optional(Type.Union([Type.String({ minLength: 1 }), Type.Null()])),
  allowed_models: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
  mcp_tools: Type.Optional(Type.Union([Type.Array(Type.String({ minLength: 1 })), Type.Null()])),
  rate_limit: Type.Optional(Type.Union([RateLimitSchema, Type.Null()])),
  budget: Type.Optional(Type.Union([BudgetSchema, Type.Null()])),
};
const CreateBody = Type.Object(
  { ...Editable, name: Type.String({ minLength: 1 }) },
  { additionalProperties: false },
);
const PatchBody = Type.Object(Editable, { additionalProperties: false });
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export interface AdminDeps {
  adminKey: string;
  store: GovernanceStore;
  directory: KeyDirectory;
  limiter: Limiter;
  usage: UsageWriter;
  groups: () => ReadonlyMap<string, GroupRecord>;
}

function view(k: KeyRecord) {
  return {
    id: k.id,
    name: k.name,
    key_hint: k.keyHint,
    team: k.team,
    customer: k.customer,
    allowed_models: k.allowedModels,
    mcp_tools: k.mcpTools,
    rate_limit: k.rateLimit,
    budget: k.budget,
    source: k.source,
    created_at: new Date(k.createdAt).toISOString(),
    revoked_at: k.revokedAt === null ? null : new Date(k.revokedAt).toISOString(),
  };
}

type SchemaError = ReturnType<ReturnType<typeof Value.Errors>["First"]> & object;

/** A union reports at its own path, its members' errors nested; the deepest names the field best. */
function deepest(errors: SchemaError[]): SchemaError | undefined {
  let best: SchemaError | undefined;
  for (const e of errors) {
    const nested = deepest((e.errors ?? []).flatMap((it) => [...it]));
    for (const candidate of [e, nested]) {
      if (candidate && (!best || candidate.path.length > best.path.length)) best = candidate;
    }
  }
  return best;
}

async function body<S extends TSchema>(
  request: Request,
  schema: S,
): Promise<{ value: unknown } | { error: Response }> {
  let raw: unknown;
  try {
    raw = await request.json();
  } catch {
    return { error: jsonError(400, "The body is not valid JSON.") };
  }
  const first = deepest([...Value.Errors(schema, raw)]);
  if (first) {
    const field = first.path.replace(/^\//, "").replaceAll("/", ".") || "body";
    return {
      error: jsonError(
        400,
        `Invalid '${field}': ${first.message}.`,
        "invalid_request_error",
        field,
      ),
    };
  }
  return { value: raw };
}

function patchOf(b: Record<string, unknown>): KeyPatch {
  const p: KeyPatch = {};
  if (b.name !== undefined) p.name = b.name as string;
  if (b.team !== undefined) p.team = b.team as string | null;
  if (b.customer !== undefined) p.customer = b.customer as string | null;
  if (b.allowed_models !== undefined) p.allowedModels = b.allowed_models as string[];
  if (b.mcp_tools !== undefined) p.mcpTools = b.mcp_tools as string[] | null;
  if (b.rate_limit !== undefined) p.rateLimit = b.rate_limit as KeyPatch["rateLimit"];
  if (b.budget !== undefined) p.budget = b.budget as KeyPatch["budget"];
  return p;
}

/** The `:id` (and what follows it) of `/admin/keys/:id[/rest]`. */
function keyPath(request: Request): { id: string; rest: string } {
  const parts = new URL(request.url).pathname.split("/").slice(3);
  return { id: decodeURIComponent(parts[0] ?? ""), rest: parts.slice(1).join("/") };
}

/** The store (or Redis) did not answer: a 503 with Retry-After, not a 500. */
const storeDown = (err: DependencyUnavailable) => unavailable(`${err.message}; retry shortly.`);

export function adminRoutes(setup: SetupContext, deps: AdminDeps): void {
  const { store, directory } = deps;
  const guarded =
    (handler: (request: Request) => Promise<Response>) =>
    async (request: Request): Promise<Response> => {
      if (!hasBearer(request, deps.adminKey)) {
        return jsonError(
          401,
          "Send the admin key as Authorization: Bearer <admin_key>.",
          "authentication_error",
        );
      }
      try {
        return await handler(request);
      } catch (err) {
        if (!(err instanceof DependencyUnavailable)) throw err;
        return storeDown(err);
      }
    };
  const found = async (request: Request) => {
    const { id, rest } = keyPath(request);
    return { key: await store.keyById(id), id, rest };
  };
  const missing = (id: string) =>
    jsonError(404, `No virtual key with id "${id}".`, "not_found_error");

  setup.route(
    "GET",
    "/admin/keys",
    guarded(async () =>
      Response.json({ object: "list", data: (await store.listKeys()).map(view) }),
    ),
  );

  setup.route(
    "POST",
    "/admin/keys",
    guarded(async (request) => {
      const parsed = await body(request, CreateBody);
      if ("error" in parsed) return parsed.error;
      const p = patchOf(parsed.value as Record<string, unknown>);
      const secret = newKey();
      const now = Date.now();
      const record = keyRecord(secret, "admin", { ...p, name: p.name! }, now);
      await store.insertKey(record);
      return Response.json({ ...view(record), key: secret }, { status: 201 });
    }),
  );

  const byId = guarded(async (request) => {
    const { key, id, rest } = await found(request);
    if (!key) return missing(id);
    if (request.method === "GET" && rest === "") return Response.json(view(key));
    if (request.method === "GET" && rest === "budget")
      return Response.json(await budgetView(deps, key));
    if (request.method === "PATCH" && rest === "") {
      const parsed = await body(request, PatchBody);
      if ("error" in parsed) return parsed.error;
      const updated = await store.updateKey(
        id,
        patchOf(parsed.value as Record<string, unknown>),
        Date.now(),
      );
      directory.forget();
      return Response.json(view(updated!));
    }
    if (request.method === "POST" && rest === "rotate") {
      const secret = newKey();
      const updated = await store.updateKey(
        id,
        { keyHash: hashKey(secret), keyHint: keyHint(secret) },
        Date.now(),
      );
      directory.forget();
      return Response.json({ ...view(updated!), key: secret });
    }
    if (request.method === "DELETE" && rest === "") {
      const updated = await store.updateKey(
        id,
        { revokedAt: key.revokedAt ?? Date.now() },
        Date.now(),
      );
      directory.forget();
      return Response.json(view(updated!));
    }
    return jsonError(404, "Unknown admin route.", "not_found_error");
  });
  for (const method of ["GET", "PATCH", "DELETE"] as const)
    setup.route(method, "/admin/keys/:id", byId);
  setup.route("GET", "/admin/keys/:id/budget", byId);
  setup.route("POST", "/admin/keys/:id/rotate", byId);

  setup.route(
    "GET",
    "/admin/usage",
    guarded(async (request) => {
      const q = new URL(request.url).searchParams;
      for (const name of ["since", "until"]) {
        const v = q.get(name);
        if (v !== null && !DAY.test(v))
          return jsonError(
            400,
            `'${name}' must be a day, YYYY-MM-DD.`,
            "invalid_request_error",
            name,
          );
      }
      await deps.usage.flush();
      const filter = Object.fromEntries(
        [
          ["keyId", q.get("key")],
          ["team", q.get("team")],
          ["customer", q.get("customer")],
          ["model", q.get("model")],
          ["since", q.get("since")],
          ["until", q.get("until")],
        ].filter(([, v]) => v !== null),
      );
      const rows = await store.usage(filter);
      const data = rows.map((r) => ({
        day: r.day,
        key: r.keyId,
        team: r.team,
        customer: r.customer,
        model: r.model,
        requests: r.requests,
        prompt_tokens: r.promptTokens,
        completion_tokens: r.completionTokens,
        cost_usd: r.costMicros / MICRO,
      }));
      const total = data.reduce((sum, r) => sum + r.cost_usd, 0);
      return Response.json({ object: "list", data, total_cost_usd: total });
    }),
  );
}

async function budgetView(deps: AdminDeps, key: KeyRecord) {
  const levels = levelsOf(key, deps.groups(), Date.now());
  const states = await deps.limiter.budgets(levels);
  return {
    key: key.id,
    levels: levels.flatMap((l) => {
      if (!l.budget) return [];
      const s = states.find((x) => x.scope === l.scope);
      const spent = (s?.spentMicros ?? 0) / MICRO;
      const reserved = (s?.reservedMicros ?? 0) / MICRO;
      const max = l.budget.maxMicros / MICRO;
      return [
        {
          scope: l.scope,
          max_usd: max,
          spent_usd: spent,
          reserved_usd: reserved,
          remaining_usd: Math.max(0, max - spent - reserved),
          window_start: new Date(l.budget.windowStart).toISOString(),
          window_end: new Date(l.budget.windowEnd).toISOString(),
        },
      ];
    }),
  };
}
