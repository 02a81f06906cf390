/**
 * Rules compiled from the config, and applying them to a text: every match of the redaction
 * rules replaced (`[REDACTED:email]`), or the first deny rule that matches.
 */
import type { DenySpec, PatternSpec } from "./config.ts";
import { regexDetector, type Detector, type Range } from "./detector.ts";
import { BUILTIN, BUILTIN_NAMES, type BuiltinName } from "./detectors.ts";

export type Direction = "input" | "output";

export interface DenyRule {
  name: string;
  pattern: RegExp;
  appliesTo: Direction | "both";
  message?: string;
}

/** A match of a redaction rule. */
export interface Span extends Range {
  rule: string;
}

/** `spec` as a global regular expression; a bad pattern throws, naming the rule. */
export function compile(spec: PatternSpec, kind: "redact" | "deny"): RegExp {
  const flags = new Set(spec.flags ?? "");
  flags.add("g");
  try {
    return new RegExp(spec.pattern, [...flags].join(""));
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`guardrails: ${kind} rule '${spec.name}' has an invalid pattern: ${reason}`);
  }
}

/** The chosen built-ins, in their own order, then the custom patterns in config order. */
export function redactionRules(
  builtins: readonly BuiltinName[],
  custom: readonly PatternSpec[],
): Detector[] {
  const chosen = BUILTIN_NAMES.filter((n) => builtins.includes(n)).map((n) => BUILTIN[n]);
  return [...chosen, ...custom.map((c) => regexDetector(c.name, compile(c, "redact")))];
}

export function denyRules(specs: readonly DenySpec[]): DenyRule[] {
  return specs.map((s) => ({
    name: s.name,
    pattern: compile(s, "deny"),
    appliesTo: s.applies_to,
    ...(s.message === undefined ? {} : { message: s.message }),
  }));
}

/** `accepted` with the `candidates` that overlap none of it added; both sorted, as is the result. */
function merge(accepted: readonly Span[], candidates: readonly Range[], rule: string): Span[] {
  const out: Span[] = [];
  let i = 0;
  for (const c of candidates) {
    while (i < accepted.length && accepted[i]!.end <= c.start) out.push(accepted[i++]!);
    if (i < accepted.length && accepted[i]!.start < c.end) continue;
    out.push({ ...c, rule });
  }
  while (i < accepted.length) out.push(accepted[i++]!);
  return out;
}

/** Every match of the rules in `text`, in order; where two overlap, the earlier rule wins. */
export function spans(text: string, rules: readonly Detector[]): Span[] {
  let out: Span[] = [];
  for (const rule of rules) out = merge(out, rule.find(text), rule.name);
  return out;
}

/** `text` with each span (from `spans()`, in order) replaced. */
export function redact(text: string, found: readonly Span[], replacement: string): string {
  if (found.length === 0) return text;
  let out = "";
  let at = 0;
  for (const s of found) {
    out += text.slice(at, s.start) + replacement.replaceAll("{name}", s.rule);
    at = s.end;
  }
  return out + text.slice(at);
}

/** The first deny rule for `direction` that matches `text`, and where its match starts. */
export function denied(
  text: string,
  rules: readonly DenyRule[],
  direction: Direction,
): { rule: DenyRule; at: number } | undefined {
  for (const rule of rules) {
    if (rule.appliesTo !== direction && rule.appliesTo !== "both") continue;
    rule.pattern.lastIndex = 0;
    const m = rule.pattern.exec(text);
    rule.pattern.lastIndex = 0;
    if (m) return { rule, at: m.index };
  }
  return undefined;
}

/** The error for a deny match: names the rule, never the text that matched. */
export function denyMessage(rule: DenyRule, direction: Direction): string {
  const what = direction === "input" ? "Request" : "Response";
  const why = rule.message ?? `The ${direction} matches a blocked pattern.`;
  return `${what} blocked by guardrail rule '${rule.name}': ${why}`;
}
