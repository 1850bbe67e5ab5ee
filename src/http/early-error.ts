/**
 * A GraphQL-shaped error answered before any parsing or execution (`{ errors: [...] }`), for
 * plugins that end a request in `onRequest`.
 */
export function earlyErrorResponse(
  fetchAPI: { Response: typeof Response },
  status: number,
  message: string,
  extensions: Record<string, unknown>,
  headers: Record<string, string> = {},
): Response {
  return new fetchAPI.Response(JSON.stringify({ errors: [{ message, extensions }] }), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  });
}
