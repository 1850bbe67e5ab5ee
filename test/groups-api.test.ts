import { randomUUID } from 'node:crypto';
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
  env = await createTestEnv();
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

/**
 * Two SR-IOV hosts in one cell: VCPU and memory on the host, a physical function per network
 * as a child carrying its physnet trait and the VFs; and a plain host with no VFs.
 */
interface World {
  cell: string;
  hosts: { uuid: string; pfA: string; pfB: string }[];
  plain: string;
}

async function sriovHost(cell: string, name: string): Promise<World['hosts'][number]> {
  const host = await hostWith(env, name, { VCPU: 16, MEMORY_MB: 32768 }, { cellUuid: cell });
  const pf = async (suffix: string, trait: string) => {
    const created = await createProvider(env, { name: `${name}-${suffix}`, parentProviderUuid: host.uuid });
    const { generation } = await setInventories(env, created.uuid, created.generation, [
      { resourceClass: 'SRIOV_NET_VF', total: 8 },
    ]);
    const traits = await env.gql<{ setProviderTraits: { __typename: string } }>(
      `mutation($input: SetProviderTraitsInput!) { setProviderTraits(input: $input) { ${ERROR_FIELDS} } }`,
      { input: { providerUuid: created.uuid, generation, traits: [trait] } },
    );
    expect(traits.data?.setProviderTraits.__typename).toBe('ResourceProviderPayload');
    return created.uuid;
  };
  const rootTraits = await env.gql<{ setProviderTraits: { __typename: string } }>(
    `mutation($input: SetProviderTraitsInput!) { setProviderTraits(input: $input) { ${ERROR_FIELDS} } }`,
    { input: { providerUuid: host.uuid, generation: host.generation, traits: ['CUSTOM_SRIOV_HOST'] } },
  );
  expect(rootTraits.data?.setProviderTraits.__typename).toBe('ResourceProviderPayload');
  return { uuid: host.uuid, pfA: await pf('pf-a', 'CUSTOM_PHYSNET_A'), pfB: await pf('pf-b', 'CUSTOM_PHYSNET_B') };
}

let worldPromise: Promise<World> | undefined;
/** Built once, by the first test that needs it. */
function world(): Promise<World> {
  worldPromise ??= (async () => {
    for (const name of ['CUSTOM_PHYSNET_A', 'CUSTOM_PHYSNET_B', 'CUSTOM_PHYSNET_C', 'CUSTOM_SRIOV_HOST'])
      await env.gql(`mutation { createTrait(input: { name: "${name}" }) { __typename } }`);
    const created = await env.gql<{ createCell: { cell: { uuid: string } } }>(
      'mutation { createCell(input: { name: "groups-cell" }) { ... on CellPayload { cell { uuid } } } }',
    );
    const cell = created.data!.createCell.cell.uuid;
    const first = await sriovHost(cell, 'sriov-1');
    const second = await sriovHost(cell, 'sriov-2');
    const plain = await hostWith(env, 'plain', { VCPU: 64, MEMORY_MB: 65536 }, { cellUuid: cell });
    return { cell, hosts: [first, second], plain: plain.uuid };
  })();
  return worldPromise;
}

/** A VM with one VF on each physnet, on different PFs (ISOLATE). */
const TWO_NETWORKS = {
  resources: [
    { resourceClass: 'VCPU', amount: 2 },
    { resourceClass: 'MEMORY_MB', amount: 1024 },
  ],
  groups: [
    { name: 'net-a', resources: [{ resourceClass: 'SRIOV_NET_VF', amount: 1 }], requiredTraits: ['CUSTOM_PHYSNET_A'] },
    { name: 'net-b', resources: [{ resourceClass: 'SRIOV_NET_VF', amount: 2 }], requiredTraits: ['CUSTOM_PHYSNET_B'] },
  ],
  groupPolicy: 'ISOLATE',
};

const mappingsOf = (host: World['hosts'][number]) => [
  { group: '', providerUuids: [host.uuid] },
  { group: 'net-a', providerUuids: [host.pfA] },
  { group: 'net-b', providerUuids: [host.pfB] },
];

const allocationOf = (host: World['hosts'][number]) =>
  [
    {
      providerUuid: host.uuid,
      resources: [
        { resourceClass: 'VCPU', amount: 2 },
        { resourceClass: 'MEMORY_MB', amount: 1024 },
      ],
    },
    { providerUuid: host.pfA, resources: [{ resourceClass: 'SRIOV_NET_VF', amount: 1 }] },
    { providerUuid: host.pfB, resources: [{ resourceClass: 'SRIOV_NET_VF', amount: 2 }] },
  ].sort((a, b) => a.providerUuid.localeCompare(b.providerUuid));

