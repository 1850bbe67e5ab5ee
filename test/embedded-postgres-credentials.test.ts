import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { openDatabase } from '../src/db.js';
import { EMBEDDED_CHANGED, startEmbeddedPostgres } from '../src/embedded-postgres.js';
import {
  CREDENTIALS_FILE,
  type EmbeddedCredentials,
  GATEWAY_DATABASE,
  GATEWAY_ROLE,
  localUrl,
  SUPERUSER,
} from '../src/embedded-postgres-credentials.js';
import { SuperuserPasswordUnknownError } from '../src/embedded-postgres-roles.js';
import { migrate } from '../src/migrate.js';
import { freePort } from './support/free-port.js';
import { type GatewayProcess, startGatewayProcess } from './support/gateway-process.js';
import { createLegacyDataFolder } from './support/legacy-data-folder.js';

// Real gateway processes (`src/main.ts`) on their own embedded PostgreSQL in a temporary
// DATA_DIR. Run as root (CI), PostgreSQL runs as the `postgres` system user.

const SUPERUSER_WARNING = 'connects to PostgreSQL as a superuser';
const asRoot = process.getuid?.() === 0;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface EmbeddedGateway {
  gateway: GatewayProcess;
  dataDir: string;
  port: number;
}

async function startOnDataDir(dataDir: string, port: number): Promise<GatewayProcess> {
  const gateway = await startGatewayProcess({
    env: { DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(port), LOG_LEVEL: 'info' },
  });
  cleanups.push(() => gateway.stop());
  return gateway;
}

async function temporaryDataDir(): Promise<string> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'placement-pgrole-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  return dataDir;
}

async function startEmbeddedGateway(): Promise<EmbeddedGateway> {
  const dataDir = await temporaryDataDir();
  const port = await freePort();
  return { gateway: await startOnDataDir(dataDir, port), dataDir, port };
}

async function readCredentials(dataDir: string): Promise<EmbeddedCredentials> {
  return JSON.parse(await readFile(path.join(dataDir, CREDENTIALS_FILE), 'utf8')) as EmbeddedCredentials;
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** The gateway's JSON log line whose message starts with `message`. */
function logLine(gateway: GatewayProcess, message: string): Record<string, unknown> | undefined {
  return gateway
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .find((line) => String(line.msg).startsWith(message));
}

/** The SQLSTATE a statement or connection attempt failed with (it must fail). */
async function sqlstateOf(attempt: Promise<unknown>): Promise<unknown> {
  const error: unknown = await attempt.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error, 'expected a PostgreSQL error').toBeInstanceOf(Error);
  return (error as { code?: unknown }).code;
}

function connectAs(port: number, role: string, password: string, database: string): Promise<unknown> {
  return withClient(localUrl(port, role, password, database), async () => undefined);
}

/** What the gateway's role may do: owner of its tables, nothing of a superuser's. */
async function expectLeastPrivilege(port: number, credentials: EmbeddedCredentials): Promise<void> {
  await withClient(localUrl(port, GATEWAY_ROLE, credentials.gatewayPassword, GATEWAY_DATABASE), async (client) => {
    const role = await client.query<{ rolsuper: boolean; rolcreatedb: boolean; rolcreaterole: boolean }>(
      'SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = current_user',
    );
    expect(role.rows).toEqual([{ rolsuper: false, rolcreatedb: false, rolcreaterole: false }]);
    // 42501 insufficient_privilege: no shell commands, no server files.
    expect(await sqlstateOf(client.query("COPY (SELECT 1) TO PROGRAM 'true'"))).toBe('42501');
    expect(await sqlstateOf(client.query("SELECT pg_read_file('/etc/hostname')"))).toBe('42501');
    expect(await sqlstateOf(client.query('CREATE DATABASE placement_other'))).toBe('42501');
    const owners = await client.query<{ owner: string; objects: number }>(
      `SELECT owner, count(*)::int AS objects FROM (
         SELECT tableowner AS owner FROM pg_tables WHERE schemaname = 'public'
         UNION ALL SELECT pg_get_userbyid(proowner) FROM pg_proc WHERE pronamespace = 'public'::regnamespace
         UNION ALL SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()) o
        GROUP BY owner`,
    );
    expect(owners.rows.map((row) => row.owner)).toEqual([GATEWAY_ROLE]);
    expect(owners.rows[0]!.objects).toBeGreaterThan(10);
  });
}

