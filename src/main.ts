import { createServer } from 'node:http';
import path from 'node:path';
import pg from 'pg';
import { adminTokenFile, bootstrapAdminToken } from './auth/bootstrap.js';
import type { JwtSettings } from './auth/jwt.js';
import type { ProxySettings } from './auth/proxy.js';
import { RevokedBootstrapSecretError } from './auth/tokens.js';
import { type Config, ConfigError, jwtSettingsOf, loadConfig, proxySettingsOf } from './config.js';
import { connectedAsSuperuser, SUPERUSER_WARNING } from './database-role.js';
import { PREDICATE_LOCK_WARNING, predicateLockSettingsOf, settingsBelowAdvice } from './database-settings.js';
import { openDatabase } from './db.js';
import {
  EMBEDDED_CHANGED,
  EmbeddedPostgresError,
  EmbeddedStartAborted,
  startEmbeddedPostgres,
} from './embedded-postgres.js';
import { DataDirUnreachableError, UnsafeFolderError } from './embedded-postgres-access.js';
import { CredentialsFileError } from './embedded-postgres-credentials.js';
import { SuperuserPasswordUnknownError } from './embedded-postgres-roles.js';
import { createGateway } from './gateway.js';
import { serverOptions } from './http/server-timeouts.js';
import { ListenError, listen } from './listen.js';
import { createLogger, type Logger } from './logger.js';
import { migrate } from './migrate.js';
import { scheduleAuditPurge } from './placement/audit/retention.js';
import { scheduleKeyPurge } from './placement/claims/index.js';

/** What was started so far, stopped in reverse order on a signal or a failure. */
type Cleanup = () => Promise<void>;

