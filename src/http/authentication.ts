import type { Plugin } from 'graphql-yoga';
import type { Actor } from '../auth/actor.js';
import {
  AuthenticationError,
  type Authenticator,
  authenticate,
  IdentityProviderUnavailableError,
  NoRoleError,
} from '../auth/authenticator.js';
import { peerAddress } from './caller-identity.js';
import { classifyDatabaseError, databaseFaultError, RETRY_AFTER_SECONDS } from './database-errors.js';
import { earlyErrorResponse } from './early-error.js';

const actors = new WeakMap<Request, Actor>();

/** The caller of a request once it passed authentication, else undefined (per-caller budgets read it). */
export function authenticatedActor(request: Request): Actor | undefined {
  return actors.get(request);
}

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
  /** Told when the identity provider could not be asked (the client gets 503 IDENTITY_PROVIDER_UNAVAILABLE). */
  onIdentityProviderUnavailable: (error: IdentityProviderUnavailableError) => void;
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
 * 401 UNAUTHENTICATED with `WWW-Authenticate: Bearer`; a proven identity without a mapped role
 * 403 FORBIDDEN; an identity provider that cannot be asked (JWKS down) 503
 * IDENTITY_PROVIDER_UNAVAILABLE with Retry-After. GraphiQL's page (GET text/html) and
 * CORS preflights are answered by yoga's own plugins before this one, so they stay open.
 */
export function useAuthentication(options: AuthenticationOptions): Plugin {
  const protectedPaths = new Set(options.protectedPaths);
  return {
    async onRequest({ request, url, serverContext, endResponse, fetchAPI }) {
      if (!protectedPaths.has(url.pathname) || request.method === 'OPTIONS') return;
      try {
        const peer = { address: peerAddress(serverContext) };
        actors.set(request, await authenticate(options.authenticators, request, peer));
      } catch (error) {
        if (error instanceof AuthenticationError) return endResponse(unauthenticated(fetchAPI, error.message));
        if (error instanceof NoRoleError)
          return endResponse(earlyErrorResponse(fetchAPI, 403, error.message, { code: error.code }));
        if (error instanceof IdentityProviderUnavailableError) {
          options.onIdentityProviderUnavailable(error);
          return endResponse(
            earlyErrorResponse(
              fetchAPI,
              503,
              error.message,
              { code: error.code, retryable: true },
              { 'Retry-After': String(RETRY_AFTER_SECONDS) },
            ),
          );
        }
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