const byProvider = <T extends { providerUuid: string }>(parts: readonly T[]) =>
  [...parts].sort((a, b) => a.providerUuid.localeCompare(b.providerUuid));

/** The typed errors of a query's result union. */
const QUERY_ERROR_FIELDS = `__typename ... on Error { code message } ... on InvalidInput { field rule }
  ... on NotFound { resourceType identifier field }`;

const CANDIDATES = `query($request: PlacementRequest!) { allocationCandidates(request: $request) { ${QUERY_ERROR_FIELDS}
  ... on AllocationCandidates { candidates { providerUuid weight
    allocationRequest { providerUuid resources { resourceClass amount } }
    summary { group providerUuid resourceClass capacity used free }
    mappings { group providerUuids } } } } }`;

type AllocationPart = { providerUuid: string; resources: { resourceClass: string; amount: number }[] };
type Mapping = { group: string; providerUuids: string[] };
type ExplanationStep = { constraint: string; detail: string; group: string | null; eliminated: number };

interface CandidatesReply {
  allocationCandidates: {
    __typename: string;
    field?: string;
    rule?: string;
    candidates?: {
      providerUuid: string;
      weight: number;
      allocationRequest: AllocationPart[];
      summary: { group: string; providerUuid: string; resourceClass: string; capacity: number; used: number }[];
      mappings: Mapping[];
    }[];
  };
}

