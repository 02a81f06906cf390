/**
 * Example: header injection. Adds fixed headers to every answer and names the provider that
 * served it. Config: `{ "headers": { "x-team": "search" } }`.
 */
import { definePlugin, Type } from "../../src/plugins/index.ts";

export default definePlugin({
  name: "example-headers",
  configSchema: Type.Object({
    headers: Type.Record(Type.String(), Type.String(), { default: {} }),
  }),
  preHook(ctx) {
    for (const [name, value] of Object.entries(ctx.config.headers)) ctx.setHeader(name, value);
    if (ctx.route) ctx.setHeader("x-example-route", `${ctx.route.provider}/${ctx.route.model}`);
  },
});
