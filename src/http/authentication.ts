import type { Plugin } from 'graphql-yoga';
import type { Actor } from '../auth/actor.js';
import { AuthenticationError, type Authenticator, authenticate } from '../auth/authenticator.js';
import { classifyDatabaseError, databaseFaultError, RETRY_AFTER_SECONDS } from './database-errors.js';
import { earlyErrorResponse } from './early-error.js';

const actors = new WeakMap<Request, Actor>();

/** The caller of a request that passed authentication (the GraphQL context reads it). */
export function actorOf(request: Request): Actor {
  const actor = actors.get(request);
  // Unreachable for /graphql: the plugin answers 401 before a context is built.
  if (!actor) throw new Error('request reached execution without an authenticated actor');
  return actor;
}

export interface AuthenticationOptions {
  /** Asked in order for every protected request (src/auth/authenticator.ts). */
  authenticators: readonly Authenticator[];
  /** Paths that need a caller: the GraphQL endpoint, and /metrics when METRICS_REQUIRE_TOKEN is set. */
  protectedPaths: readonly string[];
  /** Told about an unexpected failure while authenticating (the client gets a masked 500). */
  onUnexpectedError: (error: unknown) => void;
}

function unauthenticated(fetchAPI: { Response: typeof Response }, message: string): Response {
  // RFC 6750: the challenge names the scheme; error="invalid_token" only when a token was sent.
  return earlyErrorResponse(fetchAPI, 401, message, { code: 'UNAUTHENTICATED' }, { 'WWW-Authenticate': 'Bearer' });
}

/**
 * Every request to a protected path needs a caller an authenticator vouches for, checked in
 * onRequest: before the body is parsed, so an anonymous client learns nothing about the schema
 * and spends no parsing or validation. Missing, malformed, unknown or revoked credentials get
 * 401 UNAUTHENTICATED with `WWW-Authenticate: Bearer`. GraphiQL's page (GET text/html) and
 * CORS preflights are answered by yoga's own plugins before this one, so they stay open.
 */
export function useAuthentication(options: AuthenticationOptions): Plugin {
  const protectedPaths = new Set(options.protectedPaths);
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (!protectedPaths.has(url.pathname) || request.method === 'OPTIONS') return;
      try {
        actors.set(request, await authenticate(options.authenticators, request));
      } catch (error) {
        if (error instanceof AuthenticationError) return endResponse(unauthenticated(fetchAPI, error.message));
        const fault = classifyDatabaseError(error);
        if (!fault) {
          options.onUnexpectedError(error);
          return endResponse(earlyErrorResponse(fetchAPI, 500, 'Unexpected error.', { code: 'INTERNAL_SERVER_ERROR' }));
        }
        const { message, extensions } = databaseFaultError(fault);
        const { http: _http, ...body } = extensions;
        endResponse(earlyErrorResponse(fetchAPI, 503, message, body, { 'Retry-After': String(RETRY_AFTER_SECONDS) }));
      }
    },
  };
}
