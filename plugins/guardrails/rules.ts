/**
 * Rules compiled from the config, and applying them to a text: every match of every redaction
 * rule replaced (`[REDACTED:email]`), or the first deny rule that matches.
 */
import { BUILTIN, BUILTIN_NAMES, type Detector } from "./detectors.ts";

export interface PatternSpec {
  name: string;
  pattern: string;
  flags?: string;
}

export interface DenyRule extends Detector {
  appliesTo: "input" | "output" | "both";
  message?: string;
}

function compile(spec: PatternSpec, where: string): RegExp {
  const flags = new Set((spec.flags ?? "").split(""));
  flags.add("g");
  try {
    return new RegExp(spec.pattern, [...flags].join(""));
  } catch (err) {
    throw new Error(`${where} rule '${spec.name}': invalid pattern: ${(err as Error).message}`);
  }
}

export function redactionRules(
  builtins: readonly string[],
  custom: readonly PatternSpec[],
): Detector[] {
  const chosen = BUILTIN_NAMES.filter((n) => builtins.includes(n)).map((n) => BUILTIN[n]!);
  return [...chosen, ...custom.map((c) => ({ name: c.name, pattern: compile(c, "redact") }))];
}

export function denyRules(
  specs: readonly (PatternSpec & { applies_to: DenyRule["appliesTo"]; message?: string })[],
): DenyRule[] {
  return specs.map((s) => ({
    name: s.name,
    pattern: compile(s, "deny"),
    appliesTo: s.applies_to,
    ...(s.message === undefined ? {} : { message: s.message }),
  }));
}

export interface Span {
  start: number;
  end: number;
  rule: string;
}

/** Every confirmed match of the rules in `text`, earlier rules winning overlaps. */
export function spans(text: string, rules: readonly Detector[]): Span[] {
  const out: Span[] = [];
  for (const rule of rules) {
    rule.pattern.lastIndex = 0;
    for (const m of text.matchAll(rule.pattern)) {
      if (m[0] === "" || (rule.valid && !rule.valid(m[0]))) continue;
      const span = { start: m.index, end: m.index + m[0].length, rule: rule.name };
      if (!out.some((s) => s.start < span.end && span.start < s.end)) out.push(span);
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

export function redact(
  text: string,
  rules: readonly Detector[],
  replacement: string,
  found?: Span[],
): string {
  const list = found ?? spans(text, rules);
  if (list.length === 0) return text;
  let out = "";
  let at = 0;
  for (const s of list) {
    out += text.slice(at, s.start) + replacement.replaceAll("{name}", s.rule);
    at = s.end;
  }
  return out + text.slice(at);
}

/** The first deny rule for `direction` that matches `text`. */
export function denied(
  text: string,
  rules: readonly DenyRule[],
  direction: "input" | "output",
): DenyRule | undefined {
  return rules.find((r) => {
    if (r.appliesTo !== direction && r.appliesTo !== "both") return false;
    r.pattern.lastIndex = 0;
    return r.pattern.test(text);
  });
}
