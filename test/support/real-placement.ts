/**
 * The real OpenStack Placement 8.0 (Debian's python3-placement, microversion 1.39), started
 * and stopped by the tests: a WSGI server on a free port of 127.0.0.1 with noauth2 (the
 * token `admin` is an admin; `user:project` is a user of that project) and its own SQLite
 * database in a fresh temporary folder. `.ci/run` installs the package with apt-get.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SERVER_SCRIPT = fileURLToPath(new URL('./real-placement.py', import.meta.url));
/** Debian's interpreter: the one python3-placement is installed for (a pyenv python3 may come first in PATH). */
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const PACKAGE_DIR = '/usr/lib/python3/dist-packages/placement';

export interface RealPlacement {
  /** Base URL, without a trailing slash (e.g. http://127.0.0.1:40123). */
  url: string;
  /** What the server printed on stderr so far (its log). */
  log(): string;
  stop(): Promise<void>;
}

export class RealPlacementMissingError extends Error {
  constructor() {
    super(
      `OpenStack Placement is not installed (${PACKAGE_DIR} is missing): run ` +
        '`apt-get install -y python3-placement python3-osc-placement python3-openstackclient` (npm test does this)',
    );
  }
}

/** Starts a fresh Placement with an empty database; resolves once it serves. */
export async function startRealPlacement(): Promise<RealPlacement> {
  if (!existsSync(PACKAGE_DIR)) throw new RealPlacementMissingError();
  const dir = await mkdtemp(path.join(tmpdir(), 'real-placement-'));
  await writeFile(
    path.join(dir, 'placement.conf'),
    [
      '[DEFAULT]',
      'debug = False',
      'use_stderr = True',
      '[api]',
      'auth_strategy = noauth2',
      '[placement_database]',
      `connection = sqlite:///${path.join(dir, 'placement.sqlite')}`,
      'sync_on_startup = True',
      '',
    ].join('\n'),
  );
  const child = spawn(PYTHON, [SERVER_SCRIPT, dir], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const port = await listeningPort(child, () => stderr);
  return {
    url: `http://127.0.0.1:${port}`,
    log: () => stderr,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function listeningPort(child: ChildProcess, log: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening (\d+)/.exec(stdout);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`Placement exited (${code}) before serving:\n${log()}`)));
    child.once('error', reject);
  });
}
