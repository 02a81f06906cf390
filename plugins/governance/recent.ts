/**
 * What a key's recent answers from a model used, so that a reservation asks for what the request
 * will plausibly cost rather than the most it ever could (per instance, in memory):
 *
 *   output   the largest completion (per choice) of the key's last RECENT answers from the model
 *            that ended by themselves (an answer cut at `max_tokens` says nothing of how long it
 *            would have run); before any, `max_tokens` or `default_output_tokens`. Never above
 *            `max_tokens`. Each key has its own history: no key shapes another's reservations.
 *   prompt   the estimate scaled by the largest ratio of counted to estimated prompt tokens over
 *            the same answers (at least 1, at most MAX_PROMPT_RATIO), so a key whose text the
 *            estimate undercounts (code, unusual scripts) reserves what its provider will count.
 */

/** Answers remembered per key and model. */
export const RECENT = 32;
/** The most a key's counted prompts may be said to exceed the estimate by. */
export const MAX_PROMPT_RATIO = 4;
/** Keys and models remembered at once; past it, the oldest half is forgotten. */
const MAX_ENTRIES = 10_000;

interface Entry {
  outputs: number[];
  ratios: number[];
  next: number;
}

export interface Expected {
  promptTokens: number;
  /** Output tokens per choice. */
  outputTokens: number;
}

export class RecentUsage {
  private readonly entries = new Map<string, Entry>();

  expected(
    keyId: string,
    model: string,
    estimate: number,
    maxTokens: number | undefined,
    defaultOutput: number,
  ): Expected {
    const entry = this.entries.get(`${keyId} ${model}`);
    if (!entry) return { promptTokens: estimate, outputTokens: maxTokens ?? defaultOutput };
    const ratio = Math.min(MAX_PROMPT_RATIO, Math.max(1, ...entry.ratios));
    const seen = Math.max(...entry.outputs);
    return {
      promptTokens: Math.ceil(estimate * ratio),
      outputTokens: Math.min(maxTokens ?? Infinity, seen),
    };
  }

  record(keyId: string, model: string, estimate: number, prompt: number, outputPerChoice: number) {
    const ratio = estimate > 0 ? prompt / estimate : 1;
    const entry = this.entry(`${keyId} ${model}`);
    entry.outputs[entry.next] = outputPerChoice;
    entry.ratios[entry.next] = ratio;
    entry.next = (entry.next + 1) % RECENT;
  }

  private entry(id: string): Entry {
    const found = this.entries.get(id);
    if (found) return found;
    if (this.entries.size >= MAX_ENTRIES) {
      // The oldest half goes (a Map iterates in insertion order; deleting as it goes is safe).
      let left = MAX_ENTRIES / 2;
      for (const k of this.entries.keys()) {
        if (left-- === 0) break;
        this.entries.delete(k);
      }
    }
    const entry: Entry = { outputs: [], ratios: [], next: 0 };
    this.entries.set(id, entry);
    return entry;
  }
}
