/**
 * Whole requests and responses: their text for deny rules, and redaction of every text in them,
 * canonical and native (so same-dialect passthrough keeps working). Tool-call arguments, tool
 * schemas and images are left alone (`mapRequestText`, `mapResponseText`).
 */
import {
  mapRequestText,
  mapResponseText,
  type ChatRequest,
  type ChatResponse,
} from "../../src/plugins/index.ts";

/** Redacts one text; `count` says whether its hits are counted. */
export type Scrub = (text: string, count: boolean) => string;

/** Every message's text, one message a line. */
export function requestText(req: ChatRequest): string {
  return req.messages
    .map((m) =>
      typeof m.content === "string"
        ? m.content
        : (m.content ?? []).map((p) => (p.type === "text" ? p.text : "")).join("\n"),
    )
    .join("\n");
}

/** Every choice's text and refusal. */
export function responseText(res: ChatResponse): string {
  return res.choices
    .map((c) => [c.message.content ?? "", c.message.refusal ?? ""].join("\n"))
    .join("\n");
}

/**
 * Redacts a request in place. Hits are counted on the canonical form only: the native body
 * holds the same text again.
 */
export function scrubRequest(req: ChatRequest, scrub: Scrub): void {
  mapRequestText(req, (t, where) => scrub(t, where === "canonical"));
}

/** Redacts a response in place, counting as `scrubRequest` does. */
export function scrubResponse(res: ChatResponse, scrub: Scrub): void {
  mapResponseText(res, (t, where) => scrub(t, where === "canonical"));
}
