import Negotiator from 'negotiator';
import type { Actor } from '../auth/actor.js';
import {
  AuthenticationError,
  type Authenticator,
  authenticate,
  IdentityProviderUnavailableError,
  NoRoleError,
  type Peer,
} from '../auth/authenticator.js';
import type { Database } from '../db.js';
import { RequestDeadline, runWithDeadline } from '../deadline.js';
import { callerKey } from '../http/caller-identity.js';
import { classifyDatabaseError, RETRY_AFTER_SECONDS } from '../http/database-errors.js';
import type { InflightSlots } from '../http/inflight-limit.js';
import type { GatewayLimits } from '../http/limits.js';
import type { Logger } from '../logger.js';
import { unauthorizedBody } from './authentication.js';
import { contentTypeForTemplate, mediaType, readRequestBody } from './body.js';
import type { RestContext, RestResult } from './context.js';
import { errorMediaType } from './error-media-type.js';
import {
  ErrorCode,
  type ErrorDocumentEntry,
  type ErrorEnvironment,
  effectiveAccept,
  errorDetail,
  errorHtml,
  RestError,
  STATUS_TITLES,
} from './errors.js';
import {
  atLeast,
  formatVersion,
  MAX_VERSION,
  MIN_VERSION,
  type Microversion,
  MicroversionError,
  negotiateVersion,
  STANDARD_HEADER,
  within,
} from './microversion.js';
import { authorize } from './policy.js';
import { pyJson } from './python.js';
import { Router, type RouteTable } from './router.js';

export interface RestApiOptions {
  db: Database;
  /** Asked in order (src/auth/authenticator.ts): X-Auth-Token, then the gateway's own. */
  authenticators: readonly Authenticator[];
  routes: RouteTable;
  /** The path prefix Placement's paths live under (`/placement`). */
  mount: string;
  logger: Logger;
  /** The gateway's request deadline and body size limit (src/http/limits.ts). */
  limits: Pick<GatewayLimits, 'requestDeadlineMs' | 'maxRequestBytes'>;
  /** The gateway's in-flight slots, shared with GraphQL (src/http/inflight-limit.ts). */
  slots: InflightSlots;
}

/** `serverContext`: node:http's, for the caller's address (src/http/caller-identity.ts). */
export type RestApi = (
  request: Request,
  url: URL,
  peer: Peer,
  serverContext: unknown,
  /** The gateway's id of the request (src/http/request-id.ts, echoed in X-Request-Id). */
  gatewayRequestId: string,
) => Promise<Response>;

// Placement authenticates every path but its root (auth.NoAuthMiddleware, PlacementAuthProtocol).
const isRoot = (path: string) => path === '' || path === '/';
// Placement's 1.23 added `code` to error documents.
const errorCodesFrom = (version: Microversion | null) => version !== null && atLeast(version, 1, 23);

/**
 * Placement's REST API over our engine: the same pipeline order as Placement's WSGI stack
 * (placement/deploy.py), because the order decides which error a bad request gets first:
 * authentication (401), the microversion (400/406), the content-length check, the route
 * (404/405), the route's Accept/Content-Type checks (406/415), the policy (403), the handler.
 */
