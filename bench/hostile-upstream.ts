/**
 * The hostile upstream as a standalone server, for the `hostile` bench scenario and for trying a
 * gateway against misbehaving upstreams by hand:
 *   bun bench/hostile-upstream.ts --port 9300 --key sk-any
 * Point a provider of type "openai" at http://127.0.0.1:9300/v1 (or "anthropic" / "gemini" at
 * http://127.0.0.1:9300) with that key; the model name picks the misbehaviour (see
 * `lib/hostile-upstream.ts`).
 */
import { parseArgs } from "node:util";
import { startHostileUpstream } from "./lib/hostile-upstream.ts";

const { values } = parseArgs({
  options: { port: { type: "string", default: "9300" }, key: { type: "string" } },
  strict: true,
});
if (!values.key) {
  console.error("usage: bun bench/hostile-upstream.ts --port N --key KEY");
  process.exit(2);
}
const up = startHostileUpstream(values.key, Number(values.port));
console.log(`hostile upstream on ${up.url}`);
