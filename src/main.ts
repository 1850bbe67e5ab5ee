import { createServer } from 'node:http';
import pg from 'pg';
import { loadConfig } from './config.js';
import { openDatabase } from './db.js';
import { type EmbeddedServer, startEmbeddedPostgres } from './embedded-postgres.js';
import { createGateway } from './gateway.js';
import { createLogger } from './logger.js';
import { migrate } from './migrate.js';
import { scheduleKeyPurge } from './placement/claims/index.js';

let embedded: EmbeddedServer | undefined;

/** `npm start`: embedded PostgreSQL unless DATABASE_URL is set, migrations, then HTTP. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    logger.info('starting embedded PostgreSQL', { dataDir: config.DATA_DIR, port: config.EMBEDDED_PG_PORT });
    embedded = await startEmbeddedPostgres({
      dataDir: config.DATA_DIR,
      port: config.EMBEDDED_PG_PORT,
      log: (line) => logger.debug(line, { component: 'postgres' }),
    });
    databaseUrl = embedded.url;
  }
  // Migrations run on their own connection: they may wait for another gateway's migration
  // lock or run long, which the serving pool's statement timeout must not cut short.
  const migrationPool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  try {
    const { applied } = await migrate(migrationPool);
    logger.info('database ready', { migrationsApplied: applied });
  } finally {
    await migrationPool.end();
  }
  const db = openDatabase(
    databaseUrl,
    config.DB_POOL_MAX,
    config.DB_ACQUIRE_TIMEOUT_MS,
    config.DB_STATEMENT_TIMEOUT_MS,
  );
  const purge = scheduleKeyPurge(db.pool, {
    retentionHours: config.IDEMPOTENCY_RETENTION_HOURS,
    onError: (error) => logger.warn('idempotency key purge failed', { error: String(error) }),
  });

  const gateway = createGateway(db, logger, {
    maxInflightRequests: config.MAX_INFLIGHT_REQUESTS,
    maxRequestBytes: config.MAX_REQUEST_BYTES,
    maxDocumentTokens: config.MAX_DOCUMENT_TOKENS,
    maxAliases: config.MAX_ALIASES,
  });
  const server = createServer(gateway);
  await new Promise<void>((resolve) => server.listen(config.PORT, config.HOST, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  logger.info(`placement-gateway listening on http://localhost:${port}/graphql`, { port });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    server.closeIdleConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await purge.stop();
    await db.close();
    await embedded?.stop();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch(async (error: unknown) => {
  process.stderr.write(
    `placement-gateway failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  // Do not leave an embedded server running behind a failed start.
  await embedded?.stop().catch(() => undefined);
  process.exit(1);
});
