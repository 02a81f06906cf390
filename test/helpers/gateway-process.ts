/** A gateway as its own process (`bun src/main.ts --config`), for tests of several instances. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(import.meta.dir, "../..");

export interface GatewayProcess {
  url: string;
  /** What the process has written to stdout and stderr so far. */
  output(): string;
  stop(): Promise<void>;
  /** Kills it at once (SIGKILL), as a crash would. */
  crash(): Promise<void>;
}

/** A port nothing listens on now. */
export function freePort(): number {
  const s = Bun.serve({ port: 0, fetch: () => new Response("") });
  const port = s.port!;
  s.stop(true);
  return port;
}

export async function startGatewayProcess(doc: Record<string, unknown>): Promise<GatewayProcess> {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-proc-"));
  const file = join(dir, "switchyard.config.json");
  writeFileSync(file, JSON.stringify(doc));
  const port = freePort();
  const child = Bun.spawn(
    ["bun", join(root, "src/main.ts"), "--config", file, "--port", String(port)],
    {
      cwd: dir,
      env: { ...process.env, PORT: "", HOST: "", SWITCHYARD_CONFIG: "" },
      stdout: "pipe",
      stderr: "pipe",
    },
  );
  let text = "";
  const decoder = new TextDecoder();
  for (const stream of [child.stdout, child.stderr]) {
    void (async () => {
      for await (const chunk of stream) text += decoder.decode(chunk);
    })();
  }
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const ok = await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (i > 400 || child.exitCode !== null) throw new Error(`gateway did not start:\n${text}`);
    await Bun.sleep(25);
  }
  return {
    url,
    output: () => text,
    async stop() {
      child.kill("SIGTERM");
      await child.exited;
    },
    async crash() {
      child.kill("SIGKILL");
      await child.exited;
    },
  };
}
