/**
 * The guardrails config, with its defaults: every built-in detector on, both ways; no custom
 * patterns and no deny rules.
 */
import { Type, type Static } from "../../src/plugins/index.ts";
import { BUILTIN_NAMES } from "./detectors.ts";

const Pattern = {
  name: Type.String({ minLength: 1 }),
  pattern: Type.String({ minLength: 1 }),
  /** Regular-expression flags; `g` is always added. */
  flags: Type.Optional(Type.String({ pattern: "^[gimsuv]*$" })),
};

export const ConfigSchema = Type.Object({
  redact: Type.Object(
    {
      builtins: Type.Array(Type.Union(BUILTIN_NAMES.map((n) => Type.Literal(n))), {
        default: [...BUILTIN_NAMES],
      }),
      custom: Type.Array(Type.Object(Pattern), { default: [] }),
      /** `{name}` becomes the rule's name. */
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
      /** Added to the error message after the rule's name. */
      message: Type.Optional(Type.String()),
    }),
    { default: [] },
  ),
});

export type GuardrailsConfig = Static<typeof ConfigSchema>;
export type PatternSpec = GuardrailsConfig["redact"]["custom"][number];
export type DenySpec = GuardrailsConfig["deny"][number];
