/**
 * `guardrails`: redaction of personal data and secrets, both ways, streams included, and deny
 * rules. See README.md.
 *
 *   preHook        input deny rules (400 naming the rule, the provider is not called), then
 *                  redaction of every message's text (canonical and native bodies)
 *   postHook       plain answers: output deny rules (the answer is cut to nothing with
 *                  finish_reason `content_filter`), then redaction
 *   onStreamChunk  streamed answers: redaction with held-back text (`stream.ts`); an output deny
 *                  match ends the text there, with finish_reason `content_filter`
 */
import {
  definePlugin,
  mapRequestText,
  mapResponseText,
  Type,
  type ChatChunk,
  type ChatRequest,
  type PluginContext,
} from "../../src/plugins/index.ts";
import { BUILTIN_NAMES, type Detector } from "./detectors.ts";
import { denied, denyRules, redact, redactionRules, spans, type DenyRule } from "./rules.ts";
import { release, type Held } from "./stream.ts";

const Pattern = {
  name: Type.String({ minLength: 1 }),
  pattern: Type.String({ minLength: 1 }),
  flags: Type.Optional(Type.String({ pattern: "^[imsu]*$" })),
};

const ConfigSchema = Type.Object({
  redact: Type.Object(
    {
      builtins: Type.Array(Type.Union(BUILTIN_NAMES.map((n) => Type.Literal(n))), {
        default: [...BUILTIN_NAMES],
      }),
      custom: Type.Array(Type.Object(Pattern), { default: [] }),
      replacement: Type.String({ default: "[REDACTED:{name}]" }),
      input: Type.Boolean({ default: true }),
      output: Type.Boolean({ default: true }),
    },
    { default: {} },
  ),
  deny: Type.Array(
    Type.Object({
      ...Pattern,
      applies_to: Type.Union(
        [Type.Literal("input"), Type.Literal("output"), Type.Literal("both")],
        { default: "input" },
      ),
      message: Type.Optional(Type.String()),
    }),
    { default: [] },
  ),
});

const STREAM = "guardrails.stream";

interface StreamState {
  held: Map<number, Held>;
  /** Choices whose output a deny rule has ended. */
  stopped: Set<number>;
}

function allText(req: ChatRequest): string {
  return req.messages
    .map((m) =>
      typeof m.content === "string"
        ? m.content
        : (m.content ?? []).map((p) => (p.type === "text" ? p.text : "")).join(" "),
    )
    .join("\n");
}

export default function guardrailsPlugin() {
  let rules: Detector[] = [];
  let deny: DenyRule[] = [];
  let count: (
    rule: string,
    action: "redact" | "deny",
    direction: "input" | "output",
    n?: number,
  ) => void = () => {};

  /** Redacts `text`, counting what it found. */
  function scrub(text: string, replacement: string, direction: "input" | "output"): string {
    const found = spans(text, rules);
    for (const s of found) count(s.rule, "redact", direction);
    return found.length ? redact(text, rules, replacement, found) : text;
  }

  function streamChunk(
    ctx: PluginContext<{ redact: { replacement: string; output: boolean } }>,
    chunk: ChatChunk,
  ) {
    const state = (ctx.scratch.get(STREAM) as StreamState | undefined) ?? {
      held: new Map(),
      stopped: new Set(),
    };
    ctx.scratch.set(STREAM, state);
    for (const choice of chunk.choices) {
      const final = choice.finish_reason !== null;
      if (state.stopped.has(choice.index)) {
        choice.delta.content = "";
        if (final) choice.finish_reason = "content_filter";
        continue;
      }
      const incoming = typeof choice.delta.content === "string" ? choice.delta.content : "";
      if (incoming === "" && !final) continue;
      const held = state.held.get(choice.index) ?? { text: "" };
      state.held.set(choice.index, held);
      const rule = denied(held.text + incoming, deny, "output");
      if (rule) {
        count(rule.name, "deny", "output");
        const whole = held.text + incoming;
        rule.pattern.lastIndex = 0;
        const at = whole.search(rule.pattern);
        held.text = "";
        choice.delta.content = scrubOut(ctx, whole.slice(0, Math.max(0, at)));
        state.stopped.add(choice.index);
        choice.finish_reason = "content_filter";
        continue;
      }
      const out = ctx.config.redact.output
        ? release(held, incoming, final, rules, ctx.config.redact.replacement)
        : incoming;
      choice.delta.content = out;
    }
    const empty =
      chunk.choices.length > 0 &&
      chunk.choices.every(
        (c) =>
          c.delta.content === "" &&
          c.finish_reason === null &&
          !c.delta.tool_calls &&
          !c.delta.role,
      );
    return empty && !chunk.usage ? null : undefined;
  }

  function scrubOut(
    ctx: PluginContext<{ redact: { replacement: string; output: boolean } }>,
    text: string,
  ): string {
    return ctx.config.redact.output ? scrub(text, ctx.config.redact.replacement, "output") : text;
  }

  return definePlugin({
    name: "guardrails",
    configSchema: ConfigSchema,
    setup({ config, metrics }) {
      rules = redactionRules(config.redact.builtins, config.redact.custom);
      deny = denyRules(config.deny);
      const counter = metrics.counter({
        name: "switchyard_guardrails_total",
        help: "Guardrail rule hits, by rule, action (redact, deny) and direction (input, output).",
        labelNames: ["rule", "action", "direction"],
      });
      count = (rule, action, direction, n = 1) => counter.inc({ rule, action, direction }, n);
    },
    preHook(ctx, req) {
      const rule = denied(allText(req), deny, "input");
      if (rule) {
        count(rule.name, "deny", "input");
        const message = rule.message ?? "The request matches a blocked pattern.";
        return {
          error: {
            status: 400,
            message: `Request blocked by guardrail rule '${rule.name}': ${message}`,
            type: "invalid_request_error",
            code: "guardrail_denied",
            param: "messages",
          },
        };
      }
      if (ctx.config.redact.input)
        mapRequestText(req, (t) => scrub(t, ctx.config.redact.replacement, "input"));
    },
    onStreamChunk: streamChunk,
    postHook(ctx, res) {
      if (!res || ctx.stream) return;
      for (const choice of res.choices) {
        const text = choice.message.content ?? "";
        const rule = denied(text, deny, "output");
        if (!rule) continue;
        count(rule.name, "deny", "output");
        rule.pattern.lastIndex = 0;
        choice.message.content = text.slice(0, Math.max(0, text.search(rule.pattern)));
        choice.finish_reason = "content_filter";
        if (res.native) delete res.native;
      }
      if (ctx.config.redact.output)
        mapResponseText(res, (t) => scrub(t, ctx.config.redact.replacement, "output"));
    },
  });
}
