import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fieldAvailableFrom } from '../src/http/version-hints.js';
import { LATEST_VERSION } from '../src/versions.js';
import { hostWith } from './support/fixtures.js';
import { type GatewayProcess, postGraphQL, startGatewayProcess } from './support/gateway-process.js';
import { createTestEnv, type TestEnv } from './support/harness.js';
import { bearer, TEST_ADMIN_TOKEN } from './support/test-token.js';

/**
 * A field added in a later served version is not a typo: over HTTP, a 1.0 request that
 * selects `Inventory.utilization` (added in 1.1) is told which version has it and which
 * header to send, and the error stays a GRAPHQL_VALIDATION_FAILED.
 */

let env: TestEnv;
let gateway: GatewayProcess;

beforeAll(async () => {
  env = await createTestEnv(2);
  await hostWith(env, 'hinted-host', { VCPU: 8 });
  gateway = await startGatewayProcess({ databaseUrl: env.url });
});

afterAll(async () => {
  await gateway?.stop();
  await env?.close();
});

const UTILIZATION = '{ resourceProviders { edges { node { inventories { resourceClass utilization } } } } }';
const HINT =
  'Cannot query field "utilization" on type "Inventory" in API version 1.0; `utilization` exists from 1.1; send `Placement-API-Version: 1.1`';

describe('a field from a later version, asked of an earlier one', () => {
  it('version 1.0 over HTTP: the error names the version that has the field and the header to send', async () => {
    const reply = await postGraphQL(gateway.url, UTILIZATION, undefined, {
      headers: { 'Placement-API-Version': '1.0' },
    });
    expect(reply.status).toBe(400);
    expect(reply.headers.get('Placement-API-Version')).toBe('1.0');
    expect(reply.body.data).toBeUndefined();
    expect(reply.body.errors).toEqual([
      {
        message: HINT,
        locations: [{ line: 1, column: UTILIZATION.indexOf('utilization') + 1 }],
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED', availableFrom: '1.1' },
      },
    ]);
  });

  it('no header means 1.0, and gets the same hint', async () => {
    const reply = await postGraphQL(gateway.url, UTILIZATION);
    expect(reply.body.errors?.map((e) => e.message)).toEqual([HINT]);
  });

  it('following the hint works', async () => {
    const reply = await postGraphQL(gateway.url, UTILIZATION, undefined, {
      headers: { 'Placement-API-Version': '1.1' },
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      data: { resourceProviders: { edges: [{ node: { inventories: [{ resourceClass: 'VCPU', utilization: 0 }] } }] } },
    });
  });

  it('a field no version has keeps the plain validation error, beside a hinted one', async () => {
    const query = '{ resourceProviders { edges { node { nmae inventories { utilization } } } } }';
    const reply = await postGraphQL(gateway.url, query, undefined, { headers: { 'Placement-API-Version': '1.0' } });
    expect(reply.status).toBe(400);
    expect(reply.body.errors).toEqual([
      {
        message: 'Cannot query field "nmae" on type "ResourceProvider". Did you mean "name"?',
        locations: [{ line: 1, column: query.indexOf('nmae') + 1 }],
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      },
      {
        message: HINT,
        locations: [{ line: 1, column: query.indexOf('utilization') + 1 }],
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED', availableFrom: '1.1' },
      },
    ]);
  });

  it('with curl-like Accept: */* the hint is the same (status 200, as for any validation error there)', async () => {
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: '*/*', ...bearer(TEST_ADMIN_TOKEN) },
      body: JSON.stringify({ query: UTILIZATION }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { errors: { message: string }[] };
    expect(body.errors.map((e) => e.message)).toEqual([HINT]);
  });
});

describe('fieldAvailableFrom', () => {
  it('finds the first later served version with the field, and nothing for the latest or unknown fields', () => {
    expect(fieldAvailableFrom('1.0', 'Inventory', 'utilization')).toBe('1.1');
    expect(fieldAvailableFrom('1.0', 'Query', 'apiTokens')).toBe('1.2');
    expect(fieldAvailableFrom('1.1', 'Mutation', 'createApiToken')).toBe('1.2');
    expect(fieldAvailableFrom(LATEST_VERSION, 'Inventory', 'utilization')).toBeUndefined();
    expect(fieldAvailableFrom('1.0', 'Inventory', 'nope')).toBeUndefined();
    expect(fieldAvailableFrom('1.0', 'NoSuchType', 'utilization')).toBeUndefined();
    // Input fields too (written inline or in the variables): groups arrived in 1.3.
    expect(fieldAvailableFrom('1.2', 'PlacementRequest', 'groups')).toBe('1.3');
    expect(fieldAvailableFrom('1.0', 'AlternateInput', 'mappings')).toBe('1.3');
  });
});