/** Listening on the loopback address only; every pg_hba rule asks for SCRAM (no clear-text passwords, no trust). */
async function expectLocalScramOnly(port: number, credentials: EmbeddedCredentials): Promise<void> {
  await withClient(localUrl(port, SUPERUSER, credentials.superuserPassword, 'postgres'), async (client) => {
    expect((await client.query('SHOW listen_addresses')).rows).toEqual([{ listen_addresses: '127.0.0.1' }]);
    const methods = await client.query<{ auth_method: string }>(
      'SELECT DISTINCT auth_method FROM pg_hba_file_rules WHERE error IS NULL',
    );
    expect(methods.rows).toEqual([{ auth_method: 'scram-sha-256' }]);
  });
}

/** As root, the postmaster runs as the postgres system user, not as root. */
async function expectPostgresSystemUser(dataDir: string): Promise<void> {
  if (!asRoot) return;
  const pid = (await readFile(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8')).split('\n')[0]!;
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const uid = Number(/^Uid:\s+(\d+)/m.exec(status)![1]);
  expect(uid).toBe(Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })));
  expect(uid).not.toBe(0);
}

describe('embedded PostgreSQL: generated passwords and a gateway role without superuser rights', () => {
  it('a new data folder gets its passwords in a 0600 file, refuses postgres/postgres, and keeps both on restart', async () => {
    const { gateway, dataDir, port } = await startEmbeddedGateway();
    const file = path.join(dataDir, CREDENTIALS_FILE);
    const info = await stat(file);
    expect(info.mode & 0o777).toBe(0o600);
    expect(info.uid).toBe(process.getuid?.());
    const credentials = await readCredentials(dataDir);
    expect(credentials.superuserPassword).not.toBe(credentials.gatewayPassword);
    expect(credentials.superuserPassword.length).toBeGreaterThanOrEqual(32);

    // 28P01 invalid_password: the old default no longer opens the cluster, nor does a guess.
    expect(await sqlstateOf(connectAs(port, SUPERUSER, 'postgres', 'postgres'))).toBe('28P01');
    expect(await sqlstateOf(connectAs(port, GATEWAY_ROLE, 'placement', GATEWAY_DATABASE))).toBe('28P01');
    await expectLeastPrivilege(port, credentials);
    await expectLocalScramOnly(port, credentials);
    await expectPostgresSystemUser(dataDir);
    expect(gateway.output()).not.toContain(SUPERUSER_WARNING);
    expect(gateway.output()).not.toContain(EMBEDDED_CHANGED);

    const before = await readFile(file, 'utf8');
    await gateway.stop();
    await startOnDataDir(dataDir, port);
    expect(await readFile(file, 'utf8')).toBe(before);
    await expectLeastPrivilege(port, credentials);
  });

  it('a data folder made the old way (postgres/postgres) is upgraded on start and keeps its data', async () => {
    const dataDir = await temporaryDataDir();
    const port = await freePort();
    await createLegacyDataFolder(dataDir, port, async (pool) => {
      await pool.query(`INSERT INTO traits (name) VALUES ('CUSTOM_MADE_BEFORE_THE_UPGRADE')`);
    });

    const gateway = await startOnDataDir(dataDir, port);
    expect(logLine(gateway, EMBEDDED_CHANGED)).toMatchObject({
      superuserPasswordChanged: true,
      handedOverDatabase: true,
      scramAuthentication: true,
    });
    expect((await stat(path.join(dataDir, CREDENTIALS_FILE))).mode & 0o777).toBe(0o600);
    const credentials = await readCredentials(dataDir);
    expect(await sqlstateOf(connectAs(port, SUPERUSER, 'postgres', 'postgres'))).toBe('28P01');
    await expectLeastPrivilege(port, credentials);
    await expectLocalScramOnly(port, credentials);
    await expectPostgresSystemUser(dataDir);
    await withClient(localUrl(port, GATEWAY_ROLE, credentials.gatewayPassword, GATEWAY_DATABASE), async (client) => {
      const kept = await client.query(`SELECT name FROM traits WHERE name = 'CUSTOM_MADE_BEFORE_THE_UPGRADE'`);
      expect(kept.rowCount).toBe(1);
      // Owner now: writes to the tables made by the superuser work (serial sequence included).
      await client.query(`INSERT INTO traits (name) VALUES ('CUSTOM_MADE_AFTER_THE_UPGRADE')`);
    });

    // Upgraded once: the next start finds nothing to change.
    await gateway.stop();
    const again = await startOnDataDir(dataDir, port);
    expect(again.output()).not.toContain(EMBEDDED_CHANGED);
    expect(await readCredentials(dataDir)).toEqual(credentials);
  });

  it('with DATABASE_URL naming a superuser, the gateway starts and warns', async () => {
    const adminUrl = inject('adminUrl');
    const database = `placement_superuser_${randomBytes(6).toString('hex')}`;
    await withClient(adminUrl, (client) => client.query(`CREATE DATABASE ${database}`));
    cleanups.push(() =>
      withClient(adminUrl, async (client) => void (await client.query(`DROP DATABASE ${database} WITH (FORCE)`))),
    );
    const url = new URL(adminUrl);
    url.pathname = `/${database}`;
    const gateway = await startGatewayProcess({ databaseUrl: url.toString() });
    cleanups.push(() => gateway.stop());
    expect(gateway.output()).toContain(SUPERUSER_WARNING);
  });

  it('a start that wrote the file but stopped before changing the old password finishes the change next time', async () => {
    const dataDir = await temporaryDataDir();
    const port = await freePort();
    await createLegacyDataFolder(dataDir, port, async () => undefined);
    // What a crash between writing the file and ALTER ROLE leaves: the file, and the old password.
    const written: EmbeddedCredentials = {
      superuserPassword: randomBytes(24).toString('base64url'),
      gatewayPassword: randomBytes(24).toString('base64url'),
    };
    await writeFile(path.join(dataDir, CREDENTIALS_FILE), JSON.stringify(written), { mode: 0o600 });

    const server = await startEmbeddedPostgres({ dataDir, port });
    cleanups.push(() => server.stop());
    expect(server.changes).toMatchObject({ superuserPasswordChanged: true, handedOverDatabase: true });
    expect(await readCredentials(dataDir)).toEqual(written);
    expect(await sqlstateOf(connectAs(port, SUPERUSER, 'postgres', 'postgres'))).toBe('28P01');
    await expectLeastPrivilege(port, written);
  });

  it('a credentials file whose superuser password the cluster refuses stops the start with an error naming the file', async () => {
    const dataDir = await temporaryDataDir();
    const port = await freePort();
    const first = await startEmbeddedPostgres({ dataDir, port });
    await first.stop();
    const file = path.join(dataDir, CREDENTIALS_FILE);
    const credentials = await readCredentials(dataDir);
    await writeFile(file, JSON.stringify({ ...credentials, superuserPassword: randomBytes(24).toString('base64url') }));

    const failure: unknown = await startEmbeddedPostgres({ dataDir, port }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SuperuserPasswordUnknownError);
    expect((failure as SuperuserPasswordUnknownError).file).toBe(file);
    // The server it started for the attempt is stopped again: the port is free for the next try.
    const again = await startEmbeddedPostgres({ dataDir, port }).catch((error: unknown) => error);
    expect(again).toBeInstanceOf(SuperuserPasswordUnknownError);
  });

  it('npm run db:rotate-passwords: new passwords take effect at the next start, old ones stop working', async () => {
    const dataDir = await temporaryDataDir();
    const port = await freePort();
    await (await startEmbeddedPostgres({ dataDir, port })).stop();
    const original = await readCredentials(dataDir);
    // Twice before a start: the superuser's real password must survive as the previous one.
    for (let i = 0; i < 2; i++) {
      execFileSync('npm', ['run', '--silent', 'db:rotate-passwords', '--', dataDir], { encoding: 'utf8' });
    }
    const rotated = await readCredentials(dataDir);
    expect(rotated.previousSuperuserPassword).toBe(original.superuserPassword);
    expect(rotated.superuserPassword).not.toBe(original.superuserPassword);
    expect((await stat(path.join(dataDir, CREDENTIALS_FILE))).mode & 0o777).toBe(0o600);

    const server = await startEmbeddedPostgres({ dataDir, port });
    cleanups.push(() => server.stop());
    expect(server.changes).toMatchObject({ superuserPasswordChanged: true, handedOverDatabase: false });
    const { previousSuperuserPassword: _applied, ...applied } = rotated;
    expect(await readCredentials(dataDir)).toEqual(applied);
    expect(await sqlstateOf(connectAs(port, SUPERUSER, original.superuserPassword, 'postgres'))).toBe('28P01');
    expect(await sqlstateOf(connectAs(port, GATEWAY_ROLE, original.gatewayPassword, GATEWAY_DATABASE))).toBe('28P01');
    await connectAs(port, SUPERUSER, rotated.superuserPassword, 'postgres');
    // The gateway's URL carries the new password, and its role migrates the database on its own.
    const db = openDatabase(server.url, 1);
    await migrate(db.pool).finally(() => db.close());
    await expectLeastPrivilege(port, rotated);
  });
});
