import type pg from 'pg';
import { openDatabase } from '../../src/db.js';
import { ensureDatabase, prepareCluster, runCluster } from '../../src/embedded-postgres.js';
import { LEGACY_SUPERUSER_PASSWORD } from '../../src/embedded-postgres-credentials.js';
import { migrate } from '../../src/migrate.js';

/**
 * A data folder as the embedded PostgreSQL left it before generated passwords: the same
 * runner (as root: the postgres system user), initdb with superuser `postgres`/`postgres` and
 * pg_hba method `password`, database `placement` created and migrated by that superuser, no
 * credentials file. `fill` writes the data the upgrade must keep. The server is stopped after.
 */
export async function createLegacyDataFolder(
  dataDir: string,
  port: number,
  fill: (pool: pg.Pool) => Promise<void>,
): Promise<void> {
  const options = { dataDir, port };
  const place = await prepareCluster(options);
  const server = await runCluster(place, options, { superuserPassword: LEGACY_SUPERUSER_PASSWORD, auth: 'password' });
  try {
    const base = `postgres://postgres:${LEGACY_SUPERUSER_PASSWORD}@127.0.0.1:${port}`;
    await ensureDatabase(`${base}/postgres`, 'placement');
    const db = openDatabase(`${base}/placement`, 1);
    try {
      await migrate(db.pool);
      await fill(db.pool);
    } finally {
      await db.close();
    }
  } finally {
    await server.stop();
  }
}
