import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jwtAuthenticator } from '../src/auth/jwt.js';
import { createGateway, defaultGatewayExposure } from '../src/gateway.js';
import { defaultGatewayLimits } from '../src/http/limits.js';
import { createLogger } from '../src/logger.js';
import { freePort } from './support/free-port.js';
import { type GatewayProcess, startGatewayProcess } from './support/gateway-process.js';
import { createTestEnv, type TestEnv } from './support/harness.js';
import { lockTable, untilSessionsWaitingForLock } from './support/table-lock.js';
import { type IssuerKey, issuerKey, startTestIssuer, TEST_AUDIENCE, type TestIssuer } from './support/test-issuer.js';

/**
 * JWT bearer tokens, verified with jose against a real issuer: key pairs made in the test, the
 * JWKS served over real HTTP on 127.0.0.1, tokens really signed. Nothing about verification is
 * stubbed: every refusal below is jose refusing a token.
 */

let rsa: IssuerKey;
let ec: IssuerKey;
let issuer: TestIssuer;
let env: TestEnv;

beforeAll(async () => {
  [rsa, ec] = await Promise.all([issuerKey('RS256'), issuerKey('ES256')]);
  issuer = await startTestIssuer([rsa, ec]);
  env = await createTestEnv({ poolMax: 4, access: { jwt: issuer.settings() } });
});
afterAll(async () => {
  await env?.close();
  await issuer?.close();
});

interface Answer {
  status: number;
  headers: Headers;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

async function send(token: string, query: string, gateway = env.gateway): Promise<Answer> {
  const response = await gateway.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Answer['body'] };
}

const READ = '{ cells(first: 1) { totalCount } }';
const CANDIDATES =
  '{ allocationCandidates(limit: 1, request: { resources: [{ resourceClass: "VCPU", amount: 1 }] }) { __typename } }';
const createCell = (name: string) => `mutation { createCell(input: { name: "${name}" }) { __typename } }`;

const user = (roles: unknown, extra: Record<string, unknown> = {}) => ({
  sub: `user-${randomUUID()}`,
  realm_access: { roles },
  ...extra,
});

async function cellCount(): Promise<number> {
  const [row] = await env.sql<{ n: number }>('SELECT count(*)::int AS n FROM cells');
  return row!.n;
}

function expectUnauthenticated(answer: Answer, saying: RegExp): void {
  expect(answer.status).toBe(401);
  expect(answer.headers.get('www-authenticate')).toBe('Bearer');
  expect(answer.body.data).toBeUndefined();
  expect(answer.body.errors).toEqual([
    { message: expect.stringMatching(saying), extensions: { code: 'UNAUTHENTICATED' } },
  ]);
}

