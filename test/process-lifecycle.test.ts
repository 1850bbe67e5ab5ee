import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './support/free-port.js';
import { isListening, type NpmStart, npmStart, processesMentioning } from './support/npm-start.js';

/**
 * `npm start` as a process manager, a container runtime or `kill` drives it: a signal to the
 * npm pid stops the gateway and its embedded PostgreSQL; a failure after PostgreSQL started
 * stops it too and says in one line what failed. Real processes, real ports, real signals.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

let folder: string;
let dataDir: string;
const started: NpmStart[] = [];

beforeAll(async () => {
  folder = await mkdtemp(path.join(os.tmpdir(), 'placement-lifecycle-'));
  // mkdtemp makes it 0700; as root, PostgreSQL runs as the postgres user and must enter it.
  await chmod(folder, 0o755);
  dataDir = path.join(folder, 'data');
});

afterEach(async () => {
  // A test that failed half-way must not leave a gateway or its PostgreSQL behind to fail the next.
  for (const run of started.splice(0)) run.killGroup();
  const left = await processesMentioning(dataDir);
  for (const pid of left) process.kill(pid, 'SIGQUIT');
  while (left.some(isAlive)) await new Promise((resolve) => setTimeout(resolve, 50));
});

afterAll(async () => {
  for (const pid of await processesMentioning(dataDir)) process.kill(pid, 'SIGQUIT');
  await rm(folder, { recursive: true, force: true });
});

async function ports() {
  return { PORT: String(await freePort()), EMBEDDED_PG_PORT: String(await freePort()) };
}

function start(env: Record<string, string>): NpmStart {
  const run = npmStart(root, { DATA_DIR: dataDir, HOST: '127.0.0.1', ...env });
  started.push(run);
  return run;
}

/** Nothing of that gateway is left: both ports closed, no process on the data folder, no lock file. */
async function expectNothingLeft(env: { PORT: string; EMBEDDED_PG_PORT: string }, folderInUse = dataDir) {
  expect(await isListening(Number(env.PORT))).toBe(false);
  expect(await isListening(Number(env.EMBEDDED_PG_PORT))).toBe(false);
  expect(await processesMentioning(folderInUse)).toEqual([]);
  expect(existsSync(path.join(folderInUse, 'pg', 'postmaster.pid'))).toBe(false);
}

/** The gateway's error lines: exactly one, no stack trace anywhere in the output. */
function theOneError(run: NpmStart): Record<string, unknown> {
  const errors = run.logLines().filter((line) => line.level === 'error');
  expect(errors, run.output()).toHaveLength(1);
  expect(run.output()).not.toMatch(/^\s+at /m);
  return errors[0]!;
}

