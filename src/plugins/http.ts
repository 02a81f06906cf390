/** Answers for plugin routes: errors in the OpenAI shape the gateway uses there, and auth. */
import { timingSafeEqual } from "node:crypto";
import { bearerToken } from "../core/bearer.ts";

export function jsonError(
  status: number,
  message: string,
  type = "invalid_request_error",
  param?: string,
): Response {
  return Response.json({ error: { message, type, code: null, param: param ?? null } }, { status });
}

/** A dependency (the store, Redis) is down: a 503 the caller may retry in a second, not a 500. */
export function unavailable(message: string): Response {
  const res = jsonError(503, message, "api_error");
  res.headers.set("retry-after", "1");
  return res;
}

/** Whether `request` carries `Authorization: Bearer <secret>` (compared in constant time). */
export function hasBearer(request: Request, secret: string): boolean {
  const given = Buffer.from(bearerToken(request) ?? "");
  const expected = Buffer.from(secret);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
