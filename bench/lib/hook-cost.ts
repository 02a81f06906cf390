/**
 * What hooks cost in CPU, measured in process where the machine's noise is small: the plugin
 * pipeline around a scripted provider (`pluginHarness`), with no plugins and with the given ones,
 * plain and streamed, in alternating rounds; the median difference per request.
 */
import type { ChatRequest, PluginDefinition } from "../../src/plugins/index.ts";
import { pluginHarness, type Harness } from "../../src/plugins/testing.ts";

const REQUEST: ChatRequest = { model: "up/echo", messages: [{ role: "user", content: "hello" }] };

async function perRequestUs(h: Harness, stream: boolean, n: number): Promise<number> {
  const req = { ...REQUEST, stream };
  const t = performance.now();
  for (let i = 0; i < n; i++) await h.chat(req);
  return ((performance.now() - t) * 1000) / n;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function hookCost(
  plugins: readonly PluginDefinition[],
  rounds = 5,
  n = 20_000,
): Promise<{ plainUs: number; streamUs: number }> {
  const none = await pluginHarness([]);
  const some = await pluginHarness(plugins);
  const plain: number[] = [];
  const stream: number[] = [];
  await perRequestUs(none, false, n / 4);
  await perRequestUs(some, false, n / 4);
  for (let r = 0; r < rounds; r++) {
    plain.push((await perRequestUs(some, false, n)) - (await perRequestUs(none, false, n)));
    stream.push((await perRequestUs(some, true, n)) - (await perRequestUs(none, true, n)));
  }
  await Promise.all([none.close(), some.close()]);
  return { plainUs: median(plain), streamUs: median(stream) };
}
