import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db.js';
import { type EmbeddedServer, startEmbeddedPostgres } from '../../src/embedded-postgres.js';
import { migrate } from '../../src/migrate.js';
import { freePort } from './free-port.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A superuser, on database `postgres`: creating and dropping databases. */
    adminUrl: string;
    templateDatabase: string;
    /** The role owning the template and every clone (no superuser, like the gateway's in production); database `postgres`. */
    ownerUrl: string;
  }
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/**
 * One PostgreSQL for the whole run: embedded in a temporary folder, or the server behind
 * DATABASE_URL. A template database is migrated and seeded once; each test file clones it.
 */
export default async function setup(project: TestProject) {
  let embedded: EmbeddedServer | undefined;
  let dataDir: string | undefined;
  let adminUrl: string;
  if (process.env.DATABASE_URL) {
    adminUrl = withDatabase(process.env.DATABASE_URL, 'postgres');
  } else {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'placement-test-'));
    embedded = await startEmbeddedPostgres({ dataDir, port: await freePort() });
    adminUrl = embedded.adminUrl;
  }
  const templateDatabase = `placement_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  // Tests get the privileges the gateway has in production: an owner role, no superuser.
  // Named per run: runs sharing one DATABASE_URL server must not reset each other's password.
  const owner = `placement_test_owner_${process.pid}`;
  const password = randomBytes(18).toString('base64url');
  await admin.query(`DROP DATABASE IF EXISTS ${templateDatabase}`);
  await admin.query(`DROP ROLE IF EXISTS ${owner}`);
  await admin.query(
    `CREATE ROLE ${owner} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD ${admin.escapeLiteral(password)}`,
  );
  // A CREATEROLE admin that is no superuser must be a member to create databases owned by it.
  await admin.query(`GRANT ${owner} TO CURRENT_USER`);
  await admin.query(`CREATE DATABASE ${templateDatabase} OWNER ${owner}`);
  const ownerUrl = new URL(adminUrl);
  ownerUrl.username = owner;
  ownerUrl.password = password;
  const template = openDatabase(withDatabase(ownerUrl.toString(), templateDatabase), 2);
  await migrate(template.pool);
  await template.close();
  project.provide('adminUrl', adminUrl);
  project.provide('templateDatabase', templateDatabase);
  project.provide('ownerUrl', ownerUrl.toString());

  return async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${templateDatabase} WITH (FORCE)`).catch(() => undefined);
    // Fails while a test left a database behind; the role goes with the next run's server then.
    await admin.query(`DROP ROLE IF EXISTS ${owner}`).catch(() => undefined);
    await admin.end();
    await embedded?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  };
}
