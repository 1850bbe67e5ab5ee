import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Database, openDatabase } from '../src/db.js';
import { createGateway } from '../src/gateway.js';
import { createLogger } from '../src/logger.js';
import { createTestEnv, type TestEnv } from './support/harness.js';
import { bearer, TEST_ADMIN_TOKEN } from './support/test-token.js';

/** The gateway over a real socket: GraphQL-over-HTTP conformance and the transport edges. */

let env: TestEnv;
let server: Server;
let base: string;
let graphqlUrl: string;

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; base: string }> {
  const s = createServer(handler);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  return { server: s, base: `http://127.0.0.1:${port}` };
}

async function close(s: Server | undefined): Promise<void> {
  if (!s) return;
  s.closeAllConnections();
  await new Promise<void>((resolve) => s.close(() => resolve()));
}

beforeAll(async () => {
  env = await createTestEnv(4);
  ({ server, base } = await listen(env.gateway));
  graphqlUrl = `${base}/graphql`;
});
afterAll(async () => {
  await close(server);
  await env?.close();
});

function post(body: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(graphqlUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      ...bearer(TEST_ADMIN_TOKEN),
      ...headers,
    },
    body,
  });
}

/** fetch as an authenticated client: the audits exercise the transport, not authentication. */
const authenticatedFetch: typeof fetch = (input, init) => {
  const headers = new Headers(init?.headers);
  headers.set('authorization', `Bearer ${TEST_ADMIN_TOKEN}`);
  return fetch(input, { ...init, headers });
};

describe('GraphQL over HTTP audits (graphql-http serverAudits)', () => {
  // One test per audit, so a failure names the audit and its reason.
  const audits = serverAudits({ url: () => graphqlUrl, fetchFn: authenticatedFetch });

  it('has audits to run', () => {
    expect(audits.length).toBeGreaterThan(30);
  });

  for (const audit of audits) {
    it(audit.name, async () => {
      const result = await audit.fn();
      if (result.status !== 'ok') {
        let body = '';
        try {
          body = await result.response.text();
        } catch {
          body = '(body already read)';
        }
        expect.fail(
          `${result.status.toUpperCase()} ${audit.name} (${audit.id}): ${result.reason}\nresponse ${result.response.status}: ${body.slice(0, 500)}`,
        );
      }
      expect(result.status).toBe('ok');
    });
  }
});

