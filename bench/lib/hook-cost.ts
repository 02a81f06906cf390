/**
 * What hooks cost in CPU, measured in process where the machine's noise is small: the plugin
 * pipeline around a scripted provider (`pluginHarness`), with no plugins and with the given ones,
 * plain and streamed, in alternating rounds; the median difference per request.
 */
import type { ChatRequest, PluginDefinition } from "../../src/plugins/index.ts";
import { pluginHarness, type Harness } from "../../src/plugins/testing.ts";

const REQUEST: ChatRequest = { model: "up/echo", messages: [{ role: "user", content: "hello" }] };

async function perRequestUs(
  h: Harness,
  stream: boolean,
  n: number,
  credential?: string,
): Promise<number> {
  const req = { ...REQUEST, stream };
  const options = credential === undefined ? {} : { credential };
  const t = performance.now();
  for (let i = 0; i < n; i++) await h.chat(req, options);
  return ((performance.now() - t) * 1000) / n;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export interface HookCostOptions {
  /** The first plugin's config. */
  config?: unknown;
  /** The key every request presents. */
  credential?: string;
  rounds?: number;
  n?: number;
}

export async function hookCost(
  plugins: readonly PluginDefinition[],
  options: HookCostOptions = {},
): Promise<{ plainUs: number; streamUs: number }> {
  const { rounds = 5, n = 20_000, credential } = options;
  const none = await pluginHarness([]);
  const some = await pluginHarness(
    plugins,
    options.config === undefined ? {} : { config: options.config },
  );
  const plain: number[] = [];
  const stream: number[] = [];
  await perRequestUs(none, false, n / 4, credential);
  await perRequestUs(some, false, n / 4, credential);
  for (let r = 0; r < rounds; r++) {
    const a = await perRequestUs(some, false, n, credential);
    plain.push(a - (await perRequestUs(none, false, n, credential)));
    const b = await perRequestUs(some, true, n, credential);
    stream.push(b - (await perRequestUs(none, true, n, credential)));
  }
  await Promise.all([none.close(), some.close()]);
  return { plainUs: median(plain), streamUs: median(stream) };
}
