import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateSecret } from '../src/auth/secret.js';
import {
  type GatewayProcess,
  postGraphQL,
  startGatewayProcess,
  startGatewayProcesses,
} from './support/gateway-process.js';
import { createTestEnv, type TestEnv } from './support/harness.js';

/**
 * Start-up makes sure an admin can get in, with real gateway processes on a database without
 * tokens: a generated ADMIN token in <DATA_DIR>/admin-token (0600), or PLACEMENT_ADMIN_TOKEN.
 */

let env: TestEnv;
let dataDir: string;
let running: GatewayProcess[] = [];

beforeAll(async () => {
  env = await createTestEnv(2);
});
afterEach(async () => {
  await Promise.all(running.map((g) => g.stop()));
  running = [];
  await env.sql('DELETE FROM api_tokens');
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});
afterAll(async () => env?.close());

async function freshStart(): Promise<void> {
  await env.sql('DELETE FROM api_tokens');
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'bootstrap-token-'));
}

async function start(settings: Record<string, string>): Promise<GatewayProcess> {
  const gateway = await startGatewayProcess({ databaseUrl: env.url, env: { LOG_LEVEL: 'info', ...settings } });
  running.push(gateway);
  return gateway;
}

const liveTokens = () =>
  env.sql<{ name: string; role: string }>('SELECT name, role FROM api_tokens WHERE revoked_at IS NULL ORDER BY id');

async function works(gateway: GatewayProcess, token: string): Promise<number> {
  return (await postGraphQL(gateway.url, '{ cells { totalCount } }', {}, { token })).status;
}

describe('without PLACEMENT_ADMIN_TOKEN', () => {
  it('writes a working ADMIN token to <DATA_DIR>/admin-token, mode 0600, logs where (never the secret)', async () => {
    await freshStart();
    const gateway = await start({ PLACEMENT_ADMIN_TOKEN: '', DATA_DIR: dataDir });
    const file = path.join(dataDir, 'admin-token');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const secret = (await readFile(file, 'utf8')).trim();
    expect(secret).toMatch(/^pgw_/);
    expect(await works(gateway, secret)).toBe(200);
    expect(await liveTokens()).toEqual([{ name: 'bootstrap-admin', role: 'ADMIN' }]);
    expect(gateway.output()).toContain(file);
    expect(gateway.output()).not.toContain(secret);
  });

  it('a restart keeps the token and the file', async () => {
    await freshStart();
    const first = await start({ PLACEMENT_ADMIN_TOKEN: '', DATA_DIR: dataDir });
    const secret = await readFile(path.join(dataDir, 'admin-token'), 'utf8');
    await first.stop();
    running = [];
    const second = await start({ PLACEMENT_ADMIN_TOKEN: '', DATA_DIR: dataDir });
    expect(await readFile(path.join(dataDir, 'admin-token'), 'utf8')).toBe(secret);
    expect(await works(second, secret.trim())).toBe(200);
    expect(await liveTokens()).toHaveLength(1);
  });

  it('three gateways starting at once on one database create one token', async () => {
    await freshStart();
    running = await startGatewayProcesses(3, {
      databaseUrl: env.url,
      env: { PLACEMENT_ADMIN_TOKEN: '', DATA_DIR: dataDir },
    });
    expect(await liveTokens()).toEqual([{ name: 'bootstrap-admin', role: 'ADMIN' }]);
    const secret = (await readFile(path.join(dataDir, 'admin-token'), 'utf8')).trim();
    for (const gateway of running) expect(await works(gateway, secret)).toBe(200);
  });

  it('a database that has a live token gets no new one and no file', async () => {
    await freshStart();
    await env.createToken('ADMIN', { name: 'existing-admin' });
    await start({ PLACEMENT_ADMIN_TOKEN: '', DATA_DIR: dataDir });
    await expect(stat(path.join(dataDir, 'admin-token'))).rejects.toThrow(/ENOENT/);
    expect(await liveTokens()).toEqual([{ name: 'existing-admin', role: 'ADMIN' }]);
  });
});

describe('with PLACEMENT_ADMIN_TOKEN', () => {
  it('that secret is a live ADMIN token, idempotently, and no file is written', async () => {
    await freshStart();
    const secret = generateSecret();
    const gateways = await startGatewayProcesses(2, {
      databaseUrl: env.url,
      env: { PLACEMENT_ADMIN_TOKEN: secret, DATA_DIR: dataDir },
    });
    running = gateways;
    for (const gateway of gateways) expect(await works(gateway, secret)).toBe(200);
    expect(await liveTokens()).toEqual([{ name: 'bootstrap-admin', role: 'ADMIN' }]);
    await expect(stat(path.join(dataDir, 'admin-token'))).rejects.toThrow(/ENOENT/);
  });

  it('a changed secret replaces the previous bootstrap-admin (rotation by restart)', async () => {
    await freshStart();
    const old = generateSecret();
    const first = await start({ PLACEMENT_ADMIN_TOKEN: old, DATA_DIR: dataDir });
    expect(await works(first, old)).toBe(200);
    await first.stop();
    running = [];
    const rotated = generateSecret();
    const second = await start({ PLACEMENT_ADMIN_TOKEN: rotated, DATA_DIR: dataDir });
    expect(await works(second, rotated)).toBe(200);
    expect(await works(second, old)).toBe(401);
    expect(await liveTokens()).toEqual([{ name: 'bootstrap-admin', role: 'ADMIN' }]);
  });

  it('a secret too short stops start-up naming the setting, without echoing the value', async () => {
    const secret = 'pgw_tooShortToBeASecret';
    const failure = await start({ PLACEMENT_ADMIN_TOKEN: secret }).then(
      () => 'started',
      (error: Error) => error.message,
    );
    expect(failure).toMatch(/exited before it was ready \(code 1\)/);
    expect(failure).toMatch(/PLACEMENT_ADMIN_TOKEN must be .*pgw_.* followed by 32 to 256/);
    expect(failure).not.toContain('tooShortToBeASecret');
  });
});

describe('METRICS_REQUIRE_TOKEN', () => {
  it('set to true in the environment, /metrics needs a token; false (the default) leaves it open', async () => {
    await freshStart();
    const secret = generateSecret();
    const guarded = await start({ PLACEMENT_ADMIN_TOKEN: secret, METRICS_REQUIRE_TOKEN: 'true' });
    expect((await fetch(`${guarded.url}/metrics`)).status).toBe(401);
    const scraped = await fetch(`${guarded.url}/metrics`, { headers: { authorization: `Bearer ${secret}` } });
    expect(scraped.status).toBe(200);
    const open = await start({ PLACEMENT_ADMIN_TOKEN: secret });
    expect((await fetch(`${open.url}/metrics`)).status).toBe(200);
  });
});
