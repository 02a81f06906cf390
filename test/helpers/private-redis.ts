/**
 * A Redis server of the test's own (`redis-server` on a free port, nothing on disk), which the
 * test can freeze (SIGSTOP: the connection stays open and nothing answers), thaw, and restart
 * empty, without touching the machine's shared Redis.
 */
import type { Subprocess } from "bun";
import { freePort } from "./gateway-process.ts";

export interface PrivateRedis {
  url: string;
  freeze(): void;
  thaw(): void;
  /** Stops it and starts a fresh, empty one on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

async function answers(port: number): Promise<boolean> {
  try {
    const socket = await Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: { data() {}, error() {} },
    });
    socket.end();
    return true;
  } catch {
    return false;
  }
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = freePort();
  let child: Subprocess;
  const spawn = async () => {
    child = Bun.spawn(
      [
        "redis-server",
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
      ],
      { stdout: "ignore", stderr: "ignore" },
    );
    for (let i = 0; !(await answers(port)); i++) {
      if (i > 200) throw new Error("redis-server did not start");
      await Bun.sleep(10);
    }
  };
  await spawn();
  return {
    url: `redis://127.0.0.1:${port}`,
    freeze: () => process.kill(child.pid, "SIGSTOP"),
    thaw: () => process.kill(child.pid, "SIGCONT"),
    async restart() {
      child.kill("SIGKILL");
      await child.exited;
      await spawn();
    },
    async stop() {
      process.kill(child.pid, "SIGCONT");
      child.kill("SIGKILL");
      await child.exited;
    },
  };
}
