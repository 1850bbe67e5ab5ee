import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ExecutionResult } from 'graphql';
import { openDatabase } from '../../src/db.js';
import { startEmbeddedPostgres, type EmbeddedServer } from '../../src/embedded-postgres.js';
import { createGateway } from '../../src/gateway.js';
import { createLogger } from '../../src/logger.js';
import { migrate } from '../../src/migrate.js';
import { freePort } from './free-port.js';
import type { TestEnv } from './harness.js';

/**
 * A PostgreSQL of the test's own (embedded, temporary data folder, free port), for tests
 * that stop and restart the server: the shared test server stays untouched.
 */
export interface OwnPostgres {
  /** The migrated `placement` database. */
  url: string;
  /** Stops the server (fast shutdown: sessions are terminated); data stays. */
  stop(): Promise<void>;
  /** Starts it again on the same data folder and port. */
  restart(): Promise<void>;
  /** Stops it and deletes its data. */
  destroy(): Promise<void>;
}

export async function startOwnPostgres(): Promise<OwnPostgres> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'placement-fault-pg-'));
  const port = await freePort();
  let server: EmbeddedServer | undefined = await startEmbeddedPostgres({ dataDir, port });
  const url = server.url;
  const migrating = openDatabase(url, 1);
  try {
    await migrate(migrating.pool);
  } finally {
    await migrating.close();
  }
  return {
    url,
    async stop() {
      await server?.stop();
      server = undefined;
    },
    async restart() {
      server = await startEmbeddedPostgres({ dataDir, port });
    },
    async destroy() {
      await server?.stop().catch(() => undefined);
      server = undefined;
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A TestEnv (in-process gateway, SQL) on any database, for the shared fixtures and invariants. */
export function testEnvOn(url: string, poolMax = 4): TestEnv {
  const db = openDatabase(url, poolMax);
  const gateway = createGateway(db, createLogger('silent'));
  return {
    db,
    gateway,
    url,
    async gql(query, variables) {
      const response = await gateway.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        body: JSON.stringify({ query, variables }),
      });
      // Typed like harness.ts: the caller names the result shape.
      return (await response.json()) as ExecutionResult<any>;
    },
    async sql(text, params) {
      return (await db.pool.query(text, params)).rows;
    },
    close: () => db.close(),
  };
}
