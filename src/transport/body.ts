/**
 * Request bodies: read with a byte limit (413 past `max_body_bytes`, whether or not the client sent
 * a Content-Length) and parsed as JSON (400 when it is not). Used as Elysia's body parser.
 */
import { GatewayError } from "../core/errors.ts";

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
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new GatewayError(
      "INVALID_JSON",
      `We could not parse the JSON body of your request: ${(err as Error).message}`,
      { cause: err },
    );
  }
}