describe('a grouped request round-trips (1.3)', () => {
  it('allocationCandidates: the hosts with both networks, each with its mappings and a summary row per (group, class)', async () => {
    const w = await world();
    const reply = await post<CandidatesReply>(CANDIDATES, { request: TWO_NETWORKS });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    const candidates = reply.body.data!.allocationCandidates.candidates!;
    expect(candidates.map((c) => c.providerUuid).sort()).toEqual(w.hosts.map((h) => h.uuid).sort());
    for (const candidate of candidates) {
      const host = w.hosts.find((h) => h.uuid === candidate.providerUuid)!;
      expect(candidate.mappings).toEqual(mappingsOf(host));
      expect(byProvider(candidate.allocationRequest)).toEqual(allocationOf(host));
      expect(candidate.summary.map((s) => [s.group, s.resourceClass, s.providerUuid])).toEqual([
        ['', 'VCPU', host.uuid],
        ['', 'MEMORY_MB', host.uuid],
        ['net-a', 'SRIOV_NET_VF', host.pfA],
        ['net-b', 'SRIOV_NET_VF', host.pfB],
      ]);
    }
  });

  it('sameSubtree: two sibling PFs alone have no common provider among them; with the host as a resourceless anchor they do', async () => {
    const w = await world();
    const siblings = await post<CandidatesReply>(CANDIDATES, {
      request: { ...TWO_NETWORKS, sameSubtree: [['net-a', 'net-b']] },
    });
    expect(siblings.body.data?.allocationCandidates.candidates, JSON.stringify(siblings.body)).toEqual([]);
    const anchored = await post<CandidatesReply>(CANDIDATES, {
      request: {
        ...TWO_NETWORKS,
        groups: [...TWO_NETWORKS.groups, { name: 'anchor', resources: [], requiredTraits: ['CUSTOM_SRIOV_HOST'] }],
        sameSubtree: [['anchor', 'net-a', 'net-b']],
      },
    });
    const candidates = anchored.body.data!.allocationCandidates.candidates!;
    expect(candidates.map((c) => c.providerUuid).sort()).toEqual(w.hosts.map((h) => h.uuid).sort());
    for (const candidate of candidates) {
      const host = w.hosts.find((h) => h.uuid === candidate.providerUuid)!;
      expect(candidate.mappings).toEqual([...mappingsOf(host), { group: 'anchor', providerUuids: [host.uuid] }]);
    }
  });

  it('a resourceless group appears in the mappings and allocates nothing', async () => {
    const w = await world();
    const reply = await post<CandidatesReply>(CANDIDATES, {
      request: {
        resources: [{ resourceClass: 'VCPU', amount: 1 }],
        groups: [{ name: 'on-a', resources: [], requiredTraits: ['CUSTOM_PHYSNET_A'] }],
      },
    });
    const candidates = reply.body.data!.allocationCandidates.candidates!;
    expect(candidates).toHaveLength(2);
    for (const candidate of candidates) {
      const host = w.hosts.find((h) => h.uuid === candidate.providerUuid)!;
      expect(candidate.mappings).toEqual([
        { group: '', providerUuids: [host.uuid] },
        { group: 'on-a', providerUuids: [host.pfA] },
      ]);
      expect(candidate.allocationRequest).toEqual([
        { providerUuid: host.uuid, resources: [{ resourceClass: 'VCPU', amount: 1 }] },
      ]);
      expect(candidate.summary.map((s) => s.group)).toEqual(['']);
    }
  });

  it("a request without groups gets 1.2's answer, with the one mapping of its top-level group", async () => {
    const w = await world();
    const request = { resources: [{ resourceClass: 'VCPU', amount: 1 }] };
    const head = await post<CandidatesReply>(CANDIDATES, { request });
    const old = await post<CandidatesReply>(
      CANDIDATES.replace(' mappings { group providerUuids }', '').replace('summary { group ', 'summary { '),
      { request },
      '1.2',
    );
    const heads = head.body.data!.allocationCandidates.candidates!;
    expect(
      heads.map(({ mappings: _m, summary, ...rest }) => ({
        ...rest,
        summary: summary.map(({ group: _g, ...s }) => s),
      })),
    ).toEqual(old.body.data!.allocationCandidates.candidates);
    expect(heads.map((c) => c.mappings)).toEqual(heads.map((c) => [{ group: '', providerUuids: [c.providerUuid] }]));
    expect(heads.map((c) => c.providerUuid)).toContain(w.plain);
  });

  it("claim returns Selection.mappings and mapped alternates; reschedule echoes the alternate's mappings", async () => {
    const w = await world();
    const consumerUuid = randomUUID();
    const SELECTION = `consumerUuid consumerGeneration providerUuid
      allocations { providerUuid resources { resourceClass amount } }
      mappings { group providerUuids }
      alternates { providerUuid allocationRequest { providerUuid resources { resourceClass amount } } mappings { group providerUuids } }`;
    interface Selection {
      consumerUuid: string;
      consumerGeneration: number;
      providerUuid: string;
      allocations: AllocationPart[];
      mappings: Mapping[];
      alternates: { providerUuid: string; allocationRequest: AllocationPart[]; mappings: Mapping[] }[];
    }
    const claimed = await post<{ claim: { __typename: string; selections: Selection[] } }>(
      `mutation($input: ClaimInput!) { claim(input: $input) { ${ERROR_FIELDS} ... on ClaimPayload { selections { ${SELECTION} } } } }`,
      {
        input: {
          consumers: [{ consumerUuid, projectId: 'groups', userId: 'api' }],
          request: TWO_NETWORKS,
          alternates: 1,
        },
      },
    );
    expect(claimed.body.data?.claim.__typename, JSON.stringify(claimed.body)).toBe('ClaimPayload');
    const [selection] = claimed.body.data!.claim.selections;
    const host = w.hosts.find((h) => h.uuid === selection!.providerUuid)!;
    const other = w.hosts.find((h) => h !== host)!;
    expect(selection!.mappings).toEqual(mappingsOf(host));
    expect(byProvider(selection!.allocations)).toEqual(allocationOf(host));
    expect(selection!.alternates).toHaveLength(1);
    expect(selection!.alternates[0]!.mappings).toEqual(mappingsOf(other));
    // What was written: the VFs on the two PFs, VCPU and memory on the host.
    const rows = await env.sql<{ provider: string; cls: string; used: number }>(
      `SELECT p.uuid::text AS provider, rc.name AS cls, a.used::int AS used
         FROM allocations a JOIN consumers c ON c.id = a.consumer_id
         JOIN resource_providers p ON p.id = a.provider_id JOIN resource_classes rc ON rc.id = a.resource_class_id
        WHERE c.uuid = $1 ORDER BY 1, 2`,
      [consumerUuid],
    );
    expect(rows).toEqual(
      allocationOf(host)
        .flatMap((part) =>
          part.resources.map((r) => ({ provider: part.providerUuid, cls: r.resourceClass, used: r.amount })),
        )
        .sort((a, b) => a.provider.localeCompare(b.provider) || a.cls.localeCompare(b.cls)),
    );

    const alternate = selection!.alternates[0]!;
    const moved = await post<{ reschedule: { __typename: string; selection: Selection } }>(
      `mutation($input: RescheduleInput!) { reschedule(input: $input) { ${ERROR_FIELDS} ... on ReschedulePayload { selection { ${SELECTION} } } } }`,
      {
        input: {
          consumerUuid,
          consumerGeneration: selection!.consumerGeneration,
          alternates: [
            {
              providerUuid: alternate.providerUuid,
              allocations: alternate.allocationRequest.map((part) => ({
                providerUuid: part.providerUuid,
                resources: part.resources.map(({ resourceClass, amount }) => ({ resourceClass, amount })),
              })),
              mappings: alternate.mappings,
            },
          ],
        },
      },
    );
    expect(moved.body.data?.reschedule.__typename, JSON.stringify(moved.body)).toBe('ReschedulePayload');
    expect(moved.body.data!.reschedule.selection.providerUuid).toBe(other.uuid);
    expect(moved.body.data!.reschedule.selection.mappings).toEqual(mappingsOf(other));
    await assertPlacementInvariants(env);
  });

  it('explainPlacement: a step about the host has group null; a step about a group names it', async () => {
    await world();
    const explain = (request: Record<string, unknown>) =>
      post<{ explainPlacement: { steps: ExplanationStep[]; remaining: number } }>(
        `query($request: PlacementRequest!) { explainPlacement(request: $request) { ${QUERY_ERROR_FIELDS}
          ... on PlacementExplanation { remaining steps { constraint detail group eliminated } } } }`,
        { request },
      );
    const root = await explain({
      resources: [{ resourceClass: 'VCPU', amount: 1 }],
      rootRequiredTraits: ['CUSTOM_PHYSNET_C'],
    });
    expect(root.status, JSON.stringify(root.body)).toBe(200);
    expect(root.body.data!.explainPlacement.remaining).toBe(0);
    expect(root.body.data!.explainPlacement.steps[0]).toEqual({
      constraint: 'MISSING_ROOT_REQUIRED_TRAIT',
      detail: 'CUSTOM_PHYSNET_C',
      group: null,
      eliminated: 3,
    });
    const grouped = await explain({
      resources: [{ resourceClass: 'VCPU', amount: 1 }],
      groups: [
        {
          name: 'net-c',
          resources: [{ resourceClass: 'SRIOV_NET_VF', amount: 1 }],
          requiredTraits: ['CUSTOM_PHYSNET_C'],
        },
      ],
    });
    const steps = grouped.body.data!.explainPlacement.steps;
    expect(grouped.body.data!.explainPlacement.remaining).toBe(0);
    expect(steps.find((s) => s.constraint === 'GROUP_UNSATISFIED')?.group, JSON.stringify(steps)).toBe('net-c');
  });
});

