/** Answers for plugin routes: JSON bodies, and errors in the OpenAI shape the gateway uses there. */

export function jsonError(
  status: number,
  message: string,
  type = "invalid_request_error",
  param?: string,
): Response {
  return Response.json({ error: { message, type, code: null, param: param ?? null } }, { status });
}
