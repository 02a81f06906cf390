/**
 * Example: short-circuit. Answers a fixed prompt itself, without calling any provider, and
 * refuses requests whose last message is empty. Config: `{ "prompt": "ping", "reply": "pong" }`.
 */
import { definePlugin, lastMessageText, textReply, Type } from "../../src/plugins/index.ts";

export default definePlugin({
  name: "example-short-circuit",
  configSchema: Type.Object({
    prompt: Type.String({ default: "ping" }),
    reply: Type.String({ default: "pong" }),
  }),
  preHook(ctx, req) {
    const text = lastMessageText(req).trim();
    if (text === "") {
      return { error: { status: 400, message: "The last message is empty.", param: "messages" } };
    }
    if (text !== ctx.config.prompt) return;
    return {
      response: textReply(ctx.config.reply, { model: req.model, id: `chatcmpl-${ctx.requestId}` }),
    };
  },
});
