/**
 * Type-level tests of the plugin contract, checked by `tsc --noEmit` (the tooling test runs it):
 * each `@ts-expect-error` line must stay an error, so the contract cannot loosen unnoticed.
 */
import { definePlugin, Type } from "./index.ts";

// A plugin's config is typed from its schema in every hook.
definePlugin({
  name: "typed",
  configSchema: Type.Object({ limit: Type.Integer(), label: Type.String() }),
  setup(ctx) {
    const limit: number = ctx.config.limit;
    // @ts-expect-error label is a string
    const wrong: number = ctx.config.label;
    void limit;
    void wrong;
  },
  preHook(ctx) {
    const label: string = ctx.config.label;
    void label;
  },
});

// A pre-hook answers with a whole response or an error with a status, nothing else.
// @ts-expect-error a response must be a chat completion
definePlugin({ name: "answers", preHook: () => ({ response: { text: "hi" } }) });
// @ts-expect-error an error needs a status
definePlugin({ name: "refuses", preHook: () => ({ error: { message: "no" } }) });

// The caller's credential is read-only; the caller's id may be set (governance does).
definePlugin({
  name: "caller",
  preHook(ctx) {
    ctx.caller.id = "team-a";
    // @ts-expect-error the credential is read-only
    ctx.caller.credential = "x";
  },
});

// A chunk hook returns a chunk, null (drop) or nothing.
// @ts-expect-error a chunk hook cannot return a string
definePlugin({ name: "chunks", onStreamChunk: () => "text" });
