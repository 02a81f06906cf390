/** Starting the benchmark's processes and reading what they cost (CPU, peak RSS) from /proc. */
import type { Subprocess } from "bun";

export interface Proc {
  name: string;
  proc: Subprocess;
  url: string;
  /** What the process has written to stderr so far, when started with `captureStderr`. */
  stderrText(): string;
  stop(): Promise<void>;
}

/** Spawns `bun <args>` and waits until `ready` answers (any HTTP status). */
export async function startBun(
  name: string,
  args: string[],
  url: string,
  ready: string,
  options: {
    env?: Record<string, string>;
    captureStderr?: boolean;
    /** The CA that signed `ready`'s certificate, for an HTTPS process. */
    ca?: string;
  } = {},
): Promise<Proc> {
  // Bun's fetch allows 256 requests at once per process unless told otherwise; the proxy and
  // Switchyard both get the limit `bun start` sets, so neither is starved by the other's default.
  const proc = Bun.spawn(["bun", ...args], {
    stdout: "ignore",
    stderr: options.captureStderr ? "pipe" : "inherit",
    env: {
      BUN_CONFIG_MAX_HTTP_REQUESTS: "16384",
      ...process.env,
      ...options.env,
      NODE_ENV: "production",
    },
  });
  const stderr: string[] = [];
  if (options.captureStderr) {
    void (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of proc.stderr as ReadableStream<Uint8Array>)
        stderr.push(decoder.decode(chunk, { stream: true }));
    })().catch(() => undefined);
  }
  const until = Date.now() + 15_000;
  for (;;) {
    try {
      await fetch(ready, options.ca ? ({ tls: { ca: options.ca } } as RequestInit) : {});
      break;
    } catch {
      if (Date.now() > until || proc.exitCode !== null) {
        const said = stderr.join("").slice(-2000);
        proc.kill("SIGKILL");
        throw new Error(`${name} did not start${said ? `:\n${said}` : ""}`);
      }
      await Bun.sleep(50);
    }
  }
  return {
    name,
    proc,
    url,
    stderrText: () => stderr.join(""),
    async stop() {
      proc.kill("SIGKILL");
      await proc.exited;
    },
  };
}

export async function freePort(): Promise<number> {
  const s = Bun.serve({ port: 0, fetch: () => new Response("") });
  const port = s.port!;
  s.stop(true);
  return port;
}

const TICKS = 100; // USER_HZ on Linux

/** CPU seconds (user + system) a process has used so far. */
export async function cpuSeconds(pid: number): Promise<number> {
  try {
    const stat = await Bun.file(`/proc/${pid}/stat`).text();
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return 0;
  }
}

/** Resident memory now and at its peak since the process started, in MiB. */
export async function memory(pid: number): Promise<{ rss: number; peak: number }> {
  try {
    const status = await Bun.file(`/proc/${pid}/status`).text();
    const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
  } catch {
    return { rss: 0, peak: 0 };
  }
}
