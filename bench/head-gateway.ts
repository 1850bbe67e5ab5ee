// node --import tsx bench/head-gateway.ts: the gateway on DATABASE_URL (already migrated by the
// bench), configured by the same environment as src/main.ts, that also serves the unreleased
// head API version. main.ts never serves the head (a released gateway must not), so the bench
// worlds that time head-only fields (request groups) start this entry instead.
import { createServer } from 'node:http';
import path from 'node:path';
import { adminTokenFile, bootstrapAdminToken } from '../src/auth/bootstrap.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db.js';
import { createGateway } from '../src/gateway.js';
import { serverOptions } from '../src/http/server-timeouts.js';
import { listen } from '../src/listen.js';
import { createLogger } from '../src/logger.js';

const config = loadConfig();
if (!config.DATABASE_URL) throw new Error('head-gateway needs DATABASE_URL');
const logger = createLogger(config.LOG_LEVEL);
const db = openDatabase(
  config.DATABASE_URL,
  config.DB_POOL_MAX,
  config.DB_ACQUIRE_TIMEOUT_MS,
  config.DB_STATEMENT_TIMEOUT_MS,
);
await bootstrapAdminToken(db.pool, {
  configuredSecret: config.PLACEMENT_ADMIN_TOKEN,
  file: adminTokenFile(config.DATA_DIR ?? path.resolve(process.cwd(), '.data')),
});
const gateway = createGateway(
  db,
  logger,
  {
    maxInflightRequests: config.MAX_INFLIGHT_REQUESTS,
    maxRequestBytes: config.MAX_REQUEST_BYTES,
    maxDocumentTokens: config.MAX_DOCUMENT_TOKENS,
    maxAliases: config.MAX_ALIASES,
    perCallerMaxInflight: config.PER_CALLER_MAX_IN_FLIGHT,
    requestDeadlineMs: config.REQUEST_DEADLINE_MS,
  },
  { corsOrigins: config.CORS_ORIGINS, graphiql: config.GRAPHIQL, introspection: config.INTROSPECTION },
  { metricsRequireToken: config.METRICS_REQUIRE_TOKEN, serveHead: true },
);
const server = createServer(
  serverOptions({ headersTimeoutMs: config.HEADERS_TIMEOUT_MS, requestTimeoutMs: config.REQUEST_TIMEOUT_MS }),
  gateway,
);
await listen(server, config.PORT, config.HOST);
const stop = () => {
  server.closeIdleConnections();
  server.close(() => void db.close().then(() => process.exit(0)));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
