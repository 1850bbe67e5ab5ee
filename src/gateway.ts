import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { Registry } from 'prom-client';
import { queryLimits } from './builder.js';
import type { Context } from './context.js';
import type { Database } from './db.js';
import { useApiVersions, versionContext, versionOf } from './http/api-version.js';
import { maskGatewayError } from './http/database-errors.js';
import { defaultGatewayLimits, type GatewayLimits, limitPlugins } from './http/limits.js';
import { usePrometheusBounded } from './http/prometheus.js';
import { useQueryLimits } from './http/query-limits.js';
import { useDatabaseReadiness } from './http/readiness.js';
import { useVariableErrorCodes } from './http/variable-errors.js';
import { RequestLoaders } from './loaders.js';
import type { Logger } from './logger.js';
import { engineRegistry, poolRegistry } from './metrics.js';
import { schemas } from './schema/index.js';
import { LATEST_VERSION, VERSION_HEADER } from './versions.js';

export type Gateway = YogaServerInstance<Record<string, unknown>, Context>;

/**
 * The GraphQL gateway over one database. Stateless: any number of them can serve the same
 * PostgreSQL. GraphiQL is rendered from the bundled assets (works offline).
 */
export function createGateway(db: Database, logger: Logger, limits: GatewayLimits = defaultGatewayLimits): Gateway {
  const pool = db.pool;
  return createYoga<Record<string, unknown>, Context>({
    // Each request is validated and executed against its API version's schema only.
    schema: ({ request }) => schemas[versionOf(request)],
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    landingPage: false,
    context: ({ request }) => ({ db, loaders: new RequestLoaders(db.prisma), ...versionContext(request) }),
    // The playground speaks the newest version; clients without the header get the oldest.
    graphiql: {
      title: 'placement-gateway',
      defaultQuery: DEFAULT_QUERY,
      headers: JSON.stringify({ [VERSION_HEADER]: LATEST_VERSION }),
    },
    renderGraphiQL,
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
      ...limitPlugins(limits, '/graphql'),
      // Before useApiVersions: an operation refused here did not run, so it reports no deprecations.
      useVariableErrorCodes(),
      useQueryLimits(queryLimits),
      useApiVersions('/graphql'),
      usePrometheusBounded(Registry.merge([engineRegistry, poolRegistry(pool)]), '/metrics'),
      useDatabaseReadiness(db.pool, '/ready'),
    ],
  });
}

const DEFAULT_QUERY = `# placement-gateway: try a query, e.g.
query Providers {
  resourceProviders(first: 10) {
    totalCount
    edges {
      node {
        uuid
        name
        generation
        inventories { resourceClass total capacity used free }
        traits
      }
    }
  }
}
`;
