import type { Pool } from 'pg';
import type { Actor } from './actor.js';
import { bearerSecret } from './secret.js';
import { verifyApiToken } from './tokens.js';

/** The credentials of a request could not be accepted; the message says why (never echoes a secret). */
export class AuthenticationError extends Error {
  readonly code = 'UNAUTHENTICATED';
  constructor(message: string) {
    super(message);
    this.name = 'AuthenticationError';
  }
}

/**
 * The credentials are good, but the identity they prove holds no role this gateway maps
 * (JWT_ROLE_MAP, PROXY_ROLE_MAP): 403 FORBIDDEN, as the caller is known and simply not allowed.
 */
export class NoRoleError extends Error {
  readonly code = 'FORBIDDEN';
  constructor(message: string) {
    super(message);
    this.name = 'NoRoleError';
  }
}

/**
 * The identity provider needed to check the credentials (the JWKS endpoint) could not be
 * reached or answered nonsense: 503 IDENTITY_PROVIDER_UNAVAILABLE, retryable, since the caller
 * did nothing wrong. The message says what failed, never the token.
 */
export class IdentityProviderUnavailableError extends Error {
  readonly code = 'IDENTITY_PROVIDER_UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IdentityProviderUnavailableError';
  }
}

/** Where a request came from: the TCP peer (undefined for a request handed to the gateway in-process). */
export interface Peer {
  address: string | undefined;
}

/**
 * One way of recognising a caller. `authenticate` answers:
 * - an Actor: this authenticator vouches for the caller;
 * - null: the request carries nothing this authenticator understands (the next one is asked);
 * - throws AuthenticationError: the request carries credentials of this kind and they are bad
 *   (the request is refused; no later authenticator is asked);
 * - throws NoRoleError or IdentityProviderUnavailableError (above).
 */
export interface Authenticator {
  readonly name: string;
  authenticate(request: Request, peer: Peer): Promise<Actor | null>;
}

/** `Authorization: Bearer pgw_…` API tokens (src/auth/tokens.ts). Other bearer formats are left to later entries. */
export function tokenAuthenticator(pool: Pool): Authenticator {
  return {
    name: 'api-token',
    async authenticate(request) {
      const secret = bearerSecret(request.headers.get('authorization'));
      if (secret === null) return null;
      const actor = await verifyApiToken(pool, secret);
      if (!actor) throw new AuthenticationError('the bearer token is unknown or revoked');
      return actor;
    },
  };
}

/**
 * Asks each authenticator in order; the first Actor wins. When none recognises the request,
 * the error says what is expected.
 */
export async function authenticate(
  authenticators: readonly Authenticator[],
  request: Request,
  peer: Peer,
): Promise<Actor> {
  for (const authenticator of authenticators) {
    const actor = await authenticator.authenticate(request, peer);
    if (actor) return actor;
  }
  const header = request.headers.get('authorization');
  if (header === null || header.trim() === '')
    throw new AuthenticationError('authentication required: send "Authorization: Bearer <token>"');
  throw new AuthenticationError('the Authorization header is not a bearer token this gateway accepts');
}
