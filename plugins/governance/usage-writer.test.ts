/**
 * The usage writer against the real SQLite store, wrapped so that a write lands and its answer is
 * lost (a timeout after the commit): the writer sends the same batch again, and it counts once.
 */
import { describe, expect, it } from "bun:test";
import { silentLogger } from "../../src/observability/logger.ts";
import { createSqliteStore } from "./store/sqlite.ts";
import type { GovernanceStore, UsageBatch } from "./store/types.ts";
import { createUsageWriter } from "./usage-writer.ts";

const row = (costMicros: number) => ({
  day: "2026-12-02",
  keyId: "vk_w",
  team: null,
  customer: null,
  model: "up/m",
  requests: 1,
  promptTokens: 10,
  completionTokens: 5,
  costMicros,
});

describe("the usage writer", () => {
  it("sends a batch whose answer was lost again under its id, so it counts once", async () => {
    const real = createSqliteStore(":memory:");
    await real.migrate();
    const sent: UsageBatch[] = [];
    let loseNext = true;
    const store: GovernanceStore = {
      ...real,
      async addUsage(rows, batch) {
        sent.push(batch);
        await real.addUsage(rows, batch);
        if (loseNext) {
          loseNext = false;
          throw new Error("the answer was lost after the commit");
        }
      },
    };
    const writer = createUsageWriter(store, 60_000, silentLogger);
    writer.add(row(100));
    await writer.flush(); // lands, but the writer is told it failed
    writer.add(row(50));
    await writer.flush(); // the first batch again, then the new one
    await writer.close();
    expect(sent.map((b) => b.id)).toEqual([sent[0]!.id, sent[0]!.id, sent[2]!.id]);
    expect(sent[2]!.id).not.toBe(sent[0]!.id);
    const [total] = await real.usage({ keyId: "vk_w" });
    expect(total).toMatchObject({ requests: 2, costMicros: 150 });
    await real.close();
  });
});
