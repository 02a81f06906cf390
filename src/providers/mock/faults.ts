/**
 * Faults a mock upstream can be asked for through the model name, so tests and users can rehearse
 * failure against the real wire formats:
 *
 *   fail-<status>       always answers that status (429 with Retry-After: 1)
 *   flaky-<n>           the first n requests answer 503, later ones succeed
 *   limited-<n>         the first n requests answer 429 with Retry-After: 1, later ones succeed
 *   stall               never answers (until the caller gives up)
 *   slow-<ms>           waits that long first
 *   reset[-<n>]         cuts the connection halfway through the body (stream or JSON)
 *   truncate[-<n>]      ends the body cleanly halfway (a stream without its end)
 *   garbage[-<n>]       answers 200 with a body that is not valid JSON / SSE data
 *
 * `-<n>` faults count requests per model name and per mock instance.
 */

export type BodyFault = "reset" | "truncate" | "garbage";

export interface Fault {
  fail?: number;
  stall?: boolean;
  slowMs?: number;
  body?: BodyFault;
}

const COUNTED = /^(flaky|limited|reset|truncate|garbage)(?:-(\d+))?(?:\.[\w-]+)?$/;

/** A per-instance fault picker: it counts the requests of each model name. */
export function createFaults(): (model: string) => Fault {
  const seen = new Map<string, number>();
  return (model) => {
    const name = model.slice(model.lastIndexOf("/") + 1);
    const fail = /^fail-(\d{3})$/.exec(name);
    if (fail) return { fail: Number(fail[1]) };
    if (name === "stall") return { stall: true };
    const slow = /^slow-(\d+)$/.exec(name);
    if (slow) return { slowMs: Number(slow[1]) };
    const counted = COUNTED.exec(name);
    if (!counted) return {};
    const n = (seen.get(model) ?? 0) + 1;
    seen.set(model, n);
    const limit = counted[2] === undefined ? Infinity : Number(counted[2]);
    if (n > limit) return {};
    const kind = counted[1]!;
    if (kind === "flaky") return { fail: 503 };
    if (kind === "limited") return { fail: 429 };
    return { body: kind as BodyFault };
  };
}

/** The same response with its body damaged as asked. */
export function damage(res: Response, fault: BodyFault): Response {
  const headers = res.headers;
  const sse = headers.get("content-type")?.includes("event-stream") ?? false;
  if (fault === "garbage") {
    const body = sse ? "data: {not json at all\n\n" : "{not json at all";
    return new Response(body, { status: 200, headers });
  }
  const reader = res.body!.getReader();
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await reader.read();
      // Keep the first part: two stream events, or half of a JSON body.
      const cut = done || (sse ? sent >= 2 : sent >= 1);
      if (cut) {
        reader.cancel().catch(() => {});
        if (fault === "reset") {
          // Let what was sent reach the client first, as on a real connection that drops later.
          await Bun.sleep(50);
          controller.error(new Error("mock connection reset"));
        } else controller.close();
        return;
      }
      sent++;
      controller.enqueue(sse ? value : value.slice(0, Math.max(1, value.length >> 1)));
    },
  });
  return new Response(body, { status: 200, headers });
}
