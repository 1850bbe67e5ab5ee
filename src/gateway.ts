import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { Registry } from 'prom-client';
import { type Authenticator, tokenAuthenticator } from './auth/authenticator.js';
import { type JwtSettings, jwtAuthenticator } from './auth/jwt.js';
import { type ProxySettings, proxyAuthenticator } from './auth/proxy.js';
import { queryLimits } from './builder.js';
import type { Context } from './context.js';
import type { Database } from './db.js';
import { useApiVersions, versionContext, versionOf } from './http/api-version.js';
import { actorOf, useAuthentication } from './http/authentication.js';
import { corsFor, useCrossSiteRefusal } from './http/cross-site.js';
import { maskGatewayError } from './http/database-errors.js';
import { cachedGraphiQLPage } from './http/graphiql-page.js';
import { InflightGauge, InflightSlots } from './http/inflight-limit.js';
import { defaultGatewayLimits, type GatewayLimits, limitPlugins } from './http/limits.js';
import { usePrometheusBounded } from './http/prometheus.js';
import { useQueryLimits } from './http/query-limits.js';
import { useDatabaseReadiness } from './http/readiness.js';
import { requestIdOf, useRequestId } from './http/request-id.js';
import { useSchemaDownload } from './http/schema-download.js';
import { useVariableErrorCodes } from './http/variable-errors.js';
import { useVersionHints } from './http/version-hints.js';
import { RequestLoaders } from './loaders.js';
import type { Logger } from './logger.js';
import { engineRegistry, poolRegistry } from './metrics.js';
import { authTokenAuthenticator } from './rest/authentication.js';
import { REST_MOUNT, useRestApi } from './rest/plugin.js';
import { ROUTES } from './rest/routes.js';
import { createRestApi } from './rest/service.js';
import { schemas } from './schema/index.js';
import { type ApiVersion, HEAD_VERSION, LATEST_VERSION, SERVED_VERSIONS, VERSION_HEADER } from './versions.js';

export type Gateway = YogaServerInstance<Record<string, unknown>, Context>;

/** What the gateway shows to browsers and explorers; README ("Settings"), docs/OPERATIONS.md (production). */
export interface GatewayExposure {
  /** Origins whose pages may call the API (CORS_ORIGINS); empty: no CORS at all. */
  corsOrigins: readonly string[];
  /** GraphiQL at GET /graphql (GRAPHIQL). */
  graphiql: boolean;
  /** Introspection queries (INTROSPECTION); the SDL downloads at /schema/ stay public either way. */
  introspection: boolean;
}

export const defaultGatewayExposure: GatewayExposure = { corsOrigins: [], graphiql: true, introspection: true };

/** Who may call, and what is served (docs/OPERATIONS.md, "Access control"). */
export interface GatewayAccess {
  /** Asked in order for each request; defaults to API tokens, then `jwt`, then `proxy` when set. */
  authenticators?: readonly Authenticator[];
  /** Also accept JWT bearer tokens from this issuer (JWT_* settings); off when absent. */
  jwt?: JwtSettings | null;
  /** Also believe identity headers from these proxies (TRUSTED_PROXIES, PROXY_ROLE_MAP); off when absent. */
  proxy?: ProxySettings | null;
  /** /metrics answers only with a valid bearer token (METRICS_REQUIRE_TOKEN). */
  metricsRequireToken?: boolean;
  /**
   * Also serve the unreleased head version (HEAD_VERSION). For tests of head fields only: main.ts
   * never sets it, and a released gateway serves RELEASED_VERSIONS.
   */
  serveHead?: boolean;
}

/** The placeholder GraphiQL's Headers tab starts with; README says what to paste. */
export const GRAPHIQL_AUTHORIZATION_PLACEHOLDER = 'Bearer <paste the token from .data/admin-token>';

/**
 * The GraphQL gateway over one database. Stateless: any number of them can serve the same
 * PostgreSQL. GraphiQL is rendered from the bundled assets (works offline).
 */
