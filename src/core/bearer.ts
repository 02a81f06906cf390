/** The token of an `Authorization: Bearer <token>` header, trimmed; undefined without one. */
export function bearerToken(request: Request): string | undefined {
  const auth = request.headers.get("authorization");
  return auth?.startsWith("Bearer ") ? auth.slice(7).trim() || undefined : undefined;
}
