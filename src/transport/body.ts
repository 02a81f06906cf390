/**
 * Request bodies: read with a byte limit (413 past `max_body_bytes`, whether or not the client sent
 * a Content-Length) and parsed as JSON (400 when it is not, when it nests deeper than
 * MAX_JSON_DEPTH, or when it holds a `__proto__` key, which no API uses and which only serves
 * prototype-pollution attempts). Used as Elysia's body parser.
 */
import { GatewayError } from "../core/errors.ts";

/** Deepest nesting of objects and arrays a body may have. */
export const MAX_JSON_DEPTH = 64;

/** The nesting depth of a parsed JSON value, walked without recursion; stops past `limit`. */
function depthExceeds(root: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (typeof value !== "object" || value === null) continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(value) ? value : Object.values(value)) {
      if (typeof child === "object" && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

function tooLarge(limit: number): GatewayError {
  return new GatewayError("BODY_TOO_LARGE", `Request body exceeds the limit of ${limit} bytes.`);
}

async function readLimited(request: Request, limit: number): Promise<string> {
  const declared = request.headers.get("content-length");
  if (declared !== null) {
    if (Number(declared) > limit) throw tooLarge(limit);
    return request.text();
  }
  if (!request.body) return "";
  const reader = request.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    parts.push(value);
  }
  return Buffer.concat(parts).toString("utf8");
}

export async function readJsonBody(request: Request, limit: number): Promise<unknown> {
  const text = await readLimited(request, limit);
  if (text.trim() === "") {
    throw new GatewayError("INVALID_JSON", "The request body is empty; send a JSON object.");
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new GatewayError(
      "INVALID_JSON",
      `We could not parse the JSON body of your request: ${(err as Error).message}`,
      { cause: err },
    );
  }
  if (text.includes('"__proto__"')) {
    throw new GatewayError("INVALID_REQUEST", "The key '__proto__' is not allowed in a request.", {
      param: "__proto__",
    });
  }
  if (depthExceeds(value, MAX_JSON_DEPTH)) {
    throw new GatewayError(
      "INVALID_JSON",
      `The JSON body nests deeper than ${MAX_JSON_DEPTH} levels.`,
    );
  }
  return value;
}
