import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ProxySettings, parseTrustedProxies, proxyAuthenticator, type TrustedProxies } from '../src/auth/proxy.js';
import { parseRoleMap, type RoleMap } from '../src/auth/role-map.js';
import { createGateway, defaultGatewayExposure, type Gateway } from '../src/gateway.js';
import { defaultGatewayLimits, type GatewayLimits } from '../src/http/limits.js';
import type { Logger } from '../src/logger.js';
import { type GatewayProcess, startGatewayProcess } from './support/gateway-process.js';
import { createTestEnv, type TestEnv } from './support/harness.js';
import { lockTable, untilSessionsWaitingForLock } from './support/table-lock.js';

/**
 * Identity headers of a trusted proxy (keystonemiddleware's X-User-Id, X-Roles, X-Project-Id,
 * X-Identity-Status) over real sockets: believed only when the TCP peer is in TRUSTED_PROXIES.
 */

const KEYSTONE_ROLES = parseRoleMap('admin=ADMIN,service=SCHEDULER,reader=READER,member=READER', {
  caseInsensitive: true,
}) as RoleMap;

const trusted = (list: string) => parseTrustedProxies(list) as TrustedProxies;

/** A Logger that keeps its warnings, to check what the gateway says about ignored headers. */
function recordingLogger(): Logger & { warnings: { msg: string; fields?: Record<string, unknown> }[] } {
  const warnings: { msg: string; fields?: Record<string, unknown> }[] = [];
  const ignore = () => undefined;
  return {
    warnings,
    debug: ignore,
    info: ignore,
    error: ignore,
    warn: (msg, fields) => warnings.push({ msg, fields }),
  };
}

interface Listening {
  server: Server;
  url: string;
}

async function listen(gateway: Gateway, host: string, connectTo = host): Promise<Listening> {
  const server = createServer(gateway);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  return { server, url: `http://${connectTo.includes(':') ? `[${connectTo}]` : connectTo}:${port}` };
}

async function close(listening: Listening | undefined): Promise<void> {
  if (!listening) return;
  listening.server.closeAllConnections();
  await new Promise<void>((resolve) => listening.server.close(() => resolve()));
}