describe('a valid JWT is a caller with the role its claims map to', () => {
  it('READER (RS256): reads; a mutation is FORBIDDEN and writes nothing', async () => {
    const token = await issuer.sign(user(['placement-reader', 'offline_access']));
    const read = await send(token, READ);
    expect([read.status, read.body.errors]).toEqual([200, undefined]);
    expect(read.body.data?.cells).toEqual({ totalCount: expect.any(Number) });

    const before = await cellCount();
    const refused = await send(token, createCell('by-a-jwt-reader'));
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', role: 'READER' });
    expect(await cellCount()).toBe(before);

    const candidates = await send(token, CANDIDATES);
    expect(candidates.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', requiredRole: 'SCHEDULER' });
  });

  it('SCHEDULER (ES256): scheduling questions allowed, the catalogue refused', async () => {
    const token = await issuer.sign(user(['placement-scheduler']), { key: ec });
    const candidates = await send(token, CANDIDATES);
    expect([candidates.status, candidates.body.errors]).toEqual([200, undefined]);
    expect(candidates.body.data?.allocationCandidates).toEqual({ __typename: 'AllocationCandidates' });
    const refused = await send(token, createCell('by-a-jwt-scheduler'));
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', role: 'SCHEDULER' });
  });

  it('several mapped roles: the most powerful wins (ADMIN creates a cell)', async () => {
    const token = await issuer.sign(user(['placement-reader', 'placement-admin', 'placement-scheduler']));
    const name = `jwt-admin-${randomUUID().slice(0, 8)}`;
    const created = await send(token, createCell(name));
    expect(created.body).toEqual({ data: { createCell: { __typename: 'CellPayload' } } });
    expect(await env.sql('SELECT name FROM cells WHERE name = $1', [name])).toHaveLength(1);
  });

  it('a roles claim given as one string of names works too', async () => {
    const token = await issuer.sign(user('offline_access placement-scheduler'));
    expect((await send(token, CANDIDATES)).body.errors).toBeUndefined();
  });

  it('Actor: kind jwt, name = sub, projectId from the project claim (ADMIN stays unconfined)', async () => {
    const authenticator = jwtAuthenticator(issuer.settings());
    const actorOf = async (claims: Record<string, unknown>) => {
      const token = await issuer.sign(claims);
      const request = new Request('http://localhost/graphql', { headers: { authorization: `Bearer ${token}` } });
      return authenticator.authenticate(request, { address: undefined });
    };
    expect(await actorOf({ sub: 'alice', realm_access: { roles: ['placement-reader'] }, project_id: 'p-42' })).toEqual({
      kind: 'jwt',
      role: 'READER',
      projectId: 'p-42',
      name: 'alice',
    });
    expect(await actorOf({ sub: 'svc', realm_access: { roles: ['placement-scheduler'] } })).toEqual({
      kind: 'jwt',
      role: 'SCHEDULER',
      projectId: null,
      name: 'svc',
    });
    expect(await actorOf({ sub: 'root', realm_access: { roles: ['placement-admin'] }, project_id: 'p-42' })).toEqual({
      kind: 'jwt',
      role: 'ADMIN',
      projectId: null,
      name: 'root',
    });
  });

  it('a project claim that is not a project id: 401', async () => {
    const token = await issuer.sign(user(['placement-reader'], { project_id: { id: 7 } }));
    expectUnauthenticated(await send(token, READ), /"project_id" claim is not a project id/);
  });

  it('API tokens still work next to JWTs', async () => {
    expect((await env.gql(READ)).errors).toBeUndefined();
  });
});

describe('refused tokens: 401 UNAUTHENTICATED saying why, never echoing the token', () => {
  const cases: [string, () => Promise<string>, RegExp][] = [
    ['expired', () => issuer.sign(user(['placement-admin'], { exp: Math.floor(Date.now() / 1000) - 60 })), /expired/],
    [
      'another issuer',
      () => issuer.sign(user(['placement-admin'], { iss: 'https://evil.example.com/realms/placement' })),
      /another issuer/,
    ],
    [
      'another audience',
      () => issuer.sign(user(['placement-admin'], { aud: 'some-other-service' })),
      /another audience/,
    ],
    [
      'not valid yet',
      () => issuer.sign(user(['placement-admin'], { nbf: Math.floor(Date.now() / 1000) + 600 })),
      /not valid yet/,
    ],
    [
      'signed by another key under a published kid',
      async () => {
        const forger = await issuerKey('RS256');
        return issuer.sign(user(['placement-admin']), { key: { ...forger, kid: rsa.kid } });
      },
      /bad signature/,
    ],
    [
      'a tampered payload',
      async () => {
        const [header, , signature] = (await issuer.sign(user(['placement-reader']))).split('.');
        const payload = Buffer.from(
          JSON.stringify({
            iss: issuer.issuer,
            aud: TEST_AUDIENCE,
            sub: 'x',
            exp: 4102444800,
            realm_access: { roles: ['placement-admin'] },
          }),
        ).toString('base64url');
        return `${header}.${payload}.${signature}`;
      },
      /bad signature/,
    ],
    [
      'an unknown kid',
      async () => issuer.sign(user(['placement-admin']), { key: await issuerKey('ES256') }),
      /unknown kid/,
    ],
    ['no sub', () => issuer.sign({ realm_access: { roles: ['placement-admin'] } }), /"sub"/],
    [
      'alg none',
      async () => {
        const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
        return `${part({ alg: 'none', typ: 'JWT' })}.${part({ ...user(['placement-admin']), iss: issuer.issuer, aud: TEST_AUDIENCE })}.bm90LWEtc2lnbmF0dXJl`;
      },
      /not a well-formed signed JWT|algorithm/,
    ],
  ];
  for (const [what, token, saying] of cases) {
    it(`${what}: 401`, async () => {
      const jwt = await token();
      const before = await cellCount();
      const answer = await send(jwt, createCell(`refused-${randomUUID().slice(0, 8)}`));
      expectUnauthenticated(answer, saying);
      for (const part of jwt.split('.')) expect(JSON.stringify(answer.body)).not.toContain(part);
      expect(await cellCount()).toBe(before);
    });
  }

  it('a valid identity whose roles map to nothing: 403 FORBIDDEN (authenticated, no role)', async () => {
    const token = await issuer.sign(user(['offline_access', 'uma_authorization']));
    const answer = await send(token, READ);
    expect(answer.status).toBe(403);
    expect(answer.body.errors).toEqual([
      { message: expect.stringContaining('no role'), extensions: { code: 'FORBIDDEN' } },
    ]);
    expect(answer.body.data).toBeUndefined();
  });

  it('a JWT-shaped bearer with JWT authentication off: 401 like any unknown bearer', async () => {
    const plain = await createTestEnv({ poolMax: 2 });
    try {
      const token = await issuer.sign(user(['placement-admin']));
      const response = await plain.as(token).post({ query: READ });
      expect(response.status).toBe(401);
    } finally {
      await plain.close();
    }
  });
});

describe('the JWKS: cached, refetched for a new kid, its outage is a 503', () => {
  const logger = createLogger('silent');
  const limits = { ...defaultGatewayLimits, perCallerMaxInflight: 100_000 };

  it('is fetched once for many tokens, and again when a rotated key appears', async () => {
    const rotating = await startTestIssuer([await issuerKey('RS256')]);
    try {
      const gateway = createGateway(env.db, logger, limits, defaultGatewayExposure, {
        jwt: rotating.settings({ jwksCooldownSeconds: 0 }),
      });
      for (let i = 0; i < 5; i++) {
        const answer = await send(await rotating.sign(user(['placement-reader'])), READ, gateway);
        expect(answer.status).toBe(200);
      }
      expect(rotating.fetches()).toBe(1);

      // The issuer rotates: a new key is published and signs from now on.
      const next = await issuerKey('ES256');
      rotating.published.unshift(next);
      const answer = await send(await rotating.sign(user(['placement-reader'])), READ, gateway);
      expect([answer.status, answer.body.errors]).toEqual([200, undefined]);
      expect(rotating.fetches()).toBe(2);

      // The old key is withdrawn: its tokens stop working once the set is refetched.
      const old = rotating.published.pop()!;
      const stale = await rotating.sign(user(['placement-reader']), { key: old });
      expect((await send(stale, READ, gateway)).status).toBe(200); // cached set still has it
      await send(await rotating.sign(user(['placement-reader']), { key: await issuerKey('RS256') }), READ, gateway);
      expectUnauthenticated(await send(stale, READ, gateway), /unknown kid/);
    } finally {
      await rotating.close();
    }
  });

  it('a stream of unknown kids refetches at most once per cooldown', async () => {
    const guarded = await startTestIssuer([await issuerKey('RS256')]);
    try {
      const gateway = createGateway(env.db, logger, limits, defaultGatewayExposure, {
        jwt: guarded.settings({ jwksCooldownSeconds: 60 }),
      });
      expect((await send(await guarded.sign(user(['placement-reader'])), READ, gateway)).status).toBe(200);
      for (let i = 0; i < 5; i++) {
        const forged = await guarded.sign(user(['placement-admin']), { key: await issuerKey('RS256') });
        expectUnauthenticated(await send(forged, READ, gateway), /unknown kid/);
      }
      expect(guarded.fetches()).toBe(1);
    } finally {
      await guarded.close();
    }
  });

  it('JWKS server down: 503 IDENTITY_PROVIDER_UNAVAILABLE with Retry-After, not 401; back up: served', async () => {
    const flaky = await startTestIssuer([await issuerKey('RS256')]);
    const warnings: string[] = [];
    const recording = { ...logger, warn: (msg: string) => warnings.push(msg) };
    const gateway = createGateway(env.db, recording, limits, defaultGatewayExposure, { jwt: flaky.settings() });
    const token = await flaky.sign(user(['placement-reader']));

    flaky.failWith(500);
    const failing = await send(token, READ, gateway);
    expect(failing.status).toBe(503);
    expect(failing.headers.get('retry-after')).toBe('1');
    expect(failing.body.errors).toEqual([
      {
        message: expect.stringContaining('signing keys could not be fetched'),
        extensions: { code: 'IDENTITY_PROVIDER_UNAVAILABLE', retryable: true },
      },
    ]);
    expect(JSON.stringify(failing.body)).not.toContain(token);
    // The outage is logged, once for a burst of failing requests.
    for (let i = 0; i < 3; i++) expect((await send(token, READ, gateway)).status).toBe(503);
    expect(warnings).toEqual([
      expect.stringMatching(
        /signing keys could not be fetched from http:\/\/127\.0\.0\.1:\d+\/protocol\/openid-connect\/certs: .*200 OK/,
      ),
    ]);

    flaky.failWith(null);
    expect((await send(token, READ, gateway)).status).toBe(200);

    // Nothing listens any more (connection refused).
    await flaky.close();
    const unreachable = createGateway(env.db, logger, limits, defaultGatewayExposure, {
      jwt: flaky.settings({ jwksUrl: new URL(`http://127.0.0.1:${await freePort()}/certs`) }),
    });
    const refused = await send(token, READ, unreachable);
    expect([refused.status, refused.body.errors?.[0]?.extensions?.code]).toEqual([
      503,
      'IDENTITY_PROVIDER_UNAVAILABLE',
    ]);
    expect(refused.body.errors?.[0]?.message).toMatch(/unreachable/);
  });
});

describe('the per-caller budget counts per subject', () => {
  it("a subject's fresh tokens share one budget; another subject has its own", async () => {
    const gateway = createGateway(
      env.db,
      createLogger('silent'),
      { ...defaultGatewayLimits, perCallerMaxInflight: 1 },
      defaultGatewayExposure,
      { jwt: issuer.settings() },
    );
    // A distinct token each time (jti): RS256 signatures are deterministic, the same claims would be the same token.
    const alice = () => issuer.sign({ sub: 'alice', jti: randomUUID(), realm_access: { roles: ['placement-reader'] } });
    const lock = await lockTable(env.url, 'aggregates');
    let blocked: Promise<Answer> | undefined;
    try {
      blocked = send(await alice(), '{ aggregates(first: 1) { totalCount } }', gateway);
      await untilSessionsWaitingForLock(env, 1);
      const again = await send(await alice(), READ, gateway);
      expect([again.status, again.body.errors?.[0]?.extensions?.code]).toEqual([429, 'CALLER_BUSY']);
      const bob = await issuer.sign({ sub: 'bob', realm_access: { roles: ['placement-reader'] } });
      expect((await send(bob, READ, gateway)).status).toBe(200);
    } finally {
      await lock.release();
      expect((await blocked)?.status).toBe(200);
    }
  });
});

describe('configured through the environment (npm start’s src/main.ts)', () => {
  let gateway: GatewayProcess;
  beforeAll(async () => {
    gateway = await startGatewayProcess({
      databaseUrl: env.url,
      env: {
        JWT_ISSUER: issuer.issuer,
        JWT_JWKS_URL: issuer.jwksUrl.href,
        JWT_AUDIENCE: `other-audience,${TEST_AUDIENCE}`,
        JWT_ROLES_CLAIM: 'groups',
        JWT_ROLE_MAP: 'ops=ADMIN,viewers=READER',
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  const post = (token: string, query: string) =>
    fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query }),
    });

  it('a token mapped by JWT_ROLE_MAP from JWT_ROLES_CLAIM reads; a READER is refused a mutation; expired is 401', async () => {
    const reader = await issuer.sign({ sub: 'viewer-1', groups: ['viewers'] });
    const read = await post(reader, READ);
    expect(read.status).toBe(200);
    expect(((await read.json()) as Answer['body']).errors).toBeUndefined();
    const refused = (await (await post(reader, createCell('env-reader'))).json()) as Answer['body'];
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const expired = await issuer.sign({
      sub: 'viewer-1',
      groups: ['viewers'],
      exp: Math.floor(Date.now() / 1000) - 120,
    });
    expect((await post(expired, READ)).status).toBe(401);
    const unmapped = await issuer.sign({ sub: 'viewer-2', realm_access: { roles: ['placement-admin'] } });
    expect((await post(unmapped, READ)).status).toBe(403);
  });
});