describe('transport edges', () => {
  it('malformed JSON body → 400 with an error that says so', async () => {
    const response = await post('{"query": "{ __typename }"');
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/graphql-response\+json/);
    const body = (await response.json()) as { data?: unknown; errors: { message: string }[] };
    expect(body.data).toBeUndefined();
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0]!.message).toMatch(/invalid JSON/i);
  });

  it('a JSON array body (batching) → 400: batching is off', async () => {
    const response = await post(JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]));
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: { message: string }[] };
    expect(body.errors[0]!.message).toBe('Batching is not supported.');
  });

  it('a request without a query → 400 naming the missing parameter', async () => {
    const response = await post(JSON.stringify({ variables: {} }));
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: { message: string }[] };
    expect(body.errors[0]!.message).toMatch(/query/);
  });

  it('GET /health → 200', async () => {
    const response = await fetch(`${base}/health`);
    expect(response.status).toBe(200);
  });

  it('GET /ready → 200 when the database answers', async () => {
    const response = await fetch(`${base}/ready`);
    expect(response.status).toBe(200);
  });

  it('an unknown field → GRAPHQL_VALIDATION_FAILED, 400 for graphql-response+json, nothing executed', async () => {
    const response = await post(JSON.stringify({ query: '{ noSuchField }' }));
    expect(response.status).toBe(400);
    const body = (await response.json()) as {
      data?: unknown;
      errors: { message: string; extensions?: { code?: string } }[];
    };
    expect(body.data).toBeUndefined();
    expect(body.errors[0]!.message).toMatch(/Cannot query field "noSuchField" on type "Query"/);
    expect(body.errors[0]!.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('an unknown field with accept: application/json → 200 (legacy media type) and the same error code', async () => {
    const response = await post(JSON.stringify({ query: '{ noSuchField }' }), { accept: 'application/json' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { errors: { extensions?: { code?: string } }[] };
    expect(body.errors[0]!.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('a syntax error → GRAPHQL_PARSE_FAILED', async () => {
    const response = await post(JSON.stringify({ query: '{ resourceProviders(' }));
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: { extensions?: { code?: string } }[] };
    expect(body.errors[0]!.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('a mutation over GET is refused with 405 and Allow: POST', async () => {
    const query = encodeURIComponent('mutation { createTrait(input: {name: "CUSTOM_VIA_GET"}) { __typename } }');
    const response = await fetch(`${graphqlUrl}?query=${query}`, {
      headers: { accept: 'application/graphql-response+json', ...bearer(TEST_ADMIN_TOKEN) },
    });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toMatch(/POST/);
    expect(await env.sql(`SELECT 1 FROM traits WHERE name = 'CUSTOM_VIA_GET'`)).toEqual([]);
  });

  it('a query over GET works', async () => {
    const query = encodeURIComponent('{ __typename }');
    const response = await fetch(`${graphqlUrl}?query=${query}`, {
      headers: { accept: 'application/graphql-response+json', ...bearer(TEST_ADMIN_TOKEN) },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });
});

describe('a variable of the wrong shape gets the code the same mistake gets inline', () => {
  interface Case {
    name: string;
    inline: string;
    viaVariable: { query: string; variables: Record<string, unknown> };
  }
  const PROVIDER = 'createResourceProvider(input: $i) { __typename }';
  const cases: Case[] = [
    {
      name: 'wrong type (a number for a String)',
      inline: 'mutation { createResourceProvider(input: { name: 5 }) { __typename } }',
      viaVariable: {
        query: `mutation($i: CreateResourceProviderInput!) { ${PROVIDER} }`,
        variables: { i: { name: 5 } },
      },
    },
    {
      name: 'missing required input field',
      inline: 'mutation { createResourceProvider(input: {}) { __typename } }',
      viaVariable: { query: `mutation($i: CreateResourceProviderInput!) { ${PROVIDER} }`, variables: { i: {} } },
    },
    {
      name: 'Int out of range inside an input',
      inline:
        'mutation { deleteResourceProvider(input: { uuid: "00000000-0000-4000-8000-000000000000", generation: 99999999999 }) { __typename } }',
      viaVariable: {
        query: 'mutation($i: DeleteResourceProviderInput!) { deleteResourceProvider(input: $i) { __typename } }',
        variables: { i: { uuid: '00000000-0000-4000-8000-000000000000', generation: 99999999999 } },
      },
    },
    {
      name: 'Int argument out of range',
      inline:
        '{ allocationCandidates(request: { resources: [{ resourceClass: "VCPU", amount: 1 }] }, limit: 99999999999) { __typename } }',
      viaVariable: {
        query:
          'query($l: Int) { allocationCandidates(request: { resources: [{ resourceClass: "VCPU", amount: 1 }] }, limit: $l) { __typename } }',
        variables: { l: 99999999999 },
      },
    },
  ];

  type Body = { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
  const send = async (body: Record<string, unknown>, accept: string) => {
    const response = await post(JSON.stringify(body), { accept });
    return { status: response.status, body: (await response.json()) as Body };
  };

  for (const c of cases) {
    for (const accept of ['application/graphql-response+json', 'application/json']) {
      it(`${c.name} (${accept}): same code and status as inline, nothing executed`, async () => {
        const before = await env.sql('SELECT count(*)::int AS n FROM resource_providers');
        const inline = await send({ query: c.inline }, accept);
        const variable = await send(c.viaVariable, accept);
        expect(inline.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
        expect(variable.body.errors?.map((e) => e.extensions?.code)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
        expect(variable.status).toBe(inline.status);
        expect(variable.body.data).toBeUndefined();
        expect(await env.sql('SELECT count(*)::int AS n FROM resource_providers')).toEqual(before);
      });
    }
  }
});

describe('gateway whose database is unreachable', () => {
  // A real gateway on a database that does not exist: every pool checkout fails with a
  // PostgreSQL error. No stubs: this is what a gateway sees when its database is gone.
  let broken: Database;
  let brokenServer: Server;
  let brokenBase: string;
  const missing = `placement_missing_${randomBytes(6).toString('hex')}`;

  beforeAll(async () => {
    const url = new URL(inject('adminUrl'));
    url.pathname = `/${missing}`;
    broken = openDatabase(url.toString(), 2);
    ({ server: brokenServer, base: brokenBase } = await listen(createGateway(broken, createLogger('silent'))));
  });
  afterAll(async () => {
    await close(brokenServer);
    await broken?.close();
  });

  it('GET /health stays 200 (liveness does not depend on the database)', async () => {
    expect((await fetch(`${brokenBase}/health`)).status).toBe(200);
  });

  it('GET /ready → 503', async () => {
    expect((await fetch(`${brokenBase}/ready`)).status).toBe(503);
  });

  it('a GraphQL request cannot even be authenticated: a masked 500, no database message', async () => {
    const response = await fetch(`${brokenBase}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(TEST_ADMIN_TOKEN) },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    const text = await response.text();
    expect([response.status, text]).toEqual([500, expect.stringContaining('Unexpected error.')]);
    expect(text).not.toContain(missing);
  });
});

describe('gateway whose tables are gone', () => {
  // A real gateway on a database that lost its placement tables (but not its tokens): resolvers
  // fail with a PostgreSQL error that must not reach the client.
  let gone: TestEnv;
  let goneServer: Server;
  let brokenBase: string;
  const missing = 'resource_providers';

  beforeAll(async () => {
    gone = await createTestEnv(2);
    await gone.sql('DROP TABLE resource_providers, traits CASCADE');
    ({ server: goneServer, base: brokenBase } = await listen(gone.gateway));
  });
  afterAll(async () => {
    await close(goneServer);
    await gone?.close();
  });

  it('an internal error in a resolver is masked: no database message, no stack, in the response', async () => {
    const response = await fetch(`${brokenBase}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        ...bearer(TEST_ADMIN_TOKEN),
      },
      body: JSON.stringify({ query: '{ resourceProviders(first: 1) { totalCount } }' }),
    });
    const text = await response.text();
    const body = JSON.parse(text) as {
      data?: unknown;
      errors: { message: string; extensions?: Record<string, unknown> }[];
    };
    expect(body.errors.length).toBeGreaterThan(0);
    expect(body.errors[0]!.message).toBe('Unexpected error.');
    // The real cause (database "<name>" does not exist) must not reach the client.
    expect(text).not.toContain(missing);
    expect(text).not.toMatch(/does not exist|ECONNREFUSED|stack|at .*\.(ts|js):\d+/);
  });

  it('a mutation failing on an internal error is masked too, not reported as a typed Error', async () => {
    const response = await fetch(`${brokenBase}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        ...bearer(TEST_ADMIN_TOKEN),
      },
      body: JSON.stringify({
        query: 'mutation { createTrait(input: {name: "CUSTOM_MASKED"}) { __typename ... on Error { code message } } }',
      }),
    });
    const text = await response.text();
    const body = JSON.parse(text) as { data?: Record<string, unknown> | null; errors?: { message: string }[] };
    expect(body.errors?.[0]?.message).toBe('Unexpected error.');
    expect(text).not.toContain(missing);
    expect(text).not.toMatch(/does not exist/);
  });
});
