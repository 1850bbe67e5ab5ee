import type { CORSOptions, Plugin } from 'graphql-yoga';
import { VERSION_HEADER } from '../versions.js';
import { earlyErrorResponse } from './early-error.js';

/**
 * `CORS_ORIGINS` as a list of exact origins, or the reason it is not one. Only
 * `scheme://host[:port]` of http(s) counts: no `*`, no `null`, no paths, so a browser page is
 * trusted only when an operator named its origin.
 */
export function parseOrigins(value: string): string[] | string {
  const origins: string[] = [];
  for (const raw of value.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    if (!URL.canParse(item)) return `"${item}" is not an origin`;
    const url = new URL(item);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return `"${item}" is not http(s)`;
    if (url.origin !== item.replace(/\/$/, '')) return `"${item}" is not an origin (no path, query or credentials)`;
    origins.push(url.origin);
  }
  return origins;
}

// What a listed origin's scripts may send: JSON bodies, the version header, a bearer token.
const ALLOWED_HEADERS = ['content-type', 'accept', VERSION_HEADER.toLowerCase(), 'authorization', 'x-auth-token'];

/**
 * yoga's `cors` option: no CORS headers at all unless the request's Origin is listed. A
 * preflight from any other origin is answered without them, which the browser treats as a
 * refusal; a listed origin is echoed alone (never `*` or `null`), without credentials
 * (clients authenticate with a header, never a cookie).
 */
export function corsFor(origins: readonly string[]): false | ((request: Request) => CORSOptions | false) {
  if (origins.length === 0) return false;
  const listed = new Set(origins);
  return (request) => {
    const origin = request.headers.get('origin');
    if (origin === null || !listed.has(origin)) return false;
    return {
      origin: [origin],
      methods: ['GET', 'POST'],
      allowedHeaders: ALLOWED_HEADERS,
      credentials: false,
      maxAge: 600,
    };
  };
}

// The POST content types a browser sends cross-site without a preflight (an HTML form, a
// `fetch` with `mode: "no-cors"`): a page on any site could make an operator's browser post them.
const SIMPLE_CONTENT_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

/**
 * Refuses POSTs to `endpoint` with a simple content type (415 CROSS_SITE_REQUEST_REFUSED)
 * before the body is read, so no cross-site form can run a mutation. Hand-written rather
 * than yoga's CSRF-prevention plugin: that one also refuses GET queries without a custom
 * header, which GraphQL over HTTP requires to work (test/http.test.ts runs its audits).
 * GET cannot mutate (yoga answers 405).
 */
export function useCrossSiteRefusal(endpoint: string): Plugin {
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== endpoint || request.method !== 'POST') return;
      const contentType = (request.headers.get('content-type') ?? '').toLowerCase();
      if (!SIMPLE_CONTENT_TYPES.some((simple) => contentType.startsWith(simple))) return;
      endResponse(
        earlyErrorResponse(
          fetchAPI,
          415,
          'POST bodies must be application/json: form, multipart and text/plain bodies are refused (a cross-site page could send them).',
          { code: 'CROSS_SITE_REQUEST_REFUSED' },
          { connection: 'close' },
        ),
      );
    },
  };
}