/** The database could not be prepared (reached, migrated). */
class DatabaseError extends Error {
  constructor(where: string, cause: unknown) {
    super(`database at ${where}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'DatabaseError';
  }
}

/** host:port/database of a connection string, without credentials. */
function whereIs(url: string): string {
  const parsed = new URL(url);
  return `${parsed.host}${parsed.pathname}`;
}

/**
 * Embedded PostgreSQL unless DATABASE_URL is set, migrations, then HTTP. Resolves once
 * `stop` is aborted; everything it started is pushed on `cleanups`.
 */
async function serve(config: Config, logger: Logger, stop: AbortSignal, cleanups: Cleanup[]): Promise<void> {
  let databaseUrl = config.DATABASE_URL;
  // Also with DATABASE_URL: the generated admin token is written here (docs/OPERATIONS.md).
  const dataDir = config.DATA_DIR ?? path.resolve(process.cwd(), '.data');
  if (!databaseUrl) {
    logger.info('starting embedded PostgreSQL', { dataDir, port: config.EMBEDDED_PG_PORT });
    const embedded = await startEmbeddedPostgres({
      dataDir,
      dataDirIsDefault: config.DATA_DIR === undefined,
      port: config.EMBEDDED_PG_PORT,
      log: (line) => logger.debug(line, { component: 'postgres' }),
      onRelocated: (from, to) =>
        logger.warn('the postgres system user cannot enter the default data folder; keeping the data elsewhere', {
          from,
          dataDir: to,
          hint: 'set DATA_DIR to choose the folder',
        }),
      signal: stop,
    });
    cleanups.push(() => embedded.stop());
    databaseUrl = embedded.url;
    if (Object.values(embedded.changes).some(Boolean)) {
      logger.info(EMBEDDED_CHANGED, {
        ...embedded.changes,
        dataDir: embedded.dataDir,
      });
    }
  }
  // Migrations run on their own connection: they may wait for another gateway's migration
  // lock or run long, which the serving pool's statement timeout must not cut short.
  const migrationPool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  migrationPool.on('error', () => undefined);
  try {
    const { applied } = await migrate(migrationPool);
    logger.info('database ready', { migrationsApplied: applied });
    if (await connectedAsSuperuser(migrationPool)) logger.warn(SUPERUSER_WARNING, { database: whereIs(databaseUrl) });
    const below = settingsBelowAdvice(await predicateLockSettingsOf(migrationPool));
    if (below.length > 0) logger.warn(PREDICATE_LOCK_WARNING, { settings: below });
  } catch (error) {
    throw new DatabaseError(whereIs(databaseUrl), error);
  } finally {
    await migrationPool.end();
  }
  if (stop.aborted) return;
  const db = openDatabase(
    databaseUrl,
    config.DB_POOL_MAX,
    config.DB_ACQUIRE_TIMEOUT_MS,
    config.DB_STATEMENT_TIMEOUT_MS,
  );
  cleanups.push(() => db.close());
  await bootstrap(db.pool, config, dataDir, logger);
  const purge = scheduleKeyPurge(db.pool, {
    retentionHours: config.IDEMPOTENCY_RETENTION_HOURS,
    onError: (error) => logger.warn('idempotency key purge failed', { error: String(error) }),
  });
  const auditPurge = scheduleAuditPurge(db.pool, {
    retentionDays: config.AUDIT_RETENTION_DAYS,
    onError: (error) => logger.warn('audit event purge failed', { error: String(error) }),
  });
  // Cleanups run in reverse: the purges stop before the pools close.
  cleanups.push(
    () => purge.stop(),
    () => auditPurge.stop(),
  );

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
    {
      corsOrigins: config.CORS_ORIGINS,
      graphiql: config.GRAPHIQL,
      introspection: config.INTROSPECTION,
    },
    { metricsRequireToken: config.METRICS_REQUIRE_TOKEN, ...identityProviders(config, logger) },
  );
  const timeouts = { headersTimeoutMs: config.HEADERS_TIMEOUT_MS, requestTimeoutMs: config.REQUEST_TIMEOUT_MS };
  const server = createServer(serverOptions(timeouts), gateway);
  await listen(server, config.PORT, config.HOST);
  cleanups.push(async () => {
    // Finish requests in flight; idle keep-alive connections are closed at once.
    server.closeIdleConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  logger.info(`placement-gateway listening on http://localhost:${config.PORT}/graphql`, { port: config.PORT });
  if (!stop.aborted) await new Promise((resolve) => stop.addEventListener('abort', resolve, { once: true }));
}

/** JWT and trusted-proxy authentication as configured; one log line says which are on. */
function identityProviders(config: Config, logger: Logger): { jwt: JwtSettings | null; proxy: ProxySettings | null } {
  const jwt = jwtSettingsOf(config);
  const proxy = proxySettingsOf(config);
  if (jwt)
    logger.info('JWT bearer tokens accepted', {
      issuer: jwt.issuer,
      audience: jwt.audiences,
      jwks: jwt.jwksUrl.href,
      rolesClaim: jwt.rolesClaim,
      projectClaim: jwt.projectClaim,
    });
  if (proxy) logger.info('identity headers accepted from trusted proxies', { trustedProxies: proxy.trusted.entries });
  return { jwt, proxy };
}

/** An admin can get in: PLACEMENT_ADMIN_TOKEN is live, or a first token is written to <dataDir>/admin-token. */
async function bootstrap(pool: pg.Pool, config: Config, dataDir: string, logger: Logger): Promise<void> {
  const file = adminTokenFile(dataDir);
  const outcome = await bootstrapAdminToken(pool, { configuredSecret: config.PLACEMENT_ADMIN_TOKEN, file });
  if (config.PLACEMENT_ADMIN_TOKEN !== undefined) {
    if (outcome.action === 'replaced')
      logger.warn('PLACEMENT_ADMIN_TOKEN changed: the previous bootstrap-admin token is revoked, the new one is live');
    else if (outcome.action === 'created') logger.info('PLACEMENT_ADMIN_TOKEN is a live ADMIN token (bootstrap-admin)');
    return;
  }
  // Never the secret itself: only where it is.
  if (outcome.action === 'created')
    logger.info('created the first ADMIN token (bootstrap-admin); its secret is in the file', { file });
}

/** One log line for a failed start: expected failures say what to change, anything else keeps its stack. */
function logFailure(logger: Logger, error: unknown): void {
  const expected =
    error instanceof ConfigError ||
    error instanceof ListenError ||
    error instanceof DatabaseError ||
    error instanceof RevokedBootstrapSecretError ||
    error instanceof DataDirUnreachableError ||
    error instanceof SuperuserPasswordUnknownError ||
    error instanceof CredentialsFileError ||
    error instanceof UnsafeFolderError;
  if (error instanceof EmbeddedPostgresError) {
    logger.error(error.message, { postgres: error.postgresSaid });
  } else if (expected) {
    logger.error(error.message);
  } else {
    logger.error(`placement-gateway failed: ${String(error)}`, {
      stack: error instanceof Error ? error.stack : undefined,
    });
  }
}

/**
 * `npm start`. SIGINT, SIGTERM and SIGHUP stop what was started, in reverse order (HTTP, pools,
 * embedded PostgreSQL), during start-up too; then the process ends by that same signal, as
 * the convention is. A failure stops the same way and exits 1.
 */
async function main(): Promise<void> {
  const stop = new AbortController();
  let stopSignal: NodeJS.Signals | undefined;
  let logger = createLogger('info');
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopSignal) return logger.info('already stopping', { signal });
    stopSignal = signal;
    logger.info('shutting down', { signal });
    stop.abort();
  };
  // SIGHUP too: a closed terminal must not leave the embedded PostgreSQL (its own process group) behind.
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const signal of signals) process.on(signal, onSignal);

  const cleanups: Cleanup[] = [];
  let failed = false;
  try {
    const config = loadConfig();
    logger = createLogger(config.LOG_LEVEL);
    await serve(config, logger, stop.signal, cleanups);
  } catch (error) {
    // Once stopping, what start-up was doing may fail on its way down (the database went away): not a failure.
    if (!stop.signal.aborted && !(error instanceof EmbeddedStartAborted)) {
      failed = true;
      logFailure(logger, error);
    }
  }
  const started = cleanups.length > 0;
  for (const cleanup of cleanups.reverse()) {
    await cleanup().catch((error: unknown) => logger.warn(`while stopping: ${String(error)}`));
  }
  if (started || stopSignal) logger.info('stopped');
  for (const signal of signals) process.off(signal, onSignal);
  if (failed) process.exit(1);
  if (stopSignal) process.kill(process.pid, stopSignal);
}

void main();
