import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSecret } from '../src/auth/secret.js';
import { createApiToken, revokeApiToken } from '../src/auth/tokens.js';
import { createTestEnv, type TestEnv } from './support/harness.js';

/**
 * Authentication over a real socket: every GraphQL request needs a live bearer token and is
 * refused with 401 UNAUTHENTICATED before its body is parsed; the probes stay open.
 */

let env: TestEnv;
let server: Server;
let base: string;

async function listen(env: TestEnv): Promise<{ server: Server; base: string }> {
  const s = createServer(env.gateway);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return { server: s, base: `http://127.0.0.1:${(s.address() as AddressInfo).port}` };
}

async function close(s: Server | undefined): Promise<void> {
  if (!s) return;
  s.closeAllConnections();
  await new Promise<void>((resolve) => s.close(() => resolve()));
}

beforeAll(async () => {
  env = await createTestEnv(4);
  ({ server, base } = await listen(env));
});
afterAll(async () => {
  await close(server);
  await env?.close();
});

interface Answer {
  status: number;
  headers: Headers;
  body: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

async function post(body: string, headers: Record<string, string> = {}, to = base): Promise<Answer> {
  const response = await fetch(`${to}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body,
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Answer['body'] };
}

const CELL_QUERY = JSON.stringify({ query: '{ cells(first: 1) { totalCount } }' });

function expectUnauthenticated(answer: Answer): void {
  expect(answer.status).toBe(401);
  expect(answer.headers.get('www-authenticate')).toBe('Bearer');
  expect(answer.body.data).toBeUndefined();
  expect(answer.body.errors).toEqual([{ message: expect.any(String), extensions: { code: 'UNAUTHENTICATED' } }]);
}

describe('a GraphQL request without a valid bearer token gets 401 UNAUTHENTICATED', () => {
  it('no Authorization header: 401 saying what to send', async () => {
    const answer = await post(CELL_QUERY);
    expectUnauthenticated(answer);
    expect(answer.body.errors?.[0]?.message).toContain('Authorization: Bearer');
  });

  const malformed: [string, string][] = [
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['Bearer without a token', 'Bearer'],
    ['two words after Bearer', `Bearer ${generateSecret()} extra`],
    ['a token of another format', 'Bearer abc.def.ghi'],
    ['a token with the prefix but too short', 'Bearer pgw_short'],
  ];
  for (const [what, header] of malformed) {
    it(`malformed (${what}): 401`, async () => {
      expectUnauthenticated(await post(CELL_QUERY, { authorization: header }));
    });
  }

  it('a well-formed secret that is no token: 401, and the message does not echo it', async () => {
    const secret = generateSecret();
    const answer = await post(CELL_QUERY, { authorization: `Bearer ${secret}` });
    expectUnauthenticated(answer);
    expect(JSON.stringify(answer.body)).not.toContain(secret);
  });

  it('a revoked token: served until revoked, 401 from the next request on', async () => {
    const { token, secret } = await createApiToken(env.db.pool, { name: 'soon-revoked', role: 'READER' });
    expect((await post(CELL_QUERY, { authorization: `Bearer ${secret}` })).status).toBe(200);
    await revokeApiToken(env.db.pool, { id: String(token.id) });
    expectUnauthenticated(await post(CELL_QUERY, { authorization: `Bearer ${secret}` }));
  });

  it('the scheme is case-insensitive, as RFC 9110 says', async () => {
    const answer = await post(CELL_QUERY, { authorization: `bearer ${env.adminToken}` });
    expect(answer.status).toBe(200);
  });

  it('is decided before parsing: a broken document gets 401 without a token, 400 with one', async () => {
    const broken = JSON.stringify({ query: '{ cells(' });
    expectUnauthenticated(await post(broken));
    expect((await post('{"query": ', {})).status).toBe(401); // not even JSON
    const withToken = await post(broken, { authorization: `Bearer ${env.adminToken}` });
    expect([withToken.status, withToken.body.errors?.[0]?.extensions?.code]).toEqual([400, 'GRAPHQL_PARSE_FAILED']);
  });

  it('is decided before the version: an unserved version gets 401 without a token', async () => {
    expectUnauthenticated(await post(CELL_QUERY, { 'Placement-API-Version': '9.9' }));
  });

  it('a mutation without a token writes nothing', async () => {
    const before = await env.sql('SELECT count(*)::int AS n FROM cells');
    const answer = await post(
      JSON.stringify({ query: 'mutation { createCell(input: {name: "anonymous"}) { __typename } }' }),
    );
    expectUnauthenticated(answer);
    expect(await env.sql('SELECT count(*)::int AS n FROM cells')).toEqual(before);
  });

  it('GET queries need a token too', async () => {
    const url = `${base}/graphql?query=${encodeURIComponent('{ __typename }')}`;
    expect((await fetch(url, { headers: { accept: 'application/json' } })).status).toBe(401);
    const authorized = await fetch(url, {
      headers: { accept: 'application/json', authorization: `Bearer ${env.adminToken}` },
    });
    expect(authorized.status).toBe(200);
  });
});

describe('what stays open', () => {
  it('/health, /ready, the GraphiQL page, the schema downloads and /metrics (by default) need no token', async () => {
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect((await fetch(`${base}/ready`)).status).toBe(200);
    const page = await fetch(`${base}/graphql`, { headers: { accept: 'text/html' } });
    expect([page.status, page.headers.get('content-type')]).toEqual([200, expect.stringMatching(/^text\/html/)]);
    expect((await fetch(`${base}/schema/1.1.graphql`)).status).toBe(200);
    expect((await fetch(`${base}/metrics`)).status).toBe(200);
  });

  it('a CORS preflight is never asked for a token (browsers send none on it)', async () => {
    // CORS is off here (no CORS_ORIGINS): the preflight gets no CORS headers, but never a 401.
    // test/cross-site.test.ts answers preflights of listed origins without a token.
    const response = await fetch(`${base}/graphql`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:4000', 'access-control-request-method': 'POST' },
    });
    expect(response.status).not.toBe(401);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('METRICS_REQUIRE_TOKEN', () => {
  let guarded: TestEnv;
  let guardedServer: Server;
  let guardedBase: string;

  beforeAll(async () => {
    guarded = await createTestEnv({ poolMax: 2, access: { metricsRequireToken: true } });
    ({ server: guardedServer, base: guardedBase } = await listen(guarded));
  });
  afterAll(async () => {
    await close(guardedServer);
    await guarded?.close();
  });

  it('/metrics answers 401 without a token and 200 with any live token (a READER too)', async () => {
    const anonymous = await fetch(`${guardedBase}/metrics`);
    expect([anonymous.status, anonymous.headers.get('www-authenticate')]).toEqual([401, 'Bearer']);
    const reader = await guarded.createToken('READER');
    const scraped = await fetch(`${guardedBase}/metrics`, { headers: { authorization: `Bearer ${reader}` } });
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain('# TYPE');
  });

  it('/health and /ready stay open', async () => {
    expect((await fetch(`${guardedBase}/health`)).status).toBe(200);
    expect((await fetch(`${guardedBase}/ready`)).status).toBe(200);
  });
});

describe('what is stored', () => {
  it('only the SHA-256 of each secret: no column holds a secret', async () => {
    const { secret } = await createApiToken(env.db.pool, { name: 'stored-check', role: 'SCHEDULER', projectId: 'p1' });
    const rows = await env.sql<Record<string, unknown>>('SELECT * FROM api_tokens');
    const dump = JSON.stringify(rows, (_key, value: unknown) =>
      Buffer.isBuffer(value) ? value.toString('hex') : typeof value === 'bigint' ? String(value) : value,
    );
    expect(dump).not.toContain(secret);
    expect(dump).not.toContain(secret.slice(4)); // nor its random part
    const [row] = await env.sql<{ secret_hash: Buffer; role: string; project_id: string }>(
      `SELECT secret_hash, role, project_id FROM api_tokens WHERE name = 'stored-check'`,
    );
    expect(row?.secret_hash.toString('hex')).toBe(createHash('sha256').update(secret).digest('hex'));
    expect([row?.role, row?.project_id]).toEqual(['SCHEDULER', 'p1']);
  });

  it('last_used_at is set by a request made with the token', async () => {
    const { secret } = await createApiToken(env.db.pool, { name: 'used-once', role: 'READER' });
    expect(await env.sql(`SELECT last_used_at FROM api_tokens WHERE name = 'used-once'`)).toEqual([
      { last_used_at: null },
    ]);
    expect((await post(CELL_QUERY, { authorization: `Bearer ${secret}` })).status).toBe(200);
    const [row] = await env.sql<{ last_used_at: Date | null }>(
      `SELECT last_used_at FROM api_tokens WHERE name = 'used-once'`,
    );
    expect(row?.last_used_at).toBeInstanceOf(Date);
  });
});
