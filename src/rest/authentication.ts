import type pg from 'pg';
import { AuthenticationError, type Authenticator } from '../auth/authenticator.js';
import { isTokenSecret } from '../auth/secret.js';
import { verifyApiToken } from '../auth/tokens.js';

export const AUTH_TOKEN_HEADER = 'x-auth-token';

/**
 * `X-Auth-Token: pgw_…`: one of our API tokens, sent the way Placement clients (keystoneauth,
 * osc-placement, Nova) send a Keystone token. A token of another shape is left to the next
 * authenticator: behind a trusted keystonemiddleware proxy the header carries the Keystone
 * token itself, and the proxy's identity headers are what counts.
 */
export function authTokenAuthenticator(pool: pg.Pool): Authenticator {
  return {
    name: 'x-auth-token',
    async authenticate(request) {
      const secret = request.headers.get(AUTH_TOKEN_HEADER)?.trim() ?? '';
      if (!isTokenSecret(secret)) return null;
      const actor = await verifyApiToken(pool, secret);
      if (!actor) throw new AuthenticationError('the X-Auth-Token is unknown or revoked');
      return actor;
    },
  };
}

/**
 * The 401 Placement answers without a valid token: webob's HTTPUnauthorized rendered as JSON
 * (its own format, not the error document: it comes from the auth middleware, before
 * microversions), with keystonemiddleware's challenge header.
 */
export function unauthorizedBody(): Record<string, string> {
  return {
    message:
      'This server could not verify that you are authorized to access the document you requested. Either you supplied the wrong credentials (e.g., bad password), or your browser does not understand how to supply the credentials required.<br /><br />\n\n\n',
    code: '401 Unauthorized',
    title: 'Unauthorized',
  };
}
