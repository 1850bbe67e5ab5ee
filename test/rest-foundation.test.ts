import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from './support/harness.js';
import { type RealPlacement, startRealPlacement } from './support/real-placement.js';
import { RestPair } from './support/rest-compare.js';

// The REST foundation (src/rest/) against the real Placement 8.0: versions, errors, routing, headers.
let env: TestEnv;
let real: RealPlacement;
let pair: RestPair;

beforeAll(async () => {
  [env, real] = await Promise.all([createTestEnv(4), startRealPlacement()]);
  pair = new RestPair(env, real);
}, 60_000);

afterAll(async () => {
  await Promise.all([env?.close(), real?.stop()]);
});

async function same(method: string, path: string, options: Parameters<RestPair['both']>[2] = {}) {
  const { theirs, ours } = await pair.both(method, path, options);
  expect(ours).toEqual(theirs);
  return ours as { status: number; headers: Record<string, string | null>; body: unknown };
}

describe('version document and microversions', () => {
  it.each([undefined, '1.0', '1.14', '1.15', '1.39', 'latest'])('GET / at %s', async (version) => {
    const answer = await same('GET', '/', { version, ourToken: null, theirToken: null });
    expect(answer.status).toBe(200);
  });

  it('GET /placement without a slash is the root too', async () => {
    const response = await env.gateway.fetch('http://localhost/placement');
    expect(response.status).toBe(200);
    expect(((await response.json()) as { versions: unknown[] }).versions).toHaveLength(1);
  });

  it.each(['1.40', '2.0', '0.9', '1.050', 'foo', '1', '1.', '1.2.3', ' 1.5', '+1.5', '1_0.5', 'LATEST', '-1.2'])(
    'refuses or accepts %j as Placement does',
    async (version) => {
      await same('GET', '/', { version, ourToken: null, theirToken: null });
      await same('GET', '/resource_classes', { version });
    },
  );

  it.each([
    'compute 2.1',
    'compute 2.1, placement 1.20',
    'placement 1.20, compute 2.1',
    'placement 1.2, placement 1.30',
    'placement',
    'PLACEMENT 1.10',
  ])('reads the header %j as Placement does', async (header) => {
    await same('GET', '/', { headers: { 'openstack-api-version': header }, ourToken: null, theirToken: null });
  });

  it('ignores the legacy X-OpenStack-Placement-API-Version header, as Placement 8.0 does', async () => {
    const answer = await same('GET', '/', {
      headers: { 'x-openstack-placement-api-version': '1.20' },
      ourToken: null,
      theirToken: null,
    });
    expect(answer.headers['openstack-api-version']).toBe('placement 1.0');
  });
});

describe('authentication', () => {
  it('answers 401 without a token, whatever the version', async () => {
    const answer = await same('GET', '/resource_classes', { ourToken: null, theirToken: null, version: '1.99' });
    expect(answer.status).toBe(401);
  });

  it('takes an API token in X-Auth-Token and refuses an unknown one', async () => {
    const ok = await pair.ours('GET', '/resource_classes', { version: '1.2' });
    expect(ok.status).toBe(200);
    const bad = await pair.ours('GET', '/resource_classes', { version: '1.2', ourToken: `pgw_${'x'.repeat(43)}` });
    expect(bad.status).toBe(401);
  });

  it('answers a role the policy refuses with 403 as Placement does', async () => {
    const writer = await env.createToken('READER');
    const theirs = await pair.theirs('POST', '/resource_classes', {
      version: '1.23',
      body: { name: 'CUSTOM_NOPE' },
      theirToken: 'user:project',
    });
    const ours = await pair.ours('POST', '/resource_classes', {
      version: '1.23',
      body: { name: 'CUSTOM_NOPE' },
      ourToken: writer,
    });
    expect(ours).toEqual(theirs);
    expect(ours.status).toBe(403);
  });
});

describe('routing', () => {
  it.each([
    ['PATCH', '/resource_classes'],
    ['DELETE', '/resource_classes'],
    ['POST', '/'],
    ['POST', '/resource_classes/CUSTOM_X'],
  ])('%s %s is 405 with Allow', async (method, path) => {
    const answer = await same(method, path, { version: '1.39' });
    expect(answer.status).toBe(405);
  });

  it.each([
    ['/nothing', '1.0'],
    ['/nothing', '1.23'],
    ['/resource_classes/', '1.2'],
    ['/resource_classes', '1.1'],
    ['/resource_classes/VCPU', '1.1'],
  ])('GET %s at %s is 404', async (path, version) => {
    const answer = await same('GET', path, { version });
    expect(answer.status).toBe(404);
  });
});