export function createRestApi(options: RestApiOptions): RestApi {
  const router = new Router(options.routes);
  return async (request, url, peer, serverContext, gatewayRequestId) => {
    // Placement's form of the same id: logs, audit events and both headers agree.
    const requestId = gatewayRequestId.startsWith('req-') ? gatewayRequestId : `req-${gatewayRequestId}`;
    const path = url.pathname.slice(options.mount.length);
    const env: ErrorEnvironment = {
      method: request.method,
      contentType: contentTypeForTemplate(request),
      accept: effectiveAccept(request),
    };
    let version: Microversion | null = null;
    const fail = (error: RestError): Response => errorResponse(error, version, requestId, env);
    try {
      let actor: Actor | null = null;
      if (!isRoot(path)) {
        const outcome = await authenticateRest(options.authenticators, request, peer, requestId);
        if (outcome instanceof Response) return outcome;
        actor = outcome;
      }
      version = negotiateVersion(request.headers);
      const length = request.headers.get('content-length');
      if (length !== null && length.trim() !== '') {
        if (!/^\s*\d+\s*$/.test(length))
          return fail(new RestError(400, 'content-length header must be an integer', { vary: false }));
        if (Number(length) > 0 && !request.headers.get('content-type'))
          return fail(new RestError(400, 'content-type header required when content-length > 0', { vary: false }));
      }
      const match = router.match(request.method, path);
      if (match.kind === 'not-found') return fail(new RestError(404, '', { vary: false }));
      if (match.kind === 'method-not-allowed')
        return fail(
          new RestError(405, 'The method specified is not allowed for this resource.', {
            headers: { allow: match.allow },
          }),
        );
      const { params } = match;
      const negotiated = version;
      const route = match.variants.find((variant) =>
        within(negotiated, variant.since ?? MIN_VERSION, variant.until ?? MAX_VERSION),
      );
      if (!route) return fail(new RestError(match.variants[0]?.outsideStatus ?? 404, ''));
      if (route.checkAccept && !acceptsJson(request))
        return fail(new RestError(406, 'Only application/json is provided'));
      if (route.requireJson && mediaType(request) !== 'application/json')
        return fail(
          new RestError(415, `The media type ${mediaType(request) || 'None'} is not supported, use application/json`),
        );
      if (route.policy !== null) authorize(requireActor(actor), route.policy);
      // The whole body before the slot, as for /graphql: a slow body holds no slot.
      const body = await readRequestBody(request, options.limits.maxRequestBytes);
      const ctx: RestContext = {
        request,
        url,
        params,
        version: negotiated,
        actor,
        requestId,
        db: options.db,
        mount: options.mount,
        maxBodyBytes: options.limits.maxRequestBytes,
        body,
        operation: `${request.method} ${options.mount}${match.pattern}`,
        caller: (operation) => ({
          actor: requireActor(actor),
          requestId,
          operation,
          apiVersion: formatVersion(negotiated),
        }),
      };
      // The gateway's guards, as for /graphql: the caller's and the process's in-flight slots,
      // then one deadline shared by the handler's database statements.
      const key = callerKey(request, serverContext, actor ?? undefined);
      const refused = options.slots.refusal(key);
      if (refused)
        return fail(
          new RestError(refused.status, refused.message, {
            vary: false,
            headers: { 'retry-after': String(RETRY_AFTER_SECONDS) },
          }),
        );
      const release = options.slots.admit(key);
      const deadline = new RequestDeadline(options.limits.requestDeadlineMs);
      try {
        const result = await runWithDeadline(deadline, () => route.handler(ctx));
        return successResponse(result, negotiated, requestId);
      } finally {
        deadline.end();
        release();
      }
    } catch (error) {
      if (error instanceof RestError) return fail(error);
      if (error instanceof MicroversionError) return fail(new RestError(error.status, error.detail, { vary: false }));
      const fault = classifyDatabaseError(error);
      if (fault)
        return fail(
          new RestError(503, `${fault}: the database cannot answer now; retry shortly.`, {
            vary: false,
            headers: { 'retry-after': String(RETRY_AFTER_SECONDS) },
          }),
        );
      options.logger.error(`REST ${request.method} ${url.pathname} failed unexpectedly: ${String(error)}`);
      return fail(new RestError(500, 'Unexpected error.', { vary: false }));
    }
  };
}

function requireActor(actor: Actor | null): Actor {
  // Unreachable: only the root path skips authentication, and its route has no policy.
  if (!actor) throw new Error('a REST handler needing a caller ran without one');
  return actor;
}

