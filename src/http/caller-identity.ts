import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Actor } from '../auth/actor.js';

/**
 * Who is calling, for per-caller budgets: a hash of the credential the request presents
 * (`Authorization`, else `X-Auth-Token`), which is the token's identity once tokens are
 * checked; else the client's address. Hashed so a secret never sits in memory as a map key.
 * A caller a trusted proxy vouched for (`actor`, kind 'proxy') is its user and project: the
 * proxy's own address is shared by everyone behind it. A JWT caller is its subject. Null for a request without either: one
 * handed to the gateway in-process (`gateway.fetch`), which no network client can send.
 */
export function callerKey(request: Request, serverContext: unknown, actor?: Actor): string | null {
  if (actor?.kind === 'proxy') return `proxy:${JSON.stringify([actor.projectId, actor.name])}`;
  // Every fresh token the issuer mints for a subject is still that subject.
  if (actor?.kind === 'jwt') return `jwt:${actor.name}`;
  const credential = request.headers.get('authorization') ?? request.headers.get('x-auth-token');
  if (credential) return `credential:${createHash('sha256').update(credential).digest('base64url')}`;
  const address = peerAddress(serverContext);
  return address === undefined ? null : `address:${address}`;
}

/** The TCP peer address of a request served by node:http (yoga's server context carries `req`). */
export function peerAddress(serverContext: unknown): string | undefined {
  const req = (serverContext as { req?: IncomingMessage } | undefined)?.req;
  return req?.socket?.remoteAddress;
}
