/**
 * The codebase's own contracts: it type-checks under strict TypeScript (this is where the plugin
 * and adapter contracts are enforced at the type level) and it follows the one Prettier config.
 */
import { describe, expect, it } from "bun:test";
import { join } from "node:path";

const root = join(import.meta.dir, "..");

async function run(cmd: string[]): Promise<{ code: number; output: string }> {
  const child = Bun.spawn(cmd, { cwd: root, stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  return { code, output: out + err };
}

describe("the codebase", () => {
  it("type-checks under strict TypeScript", async () => {
    const { code, output } = await run(["bun", "x", "tsc", "--noEmit", "-p", "."]);
    expect(output).toBe("");
    expect(code).toBe(0);
  }, 120_000);

  it("is formatted with the project's Prettier config", async () => {
    const { code, output } = await run([
      "bun",
      "x",
      "prettier",
      "--check",
      "--log-level",
      "warn",
      ".",
    ]);
    expect(output).toBe("");
    expect(code).toBe(0);
  }, 120_000);
});
