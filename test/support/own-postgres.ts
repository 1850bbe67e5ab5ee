import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../src/db.js';
import { type EmbeddedServer, startEmbeddedPostgres } from '../../src/embedded-postgres.js';
import { migrate } from '../../src/migrate.js';
import { freePort } from './free-port.js';

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