async function authenticateRest(
  authenticators: readonly Authenticator[],
  request: Request,
  peer: Peer,
  requestId: string,
): Promise<Actor | Response> {
  try {
    return await authenticate(authenticators, request, peer);
  } catch (error) {
    // A HEAD gets webob's bare answer, as in errorResponse.
    if (error instanceof AuthenticationError && request.method === 'HEAD')
      return new Response(null, {
        status: 401,
        headers: { 'content-type': 'text/html; charset=UTF-8', 'x-openstack-request-id': requestId },
      });
    if (error instanceof AuthenticationError)
      return new Response(pyJson(unauthorizedBody()), {
        status: 401,
        headers: { 'content-type': 'application/json', 'x-openstack-request-id': requestId },
      });
    const env: ErrorEnvironment = {
      method: request.method,
      contentType: contentTypeForTemplate(request),
      accept: effectiveAccept(request),
    };
    if (error instanceof NoRoleError)
      return errorResponse(new RestError(403, error.message, { vary: false }), null, requestId, env);
    if (error instanceof IdentityProviderUnavailableError)
      return errorResponse(
        new RestError(503, error.message, { vary: false, headers: { 'retry-after': String(RETRY_AFTER_SECONDS) } }),
        null,
        requestId,
        env,
      );
    throw error;
  }
}

/** util.check_accept: an Accept header, when sent, must admit application/json. */
function acceptsJson(request: Request): boolean {
  const accept = request.headers.get('accept');
  if (accept === null || accept.trim() === '') return true;
  return new Negotiator({ headers: { accept } }).mediaTypes(['application/json']).length > 0;
}

function versionHeaders(version: Microversion | null, vary: boolean): Record<string, string> {
  if (version === null) return {};
  const headers: Record<string, string> = { [STANDARD_HEADER]: `placement ${formatVersion(version)}` };
  if (vary) headers.vary = STANDARD_HEADER;
  return headers;
}

function successResponse(result: RestResult, version: Microversion, requestId: string): Response {
  const headers: Record<string, string> = {
    ...result.headers,
    ...versionHeaders(version, true),
    'x-openstack-request-id': requestId,
  };
  if (result.lastModified !== undefined && atLeast(version, 1, 15)) {
    if (result.lastModified !== null) headers['last-modified'] = result.lastModified.toUTCString();
    headers['cache-control'] = 'no-cache';
  }
  if (result.body === undefined) return new Response(null, { status: result.status, headers });
  headers['content-type'] = 'application/json';
  return new Response(pyJson(result.body), { status: result.status, headers });
}

function errorResponse(
  error: RestError,
  version: Microversion | null,
  requestId: string,
  env: ErrorEnvironment,
): Response {
  // Key order as Placement's json_error_formatter builds the dict.
  const entry: ErrorDocumentEntry = {
    status: error.status,
    title: STATUS_TITLES[error.status] ?? 'Error',
    detail: errorDetail(error.status, error.detail, env),
    ...(errorCodesFrom(version) ? { code: error.options.code ?? ErrorCode.DEFAULT } : {}),
    request_id: requestId,
    // A 406 before any version was chosen tells the client which versions there are.
    ...(error.status === 406 && version === null ? { max_version: MAX_VERSION, min_version: MIN_VERSION } : {}),
  };
  const headers = {
    ...error.options.headers,
    ...versionHeaders(version, error.options.vary ?? true),
    'x-openstack-request-id': requestId,
  };
  // webob answers an error to HEAD as a bare Response, skipping the Accept negotiation: no body
  // and Response's default content type, whatever the Accept says (WSGIHTTPException.__call__).
  if (env.method === 'HEAD')
    return new Response(null, {
      status: error.status,
      headers: { ...headers, 'content-type': 'text/html; charset=UTF-8' },
    });
  // webob renders the error in the representation the Accept prefers: webob's HTML page,
  // Placement's JSON document, or else plain text.
  const mediaType = errorMediaType(env.accept);
  if (mediaType === 'text/html')
    return new Response(errorHtml(entry.status, entry.title, error.detail, env), {
      status: error.status,
      headers: { ...headers, 'content-type': 'text/html; charset=UTF-8' },
    });
  if (mediaType === 'text/plain')
    return new Response(`${entry.status} ${entry.title}\n\n${entry.detail}`, {
      status: error.status,
      headers: { ...headers, 'content-type': 'text/plain; charset=UTF-8' },
    });
  return new Response(pyJson({ errors: [entry] }), {
    status: error.status,
    headers: { ...headers, 'content-type': 'application/json' },
  });
}