interface Answer {
  status: number;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

async function post(url: string, query: string, headers: Record<string, string>): Promise<Answer> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

const READ = '{ cells(first: 1) { totalCount } }';
const CANDIDATES =
  '{ allocationCandidates(limit: 1, request: { resources: [{ resourceClass: "VCPU", amount: 1 }] }) { __typename } }';
const createCell = (name: string) => `mutation { createCell(input: { name: "${name}" }) { __typename } }`;
const identity = (user: string, roles: string, project = 'p-1') => ({
  'x-user-id': user,
  'x-roles': roles,
  'x-project-id': project,
});

const limits: GatewayLimits = { ...defaultGatewayLimits, perCallerMaxInflight: 100_000 };

let env: TestEnv;
const logger = recordingLogger();
/** Trusts 127.0.0.1, listens on 127.0.0.1. */
let fromProxy: Listening;
/** Trusts only 10.0.0.0/8 and fd00::/8: the test's 127.0.0.1 is an untrusted client. */
let fromClient: Listening;

function gatewayWith(proxy: ProxySettings, gatewayLimits = limits, log: Logger = logger): Gateway {
  return createGateway(env.db, log, gatewayLimits, defaultGatewayExposure, { proxy });
}

async function cellCount(): Promise<number> {
  const [row] = await env.sql<{ n: number }>('SELECT count(*)::int AS n FROM cells');
  return row!.n;
}

beforeAll(async () => {
  env = await createTestEnv({ poolMax: 6 });
  fromProxy = await listen(gatewayWith({ trusted: trusted('127.0.0.1'), roleMap: KEYSTONE_ROLES }), '127.0.0.1');
  fromClient = await listen(
    gatewayWith({ trusted: trusted('10.0.0.0/8, fd00::/8'), roleMap: KEYSTONE_ROLES }),
    '127.0.0.1',
  );
});
afterAll(async () => {
  await close(fromProxy);
  await close(fromClient);
  await env?.close();
});

describe('from a trusted proxy address the headers are the caller', () => {
  it('reader: reads; a mutation is FORBIDDEN and writes nothing', async () => {
    const headers = identity('alice', 'reader');
    const read = await post(fromProxy.url, READ, headers);
    expect([read.status, read.body.errors]).toEqual([200, undefined]);
    const before = await cellCount();
    const refused = await post(fromProxy.url, createCell('by-a-keystone-reader'), headers);
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', role: 'READER' });
    expect(await cellCount()).toBe(before);
  });

  it('role mapping is case-insensitive and the most powerful role wins', async () => {
    const scheduler = identity('nova', 'Member, SERVICE');
    expect((await post(fromProxy.url, CANDIDATES, scheduler)).body.errors).toBeUndefined();
    const refused = await post(fromProxy.url, createCell('by-nova'), scheduler);
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', role: 'SCHEDULER' });

    const name = `keystone-admin-${randomUUID().slice(0, 8)}`;
    const created = await post(fromProxy.url, createCell(name), identity('cloud-admin', 'reader,admin,member'));
    expect(created.body).toEqual({ data: { createCell: { __typename: 'CellPayload' } } });
  });

  it('X-Identity-Status: Confirmed is served, Invalid is 401', async () => {
    const confirmed = { ...identity('alice', 'reader'), 'x-identity-status': 'Confirmed' };
    expect((await post(fromProxy.url, READ, confirmed)).status).toBe(200);
    const invalid = await post(fromProxy.url, READ, { ...identity('alice', 'reader'), 'x-identity-status': 'Invalid' });
    expect([invalid.status, invalid.body.errors?.[0]?.extensions?.code]).toEqual([401, 'UNAUTHENTICATED']);
    expect(invalid.body.errors?.[0]?.message).toContain('X-Identity-Status');
  });

  it('no X-User-Id: 401; roles that map to nothing: 403 FORBIDDEN', async () => {
    const anonymous = await post(fromProxy.url, READ, { 'x-roles': 'admin' });
    expect([anonymous.status, anonymous.body.errors?.[0]?.message]).toEqual([
      401,
      expect.stringContaining('X-User-Id'),
    ]);
    const roleless = await post(fromProxy.url, READ, identity('bob', 'heat_stack_owner, load-balancer_member'));
    expect(roleless.status).toBe(403);
    expect(roleless.body.errors).toEqual([
      { message: expect.stringContaining('no role'), extensions: { code: 'FORBIDDEN' } },
    ]);
  });

  it('an API token still wins over headers (authenticators run in order)', async () => {
    const reader = await env.createToken('READER');
    const refused = await post(fromProxy.url, createCell('token-first'), {
      ...identity('cloud-admin', 'admin'),
      authorization: `Bearer ${reader}`,
    });
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', role: 'READER' });
  });
});

describe('from an untrusted address the headers are ignored', () => {
  it('headers alone: 401; the log names the address once, however many requests', async () => {
    const before = await cellCount();
    for (let i = 0; i < 3; i++) {
      const answer = await post(fromClient.url, createCell(`forged-${i}`), identity('mallory', 'admin'));
      expect([answer.status, answer.body.errors?.[0]?.extensions?.code]).toEqual([401, 'UNAUTHENTICATED']);
    }
    expect(await cellCount()).toBe(before);
    const ignored = logger.warnings.filter((w) => w.msg.includes('not in TRUSTED_PROXIES'));
    expect(ignored).toEqual([
      {
        msg: 'ignored identity headers from an address not in TRUSTED_PROXIES',
        fields: { address: '127.0.0.1', headers: ['x-roles', 'x-project-id', 'x-user-id'] },
      },
    ]);
  });

  it('with a READER token, forged X-Roles: admin grant nothing more', async () => {
    const reader = await env.createToken('READER');
    const answer = await post(fromClient.url, createCell('forged-with-token'), {
      ...identity('mallory', 'admin'),
      authorization: `Bearer ${reader}`,
    });
    expect(answer.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', role: 'READER' });
  });
});

describe('addresses: IPv4, IPv6, networks, IPv4 on a dual-stack socket', () => {
  it('a proxy on ::1 trusted as ::1, and 127.0.0.1 reaching a socket on :: (seen as ::ffff:127.0.0.1)', async () => {
    const v6 = await listen(gatewayWith({ trusted: trusted('::1'), roleMap: KEYSTONE_ROLES }), '::1');
    const dual = await listen(
      gatewayWith({ trusted: trusted('127.0.0.0/8'), roleMap: KEYSTONE_ROLES }),
      '::',
      '127.0.0.1',
    );
    try {
      expect((await post(v6.url, READ, identity('alice', 'reader'))).status).toBe(200);
      expect((await post(dual.url, READ, identity('alice', 'reader'))).status).toBe(200);
    } finally {
      await close(v6);
      await close(dual);
    }
  });

  it('TRUSTED_PROXIES matching', () => {
    const list = trusted('10.0.0.0/8, 192.168.1.7, fd00::/8, 2001:db8::1');
    expect(['10.200.3.4', '192.168.1.7', 'fd12::5', '2001:db8::1', '::ffff:10.0.0.1'].map((a) => list.has(a))).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(['11.0.0.1', '192.168.1.8', 'fe80::1', '2001:db8::2', 'not-an-address'].map((a) => list.has(a))).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(parseTrustedProxies('10.0.0.0/33')).toMatch(/prefix length/);
    expect(parseTrustedProxies('example.com')).toMatch(/not an IPv4 or IPv6/);
  });

  it('Actor: kind proxy, name = X-User-Id, projectId = X-Project-Id (ADMIN stays unconfined)', async () => {
    const authenticator = proxyAuthenticator({ trusted: trusted('10.0.0.0/8'), roleMap: KEYSTONE_ROLES }, logger);
    const actorOf = (headers: Record<string, string>) =>
      authenticator.authenticate(new Request('http://localhost/graphql', { headers }), { address: '10.1.2.3' });
    expect(await actorOf(identity('alice', 'member', 'proj-a'))).toEqual({
      kind: 'proxy',
      role: 'READER',
      projectId: 'proj-a',
      name: 'alice',
    });
    expect(await actorOf(identity('cloud-admin', 'admin', 'proj-a'))).toEqual({
      kind: 'proxy',
      role: 'ADMIN',
      projectId: null,
      name: 'cloud-admin',
    });
    expect(await actorOf({})).toBeNull();
  });
});

describe('behind a proxy, the per-caller budget is per proxied user and project', () => {
  it("one user's requests in flight do not use up another's budget, though both come from the proxy's address", async () => {
    const budgeted = await listen(
      gatewayWith({ trusted: trusted('127.0.0.1'), roleMap: KEYSTONE_ROLES }, { ...limits, perCallerMaxInflight: 1 }),
      '127.0.0.1',
    );
    const lock = await lockTable(env.url, 'aggregates');
    let blocked: Promise<Answer> | undefined;
    try {
      blocked = post(budgeted.url, '{ aggregates(first: 1) { totalCount } }', identity('alice', 'reader'));
      await untilSessionsWaitingForLock(env, 1);
      const again = await post(budgeted.url, READ, identity('alice', 'reader'));
      expect([again.status, again.body.errors?.[0]?.extensions?.code]).toEqual([429, 'CALLER_BUSY']);
      const otherProject = await post(budgeted.url, READ, identity('alice', 'reader', 'p-2'));
      expect(otherProject.status).toBe(200);
      const bob = await post(budgeted.url, READ, identity('bob', 'reader'));
      expect(bob.status).toBe(200);
    } finally {
      await lock.release();
      expect((await blocked)?.status).toBe(200);
      await close(budgeted);
    }
  });
});

describe('configured through the environment (npm start’s src/main.ts)', () => {
  let gateway: GatewayProcess;
  beforeAll(async () => {
    gateway = await startGatewayProcess({
      databaseUrl: env.url,
      env: { TRUSTED_PROXIES: '127.0.0.1', PROXY_ROLE_MAP: 'cloud_admin=ADMIN,observer=READER' },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  it('TRUSTED_PROXIES and PROXY_ROLE_MAP take effect', async () => {
    expect((await post(gateway.url, READ, identity('carol', 'observer'))).status).toBe(200);
    const name = `env-admin-${randomUUID().slice(0, 8)}`;
    expect((await post(gateway.url, createCell(name), identity('root', 'cloud_admin'))).body.errors).toBeUndefined();
    // The default map is replaced, not extended.
    expect((await post(gateway.url, READ, identity('dave', 'admin'))).status).toBe(403);
  });
});

describe("the Placement REST API under /placement believes the same proxies, as keystonemiddleware's clients expect", () => {
  async function rest(url: string, method: string, path: string, headers: Record<string, string>, body?: unknown) {
    const response = await fetch(`${url}/placement${path}`, {
      method,
      headers: {
        'openstack-api-version': 'placement 1.39',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }
  const providerCount = async () =>
    (await env.sql<{ n: number }>('SELECT count(*)::int AS n FROM resource_providers'))[0]!.n;

  it('a reader lists providers; creating one is 403 with policy.not_allowed and writes nothing; an admin creates it', async () => {
    const reader = identity('alice', 'reader');
    expect((await rest(fromProxy.url, 'GET', '/resource_providers', reader)).status).toBe(200);
    const before = await providerCount();
    const name = `rest-proxy-${randomUUID().slice(0, 8)}`;
    const refused = await rest(fromProxy.url, 'POST', '/resource_providers', reader, { name });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ errors: [{ status: 403, code: 'placement.undefined_code' }] });
    expect(await providerCount()).toBe(before);
    const created = await rest(fromProxy.url, 'POST', '/resource_providers', identity('cloud-admin', 'admin'), {
      name,
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ name });
    expect(await providerCount()).toBe(before + 1);
  });

  it('from an untrusted address the same headers are no caller: 401, nothing written', async () => {
    const before = await providerCount();
    const refused = await rest(fromClient.url, 'POST', '/resource_providers', identity('mallory', 'admin'), {
      name: `rest-untrusted-${randomUUID().slice(0, 8)}`,
    });
    expect(refused.status).toBe(401);
    expect(await providerCount()).toBe(before);
  });

  it('X-Identity-Status: Invalid is 401 on REST too', async () => {
    const invalid = { ...identity('alice', 'admin'), 'x-identity-status': 'Invalid' };
    expect((await rest(fromProxy.url, 'GET', '/resource_providers', invalid)).status).toBe(401);
  });
});