describe('bad grouped requests are typed InvalidInput / NotFound naming the field, nothing written', () => {
  const group = (name: string, extra: Record<string, unknown> = {}) => ({
    name,
    resources: [{ resourceClass: 'SRIOV_NET_VF', amount: 1 }],
    ...extra,
  });
  it.each([
    [
      'two groups without a policy',
      { groups: [group('a'), group('b')] },
      'request.groupPolicy',
      'required-with-groups',
    ],
    ['a duplicate name', { groups: [group('a'), group('a')], groupPolicy: 'NONE' }, 'request.groups[1].name', 'unique'],
    [
      'an unknown name in sameSubtree',
      { groups: [group('a')], sameSubtree: [['a', 'nope']] },
      'request.sameSubtree[0][1]',
      'known-group',
    ],
    [
      'a resourceless group selecting nothing',
      { groups: [group('a', { resources: [] })] },
      'request.groups[0]',
      'resourceless-needs-trait',
    ],
    [
      'a trait both required and forbidden in a group',
      { groups: [group('a', { requiredTraits: ['CUSTOM_PHYSNET_A'], forbiddenTraits: ['CUSTOM_PHYSNET_A'] })] },
      'request.groups[0].forbiddenTraits[0]',
      'not-also-required',
    ],
  ])('%s', async (_case, extra, field, rule) => {
    await world();
    const request = { resources: [{ resourceClass: 'VCPU', amount: 1 }], ...extra };
    const before = await env.sql('SELECT count(*)::int AS n FROM allocations');
    const candidates = await post<CandidatesReply>(CANDIDATES, { request });
    expect(candidates.body.data?.allocationCandidates).toMatchObject({ __typename: 'InvalidInput', field, rule });
    const claim = await post<{ claim: { __typename: string; field?: string; rule?: string } }>(
      `mutation($input: ClaimInput!) { claim(input: $input) { ${ERROR_FIELDS} } }`,
      {
        input: {
          consumers: [{ consumerUuid: randomUUID(), projectId: 'p', userId: 'u' }],
          request,
          alternates: 0,
        },
      },
    );
    expect(claim.body.data?.claim).toMatchObject({ __typename: 'InvalidInput', field, rule });
    expect(await env.sql('SELECT count(*)::int AS n FROM allocations')).toEqual(before);
  });

  it('an unknown class inside a group is a NotFound naming its path', async () => {
    await world();
    const reply = await post<{ allocationCandidates: { __typename: string; field?: string; resourceType?: string } }>(
      CANDIDATES,
      {
        request: {
          resources: [{ resourceClass: 'VCPU', amount: 1 }],
          groups: [{ name: 'a', resources: [{ resourceClass: 'CUSTOM_NO_SUCH_CLASS', amount: 1 }] }],
        },
      },
    );
    expect(reply.body.data?.allocationCandidates).toMatchObject({
      __typename: 'NotFound',
      resourceType: 'ResourceClass',
      field: 'request.groups[0].resources[0].resourceClass',
    });
  });
});