async function childrenOf(pid: number): Promise<number[]> {
  const children = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8');
  return children.split(' ').filter(Boolean).map(Number);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('a signal to the npm pid', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} stops the gateway and the embedded PostgreSQL, and npm ends by it`, async () => {
      const env = await ports();
      const run = start(env);
      await run.ready(Number(env.PORT));
      expect(await isListening(Number(env.EMBEDDED_PG_PORT))).toBe(true);

      process.kill(run.pid, signal);
      expect(await run.exited).toEqual({ code: null, signal });
      await expectNothingLeft(env);
      const messages = run.logLines().map((line) => line.msg);
      expect(messages.slice(-2)).toEqual(['shutting down', 'stopped']);
    });
  }

  it('a closed terminal (SIGHUP to the whole group; npm does not pass it on) stops both too', async () => {
    const env = await ports();
    const run = start(env);
    await run.ready(Number(env.PORT));
    process.kill(-run.pid, 'SIGHUP');
    expect(await run.exited).toEqual({ code: null, signal: 'SIGHUP' });
    await expectNothingLeft(env);
    expect(run.logLines().map((line) => line.msg)).toContain('stopped');
  });

  it('during start-up (PostgreSQL starting) stops what was started', async () => {
    const env = await ports();
    const run = start(env);
    // As soon as the gateway says it starts PostgreSQL, before it is ready.
    while (!run.logLines().some((line) => line.msg === 'starting embedded PostgreSQL')) {
      expect(run.child.exitCode, run.output()).toBeNull();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    process.kill(run.pid, 'SIGTERM');
    expect(await run.exited).toEqual({ code: null, signal: 'SIGTERM' });
    await expectNothingLeft(env);
  });
});

describe('a failure after PostgreSQL started', () => {
  it('HTTP port in use: says so, stops PostgreSQL, exits 1', async () => {
    const env = await ports();
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(Number(env.PORT), '127.0.0.1', resolve));
    try {
      const run = start(env);
      expect((await run.exited).code).toBe(1);
      expect(theOneError(run).msg).toBe(
        `PORT ${env.PORT} is in use on 127.0.0.1 (another gateway? stop it or set PORT)`,
      );
      expect(run.logLines().some((line) => line.msg === 'database ready')).toBe(true);
      expect(await isListening(Number(env.EMBEDDED_PG_PORT))).toBe(false);
      expect(await processesMentioning(dataDir)).toEqual([]);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it('a HOST that is not an address here: says so, stops PostgreSQL, exits 1', async () => {
    const env = await ports();
    const run = start({ ...env, HOST: '999.1.1.1' });
    expect((await run.exited).code).toBe(1);
    expect(theOneError(run).msg).toMatch(/^HOST 999\.1\.1\.1 is not an address of this machine/);
    await expectNothingLeft(env);
  });
});

describe('PostgreSQL does not start', () => {
  it('data folder held by another gateway: names the folder, the pid and DATA_DIR, with PostgreSQL’s FATAL line', async () => {
    const first = await ports();
    const holder = start(first);
    await holder.ready(Number(first.PORT));
    const pid = Number((await readFile(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8')).split('\n')[0]);

    const second = await ports();
    const run = start(second);
    expect((await run.exited).code).toBe(1);
    const error = theOneError(run);
    expect(error.msg).toBe(
      `data folder ${dataDir} is in use by PostgreSQL pid ${pid} (another gateway on this checkout? stop it or set DATA_DIR)`,
    );
    expect(error.postgres).toMatch(/FATAL: {2}lock file "postmaster.pid" already exists/);
    expect(await isListening(Number(second.PORT))).toBe(false);
    // The first gateway was not disturbed.
    expect((await fetch(`http://127.0.0.1:${first.PORT}/ready`)).status).toBe(200);

    process.kill(holder.pid, 'SIGTERM');
    await holder.exited;
    await expectNothingLeft(first);
  });

  it('its port taken: names EMBEDDED_PG_PORT, with PostgreSQL’s FATAL line', async () => {
    const env = await ports();
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(Number(env.EMBEDDED_PG_PORT), '127.0.0.1', resolve));
    try {
      const run = start(env);
      expect((await run.exited).code).toBe(1);
      const error = theOneError(run);
      expect(error.msg).toBe(
        `EMBEDDED_PG_PORT ${env.EMBEDDED_PG_PORT} is in use by another program (set EMBEDDED_PG_PORT to a free port, or DATABASE_URL)`,
      );
      expect(error.postgres).toMatch(/FATAL: {2}could not create any TCP\/IP sockets/);
      expect(await processesMentioning(dataDir)).toEqual([]);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it('after everything was killed hard, the stale lock file does not stop the next start', async () => {
    const env = await ports();
    const run = start(env);
    await run.ready(Number(env.PORT));
    const postmaster = Number((await readFile(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8')).split('\n')[0]);
    const server = [postmaster, ...(await childrenOf(postmaster))];
    run.killGroup();
    process.kill(postmaster, 'SIGKILL');
    await run.exited;
    // Its backends notice the postmaster is gone and leave; until then they hold its shared memory.
    while (server.some(isAlive)) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(true);

    const again = await ports();
    const next = start(again);
    await next.ready(Number(again.PORT));
    process.kill(next.pid, 'SIGINT');
    await next.exited;
    await expectNothingLeft(again);
  });
});

describe('settings', () => {
  it('a bad value: one line naming the setting, the rule and the value; nothing started', async () => {
    const env = await ports();
    const run = start({ ...env, PORT: 'abc' });
    expect((await run.exited).code).toBe(1);
    expect(run.logLines()).toEqual([
      expect.objectContaining({ level: 'error', msg: 'PORT must be an integer from 1 to 65535, got "abc"' }),
    ]);
    expect(run.output()).not.toMatch(/^\s+at /m);
    await expectNothingLeft(env);
  });

  it('an unreachable DATABASE_URL: one line naming where, no password', async () => {
    const env = await ports();
    const run = start({ ...env, DATABASE_URL: 'postgres://placement:s3cret@127.0.0.1:1/placement' });
    expect((await run.exited).code).toBe(1);
    expect(theOneError(run).msg).toBe('database at 127.0.0.1:1/placement: connect ECONNREFUSED 127.0.0.1:1');
    expect(run.output()).not.toContain('s3cret');
  });
});
