/**
 * One streamed answer through the guardrails: per choice, the text held back (`holdback.ts`),
 * and whether an output deny rule has ended that choice. An output deny match ends the choice's
 * text just before the match, with `finish_reason: "content_filter"`; later chunks of that
 * choice are emptied (and dropped when nothing is left in them).
 */
import type { ChatChunk, ChunkResult } from "../../src/plugins/index.ts";
import type { Detector } from "./detector.ts";
import { release } from "./holdback.ts";
import { denied, redact, spans, type DenyRule, type Span } from "./rules.ts";

type Choice = ChatChunk["choices"][number];

export interface StreamRules {
  /** The redaction rules; none when output redaction is off. */
  redact: readonly Detector[];
  /** The deny rules (those for output apply). */
  deny: readonly DenyRule[];
  replacement: string;
  /** Counts a rule's hit. */
  count(rule: string, action: "redact" | "deny"): void;
}

function isEmpty(choice: Choice): boolean {
  const d = choice.delta;
  return !d.content && !d.refusal && !d.tool_calls?.length && !d.role && !choice.finish_reason;
}

export class GuardedStream {
  private readonly held = new Map<number, string>();
  private readonly stopped = new Set<number>();
  private last: Pick<ChatChunk, "id" | "object" | "created" | "model"> | undefined;

  constructor(private readonly rules: StreamRules) {}

  /**
   * What is still held when the source ends without a finish chunk for some choice (an upstream
   * that stops without a finish reason): sent as last chunks, redacted, so nothing is lost.
   */
  end(): ChatChunk[] {
    const base = this.last;
    if (!base) return [];
    const out: ChatChunk[] = [];
    for (const [index, held] of this.held) {
      if (held === "") continue;
      const rest = release(held, "", true, this.rules.redact, this.rules.replacement);
      this.counted(rest.found);
      out.push({
        ...base,
        choices: [{ index, delta: { content: rest.text }, finish_reason: null }],
      });
    }
    this.held.clear();
    return out;
  }

  /** Rewrites `chunk` in place; null when nothing is left in it to send. */
  chunk(chunk: ChatChunk): ChunkResult {
    this.last = { id: chunk.id, object: chunk.object, created: chunk.created, model: chunk.model };
    for (const choice of chunk.choices) this.choice(choice);
    const drop = chunk.choices.length > 0 && !chunk.usage && chunk.choices.every(isEmpty);
    return drop ? null : undefined;
  }

  private choice(choice: Choice): void {
    if (this.stopped.has(choice.index)) {
      choice.delta = {};
      choice.finish_reason = null;
      return;
    }
    if (choice.delta.refusal) choice.delta.refusal = this.redactNow(choice.delta.refusal);
    const final = choice.finish_reason !== null;
    const incoming = choice.delta.content ?? "";
    if (incoming === "" && !final) return;
    const held = this.held.get(choice.index) ?? "";
    const hit = denied(held + incoming, this.rules.deny, "output");
    if (hit) {
      this.rules.count(hit.rule.name, "deny");
      this.stop(choice, this.redactNow((held + incoming).slice(0, hit.at)));
      return;
    }
    const out = release(held, incoming, final, this.rules.redact, this.rules.replacement);
    this.held.set(choice.index, out.held);
    this.counted(out.found);
    if (out.text !== "" || typeof choice.delta.content === "string")
      choice.delta.content = out.text;
  }

  /** Ends the choice with `last` as its final text. */
  private stop(choice: Choice, last: string): void {
    choice.delta = { ...(choice.delta.role ? { role: choice.delta.role } : {}), content: last };
    choice.finish_reason = "content_filter";
    this.stopped.add(choice.index);
    this.held.delete(choice.index);
  }

  /** `text` redacted whole, without holding anything back. */
  private redactNow(text: string): string {
    const found = spans(text, this.rules.redact);
    this.counted(found);
    return redact(text, found, this.rules.replacement);
  }

  private counted(found: readonly Span[]): void {
    for (const s of found) this.rules.count(s.rule, "redact");
  }
}
