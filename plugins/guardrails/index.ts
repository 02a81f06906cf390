/**
 * `guardrails`: redaction of personal data and secrets both ways, streams included, and deny
 * rules. See README.md.
 *
 *   setup          compiles the rules; a bad pattern stops start-up, naming its rule
 *   preHook        input deny rules (400 naming the rule; the provider is not called), then
 *                  redaction of every message's text, canonical and native
 *   postHook       plain answers: output deny rules (400 naming the rule), then redaction
 *   onStreamChunk  streamed answers: redaction with held-back text, and output deny rules that
 *                  end the text with finish_reason `content_filter` (`stream.ts`)
 *   onStreamEnd    text still held when a stream ends without a finish reason goes out last
 */
import { definePlugin, type PluginErrorSpec } from "../../src/plugins/index.ts";
import { ConfigSchema } from "./config.ts";
import type { Detector } from "./detector.ts";
import {
  denied,
  denyMessage,
  denyRules,
  redact,
  redactionRules,
  spans,
  type DenyRule,
  type Direction,
} from "./rules.ts";
import { requestText, responseText, scrubRequest, scrubResponse, type Scrub } from "./scrub.ts";
import { GuardedStream } from "./stream.ts";

type Count = (rule: string, action: "redact" | "deny", direction: Direction) => void;

const STREAM_KEY = "guardrails.stream";

function blocked(rule: DenyRule, direction: Direction): { error: PluginErrorSpec } {
  return {
    error: {
      status: 400,
      message: denyMessage(rule, direction),
      type: "invalid_request_error",
      code: "guardrail_denied",
      ...(direction === "input" ? { param: "messages" } : {}),
    },
  };
}

/** A plugin per gateway: the rules compiled at setup are its state. */
export default function guardrails() {
  let rules: Detector[] = [];
  let inputDeny: DenyRule[] = [];
  let outputDeny: DenyRule[] = [];
  let count: Count = () => {};

  /**
   * One request's or response's scrub: the native body repeats the canonical texts, so their
   * results are kept and the native copies take them instead of being scanned again.
   */
  const scrubber = (replacement: string, direction: Direction): Scrub => {
    const done = new Map<string, string>();
    return (text, counted) => {
      const known = counted ? undefined : done.get(text);
      if (known !== undefined) return known;
      const found = spans(text, rules);
      if (counted) for (const s of found) count(s.rule, "redact", direction);
      const out = redact(text, found, replacement);
      if (counted) done.set(text, out);
      return out;
    };
  };

  return definePlugin({
    name: "guardrails",
    configSchema: ConfigSchema,
    setup({ config, metrics }) {
      rules = redactionRules(config.redact.builtins, config.redact.custom);
      const deny = denyRules(config.deny);
      inputDeny = deny.filter((r) => r.appliesTo !== "output");
      outputDeny = deny.filter((r) => r.appliesTo !== "input");
      const counter = metrics.counter({
        name: "switchyard_guardrails_total",
        help: "Guardrail rule hits, by rule, action (redact, deny) and direction (input, output).",
        labelNames: ["rule", "action", "direction"],
      });
      count = (rule, action, direction) => counter.inc({ rule, action, direction });
    },
    preHook(ctx, req) {
      const hit = inputDeny.length ? denied(requestText(req), inputDeny, "input") : undefined;
      if (hit) {
        count(hit.rule.name, "deny", "input");
        return blocked(hit.rule, "input");
      }
      const { input, replacement } = ctx.config.redact;
      if (input && rules.length) scrubRequest(req, scrubber(replacement, "input"));
    },
    postHook(ctx, res) {
      if (!res || ctx.stream) return;
      const hit = outputDeny.length ? denied(responseText(res), outputDeny, "output") : undefined;
      if (hit) {
        count(hit.rule.name, "deny", "output");
        return blocked(hit.rule, "output");
      }
      const { output, replacement } = ctx.config.redact;
      if (output && rules.length) scrubResponse(res, scrubber(replacement, "output"));
    },
    onStreamChunk(ctx, chunk) {
      let stream = ctx.scratch.get(STREAM_KEY) as GuardedStream | undefined;
      if (!stream) {
        const { output, replacement } = ctx.config.redact;
        if ((!output || !rules.length) && !outputDeny.length) return;
        stream = new GuardedStream({
          redact: output ? rules : [],
          deny: outputDeny,
          replacement,
          count: (rule, action) => count(rule, action, "output"),
        });
        ctx.scratch.set(STREAM_KEY, stream);
      }
      return stream.chunk(chunk);
    },
    onStreamEnd(ctx) {
      return (ctx.scratch.get(STREAM_KEY) as GuardedStream | undefined)?.end();
    },
  });
}