export function createGateway(
  db: Database,
  logger: Logger,
  limits: GatewayLimits = defaultGatewayLimits,
  exposure: GatewayExposure = defaultGatewayExposure,
  access: GatewayAccess = {},
): Gateway {
  const inflight = new InflightGauge(limits.maxInflightRequests);
  // One budget for both APIs: a caller's REST and GraphQL requests share its in-flight slots.
  const slots = new InflightSlots(limits.maxInflightRequests, limits.perCallerMaxInflight, inflight);
  const authenticators = access.authenticators ?? defaultAuthenticators(db, logger, access);
  const graphiqlPage = cachedGraphiQLPage(renderGraphiQL);
  // Placement's REST API (src/rest/): X-Auth-Token carries an API token, else the GraphQL ways of calling.
  const restApi = createRestApi({
    db,
    authenticators: [authTokenAuthenticator(db.pool), ...authenticators],
    routes: ROUTES,
    mount: REST_MOUNT,
    logger,
    limits,
    slots,
  });
  const served: readonly ApiVersion[] = access.serveHead ? [...SERVED_VERSIONS, HEAD_VERSION] : SERVED_VERSIONS;
  return createYoga<Record<string, unknown>, Context>({
    // Each request is validated and executed against its API version's schema only.
    schema: ({ request }) => schemas[versionOf(request)],
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    landingPage: false,
    context: ({ request }) => ({
      db,
      loaders: new RequestLoaders(db.prisma),
      actor: actorOf(request),
      requestId: requestIdOf(request),
      ...versionContext(request),
    }),
    cors: corsFor(exposure.corsOrigins),
    // Only JSON bodies: a multipart or form body is what a cross-site form sends (src/http/cross-site.ts).
    multipart: false,
    // The playground speaks the newest version; clients without the header get the oldest.
    graphiql: exposure.graphiql && {
      title: 'placement-gateway',
      defaultQuery: DEFAULT_QUERY,
      headers: JSON.stringify({ Authorization: GRAPHIQL_AUTHORIZATION_PLACEHOLDER, [VERSION_HEADER]: LATEST_VERSION }),
    },
    renderGraphiQL: graphiqlPage.render,
    // Unexpected errors are masked; typed errors travel in the result unions; database
    // faults become retryable errors (src/http/database-errors.ts).
    maskedErrors: { maskError: maskGatewayError },
    maxRequestBodySize: limits.maxRequestBytes,
    logging: {
      debug: (...args) => logger.debug(args.map(String).join(' ')),
      info: (...args) => logger.info(args.map(String).join(' ')),
      warn: (...args) => logger.warn(args.map(String).join(' ')),
      error: (...args) => logger.error(args.map(String).join(' ')),
    },
    plugins: [
      // First: every answer, early refusals included, carries the request's id.
      useRequestId(),
      // Placement's REST API answers /placement/… itself, with Placement's own auth, errors and headers.
      useRestApi(restApi),
      graphiqlPage.plugin,
      useCrossSiteRefusal('/graphql'),
      ...limitPlugins(limits, '/graphql', inflight, slots),
      // Before anything reads the body or the version: an anonymous request learns nothing.
      useAuthentication({
        authenticators,
        protectedPaths: access.metricsRequireToken ? ['/graphql', '/metrics'] : ['/graphql'],
        onIdentityProviderUnavailable: onceEvery(IDENTITY_PROVIDER_WARNING_INTERVAL_MS, (error) =>
          logger.warn(error.message),
        ),
        onUnexpectedError: (error) => logger.error(`authentication failed unexpectedly: ${String(error)}`),
      }),
      ...(exposure.introspection ? [] : [useDisableIntrospection()]),
      // Before useApiVersions: an operation refused here did not run, so it reports no deprecations.
      // Before useVariableErrorCodes: a variable holding a field of a later version gets the version hint.
      useVersionHints(served),
      useVariableErrorCodes(),
      useQueryLimits(queryLimits),
      useApiVersions('/graphql', served),
      usePrometheusBounded(Registry.merge([engineRegistry, poolRegistry(db)]), '/metrics'),
      useDatabaseReadiness(db.pool, '/ready', { inflight }),
      useSchemaDownload('/schema/'),
    ],
  });
}

// During an issuer outage every JWT request fails the same way: one warning per interval says so without a flood.
const IDENTITY_PROVIDER_WARNING_INTERVAL_MS = 10_000;

function onceEvery<T>(intervalMs: number, act: (value: T) => void): (value: T) => void {
  let last = Number.NEGATIVE_INFINITY;
  return (value) => {
    const now = performance.now();
    if (now - last < intervalMs) return;
    last = now;
    act(value);
  };
}

/** API tokens first (one indexed lookup), then JWTs, then trusted proxy headers: each only when configured. */
function defaultAuthenticators(db: Database, logger: Logger, access: GatewayAccess): Authenticator[] {
  return [
    tokenAuthenticator(db.pool),
    ...(access.jwt ? [jwtAuthenticator(access.jwt)] : []),
    ...(access.proxy ? [proxyAuthenticator(access.proxy, logger)] : []),
  ];
}

// GraphiQL's first document: the tour's two questions (what do the hosts have, where does a request fit), valid
// for the version GraphiQL sends (test/graphiql.test.ts checks it). Operations run with the ▶ button's menu.
export const DEFAULT_QUERY = `# placement-gateway speaks API version ${LATEST_VERSION} here (see the Headers tab).
# Press ▶ and pick an operation. The README's "Five-minute tour" creates a cell,
# two hosts and a claim to look at; docs/ explains the model.

# The hosts (resource providers): what they have, what is taken, and per project.
query Hosts {
  resourceProviders(first: 10) {
    totalCount
    edges {
      node {
        name
        uuid
        generation
        cell { name }
        traits
        inventories { resourceClass capacity used free utilization }
      }
    }
  }
  usages(projectId: "demo") { consumerCount usages { resourceClass used } }
}

# Where would 2 VCPU and 4 GiB fit? The best hosts first (SPREAD: the emptiest),
# each with the allocationRequest that claim, reschedule and setAllocations take back.
query Candidates {
  allocationCandidates(
    limit: 5
    request: { resources: [{ resourceClass: "VCPU", amount: 2 }, { resourceClass: "MEMORY_MB", amount: 4096 }] }
  ) {
    ... on AllocationCandidates {
      candidates {
        resourceProvider { name }
        providerUuid
        weight
        allocationRequest { providerUuid resources { resourceClass amount } }
        summary { resourceClass capacity used free }
      }
    }
    ... on Error { code message }
  }
  # When nothing fits: how many hosts each constraint eliminated.
  explainPlacement(request: { resources: [{ resourceClass: "VCPU", amount: 2 }, { resourceClass: "MEMORY_MB", amount: 4096 }] }) {
    ... on PlacementExplanation { providersConsidered remaining steps { constraint detail eliminated } }
    ... on Error { code message }
  }
}
`;