describe('request bodies and media types', () => {
  it.each([
    '',
    '{"name":',
    '{"name": "CUSTOM_A",}',
    '[1, 2',
    '{"name" "x"}',
    '{"name": "CUSTOM_A"} x',
    '{name: 1}',
    '{"a": "\\q"}',
    '{"a": "\\u12"}',
    '"abc',
    '\n\n  {"a": tru}',
    'NaN',
  ])('malformed JSON %j is a 400 with Python’s message', async (rawBody) => {
    const answer = await same('POST', '/resource_classes', { version: '1.2', rawBody });
    expect(answer.status).toBe(400);
  });

  it.each([
    { name: 'CUSTOM_A', extra: 1 },
    { nam: 'CUSTOM_A' },
    { name: 'custom_a' },
    { name: 5 },
    { name: `CUSTOM_${'A'.repeat(260)}` },
    [],
    'CUSTOM_A',
    { a: 1, b: 2, name: 'x' },
  ])('invalid document %j is a 400 with jsonschema’s message', async (body) => {
    const answer = await same('POST', '/resource_classes', { version: '1.23', body });
    expect(answer.status).toBe(400);
  });

  it('needs application/json (415) and a content type with a body (400)', async () => {
    const wrong = await same('POST', '/resource_classes', {
      version: '1.2',
      rawBody: '{"name": "CUSTOM_A"}',
      headers: { 'content-type': 'text/plain' },
    });
    expect(wrong.status).toBe(415);
  });

  it('refuses an Accept without application/json with 406', async () => {
    const answer = await same('GET', '/resource_classes', {
      version: '1.2',
      headers: { accept: 'application/xml' },
    });
    expect(answer.status).toBe(406);
  });
});

describe('resource classes', () => {
  it('lists the same standard classes', async () => {
    for (const version of ['1.2', '1.15']) await same('GET', '/resource_classes', { version });
  });

  it('creates, shows, renames, confirms and deletes custom classes as Placement does', async () => {
    const steps: [string, string, Parameters<RestPair['both']>[2]][] = [
      ['POST', '/resource_classes', { version: '1.2', body: { name: 'CUSTOM_GOLD' } }],
      ['POST', '/resource_classes', { version: '1.23', body: { name: 'CUSTOM_GOLD' } }],
      ['GET', '/resource_classes/CUSTOM_GOLD', { version: '1.2' }],
      ['GET', '/resource_classes/CUSTOM_GOLD', { version: '1.15' }],
      ['GET', '/resource_classes/VCPU', { version: '1.15' }],
      ['GET', '/resource_classes/CUSTOM_NONE', { version: '1.23' }],
      ['PUT', '/resource_classes/CUSTOM_GOLD', { version: '1.6', body: { name: 'CUSTOM_SILVER' } }],
      ['PUT', '/resource_classes/VCPU', { version: '1.6', body: { name: 'CUSTOM_SILVER2' } }],
      ['PUT', '/resource_classes/CUSTOM_SILVER', { version: '1.7' }],
      ['PUT', '/resource_classes/CUSTOM_BRONZE', { version: '1.7' }],
      ['PUT', '/resource_classes/VCPU', { version: '1.7' }],
      ['PUT', '/resource_classes/CUSTOM_X', { version: '1.6', body: { name: 'CUSTOM_Y' } }],
      ['GET', '/resource_classes', { version: '1.15' }],
      ['DELETE', '/resource_classes/VCPU', { version: '1.2' }],
      ['DELETE', '/resource_classes/CUSTOM_NONE', { version: '1.2' }],
      ['DELETE', '/resource_classes/CUSTOM_SILVER', { version: '1.2' }],
      ['DELETE', '/resource_classes/CUSTOM_BRONZE', { version: '1.39' }],
      ['GET', '/resource_classes', { version: '1.2' }],
    ];
    for (const [method, path, options] of steps) {
      const { theirs, ours } = await pair.both(method, path, options);
      expect({ step: `${method} ${path}`, answer: ours }).toEqual({ step: `${method} ${path}`, answer: theirs });
    }
  });
});
