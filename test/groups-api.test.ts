import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryLimits } from '../src/builder.js';
import { conditionCount } from '../src/schema/cost.js';
import { VERSION_HEADER } from '../src/versions.js';
import { createProvider, ERROR_FIELDS, hostWith, setInventories } from './support/fixtures.js';
import { type HttpResult, postGraphQL } from './support/gateway-process.js';
import { createTestEnv, type TestEnv } from './support/harness.js';
import { assertPlacementInvariants } from './support/invariants.js';

/**
 * Granular request groups through the GraphQL API (1.3, docs/API-VERSIONS.md): a real gateway
 * served over node:http, serving the head version too. The engine decides (GROUPS-SPEC); these
 * tests check that requests reach it whole and that its answer comes back in the 1.3 shapes:
 * mappings on candidates, selections and alternates, the group of each summary row and
 * explanation step, typed InvalidInput naming the field path, and 1.2 refusing the new
 * fields with the version that has them.
 */

/** The version that has groups: 1.3 (the head until it is released, then a served version). */
const GROUPS_VERSION = '1.3';

let env: TestEnv;
let server: Server;
let url: string;

beforeAll(async () => {
  env = await createTestEnv({ access: { serveHead: true } });
  server = createServer((request, response) => env.gateway(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await env?.close();
});

function post<T>(query: string, variables?: Record<string, unknown>, version = GROUPS_VERSION): Promise<HttpResult<T>> {
  return postGraphQL<T>(url, query, variables, { headers: { [VERSION_HEADER]: version } });
}

/** A host with no groups-related data: enough for the refusals, which happen before any search. */
const GROUPED = {
  resources: [{ resourceClass: 'VCPU', amount: 1 }],
  groups: [{ name: 'nic', resources: [{ resourceClass: 'SRIOV_NET_VF', amount: 1 }] }],
};

describe('1.2 refuses the 1.3 fields, naming the version that has them', () => {
  const hint = (field: string, type: string) =>
    `Field "${field}" is not defined by type "${type}" in API version 1.2; \`${field}\` exists from ${GROUPS_VERSION}; send \`${VERSION_HEADER}: ${GROUPS_VERSION}\``;

  it('written inline: a validation error with the hint and availableFrom, nothing executed', async () => {
    const query = `{ allocationCandidates(request: { resources: [{ resourceClass: "VCPU", amount: 1 }],
        groups: [{ name: "nic", resources: [] }] }) { __typename } }`;
    const reply = await post(query, undefined, '1.2');
    expect(reply.status).toBe(400);
    expect(reply.headers.get(VERSION_HEADER)).toBe('1.2');
    expect(reply.body.data).toBeUndefined();
    expect(reply.body.errors).toEqual([
      {
        message: hint('groups', 'PlacementRequest'),
        locations: [{ line: 2, column: query.split('\n')[1]!.indexOf('groups') + 1 }],
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED', availableFrom: GROUPS_VERSION },
      },
    ]);
  });

  it('in the variables: the same hint for each such field, as a variable error (400)', async () => {
    const query = 'query($request: PlacementRequest!) { allocationCandidates(request: $request) { __typename } }';
    const reply = await post(query, { request: { ...GROUPED, groupPolicy: 'NONE', sameSubtree: [['nic']] } }, '1.2');
    expect(reply.status).toBe(400);
    expect(reply.body.data).toBeUndefined();
    expect(reply.body.errors?.map((e) => [e.message, e.extensions])).toEqual(
      ['groups', 'groupPolicy', 'sameSubtree'].map((field) => [
        `Variable "$request": ${hint(field, 'PlacementRequest')}`,
        { code: 'GRAPHQL_VALIDATION_FAILED', availableFrom: GROUPS_VERSION },
      ]),
    );
  });

  it('a misspelt field keeps the plain error (no version has it)', async () => {
    const query = 'query($request: PlacementRequest!) { allocationCandidates(request: $request) { __typename } }';
    const reply = await post(query, { request: { ...GROUPED, grups: [] } }, GROUPS_VERSION);
    expect(reply.status).toBe(400);
    expect(reply.body.errors).toHaveLength(1);
    expect(reply.body.errors?.[0]?.extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED' });
    expect(reply.body.errors?.[0]?.message).not.toContain('exists from');
  });

  it('the output fields too: mappings on a 1.2 candidate is a hinted validation error', async () => {
    const reply = await post(
      '{ allocationCandidates(request: { resources: [{ resourceClass: "VCPU", amount: 1 }] }) { ... on AllocationCandidates { candidates { mappings { group } } } } }',
      undefined,
      '1.2',
    );
    expect(reply.status).toBe(400);
    expect(reply.body.errors?.map((e) => e.extensions)).toEqual([
      { code: 'GRAPHQL_VALIDATION_FAILED', availableFrom: GROUPS_VERSION },
    ]);
  });
});

describe('the cost model counts groups and sameSubtree lists', () => {
  it('conditionCount: each group is one provider to find plus its lists; each sameSubtree name one check', () => {
    const plain = { resources: [{ resourceClass: 'VCPU', amount: 1 }], requiredTraits: ['A'] };
    expect(conditionCount(plain)).toBe(2);
    expect(
      conditionCount({
        ...plain,
        resources: [],
        groups: [
          {
            name: 'a',
            resources: [{ resourceClass: 'VCPU', amount: 1 }],
            requiredTraits: ['X', 'Y'],
            anyOfTraits: [['Z']],
          },
          { name: 'b', resources: [], memberOf: [['m']], forbiddenAggregates: ['f'] },
        ],
        groupPolicy: 'ISOLATE',
        sameSubtree: [['a', 'b'], ['a']],
        rootRequiredTraits: ['R'],
        rootForbiddenTraits: ['F', 'G'],
      }),
    ).toBe(1 + (1 + 4) + (1 + 2) + 1 + 3 + 1 + 2);
  });

  it('an explain with many large groups is refused by the cost limit, before any work', async () => {
    const groups = Array.from({ length: 32 }, (_, g) => ({
      name: `g${g}`,
      resources: Array.from({ length: 10 }, (_, c) => ({ resourceClass: `CUSTOM_C${c}`, amount: 1 })),
    }));
    const reply = await post(
      'query($request: PlacementRequest!) { explainPlacement(request: $request) { __typename } }',
      {
        request: { resources: [], groups, groupPolicy: 'NONE' },
      },
    );
    expect(reply.body.data).toBeNull();
    expect(reply.body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(reply.body.errors?.[0]?.extensions?.actual).toBeGreaterThan(queryLimits.complexity);
  });
});
