/**
 * Candidate search and explainPlacement, by example: flat hosts, trees, sharing providers,
 * weighers and tie-breaks, the random pick among the best k, every filter, the allocation
 * request fed back into setAllocations, and every bad request as a typed error.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ERROR_FIELDS, hostWith } from './support/fixtures.js';
import { createTestEnv, type TestEnv } from './support/harness.js';
import { assertPlacementInvariants } from './support/invariants.js';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
  for (const name of ['CUSTOM_GOLD', 'CUSTOM_SILVER', 'CUSTOM_BRONZE']) {
    const created = await env.gql(`mutation($input: CreateTraitInput!) { createTrait(input: $input) { __typename } }`, {
      input: { name },
    });
    expect(created.errors).toBeUndefined();
  }
});
afterAll(async () => env?.close());
afterEach(() => assertPlacementInvariants(env));
// Every test starts from an empty world (the seeded catalogue and the custom traits stay).
beforeEach(async () => {
  await env.sql(
    'TRUNCATE allocations, consumers, inventories, provider_traits, provider_aggregates, resource_providers, aggregates, cells, idempotency_keys CASCADE',
  );
});

const SHARING = 'MISC_SHARES_VIA_AGGREGATE';
const u = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const agg = (n: number) => `aaaaaaaa-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

/** The errors a query result union can hold (InvalidInput, NotFound). */
const QUERY_ERROR_FIELDS = `__typename ... on Error { code message }
  ... on InvalidInput { field rule }
  ... on NotFound { resourceType identifier field }`;
const CANDIDATE_FIELDS = `providerUuid cellUuid weight resourceProvider { name }
  allocationRequest { providerUuid resources { resourceClass amount } }
  summary { providerUuid resourceClass capacity used free }`;
const SEARCH = `query($request: PlacementRequest!, $limit: Int, $weigher: Weigher, $hostSubsetSize: Int) {
  allocationCandidates(request: $request, limit: $limit, weigher: $weigher, hostSubsetSize: $hostSubsetSize) {
    ${QUERY_ERROR_FIELDS} ... on AllocationCandidates { candidates { ${CANDIDATE_FIELDS} } } } }`;
const EXPLAIN = `query($request: PlacementRequest!) { explainPlacement(request: $request) {
  ${QUERY_ERROR_FIELDS} ... on PlacementExplanation { providersConsidered remaining steps { constraint detail eliminated } } } }`;

type Request = Record<string, unknown>;
interface Options {
  limit?: number;
  weigher?: 'SPREAD' | 'PACK';
  hostSubsetSize?: number;
}

interface Candidate {
  providerUuid: string;
  cellUuid: string | null;
  weight: number;
  resourceProvider: { name: string };
  allocationRequest: { providerUuid: string; resources: { resourceClass: string; amount: number }[] }[];
  summary: { providerUuid: string; resourceClass: string; capacity: number; used: number; free: number }[];
}

/** An AllocationCandidates, or a typed error (its other fields compared whole). */
interface SearchAnswer {
  __typename: string;
  candidates: Candidate[];
  message?: string;
  code?: string;
  [field: string]: unknown;
}

interface Explanation {
  providersConsidered: number;
  remaining: number;
  steps: { constraint: string; detail: string; eliminated: number }[];
}

/** A PlacementExplanation, or a typed error (its other fields compared whole). */
type ExplainAnswer = { __typename: string; message?: string } & Explanation;

async function searchRaw(request: Request, options: Options = {}): Promise<SearchAnswer> {
  const result = await env.gql<{ allocationCandidates: SearchAnswer }>(SEARCH, { request, ...options });
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return result.data!.allocationCandidates;
}

async function search(request: Request, options: Options = {}): Promise<Candidate[]> {
  const payload = await searchRaw(request, options);
  expect(payload.__typename, JSON.stringify(payload)).toBe('AllocationCandidates');
  return payload.candidates;
}

const uuids = (candidates: Candidate[]) => candidates.map((c) => c.providerUuid);

async function explainRaw(request: Request): Promise<ExplainAnswer> {
  const result = await env.gql<{ explainPlacement: ExplainAnswer }>(EXPLAIN, { request });
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return result.data!.explainPlacement;
}

async function explain(request: Request): Promise<Explanation> {
  const { __typename, ...explanation } = await explainRaw(request);
  expect(__typename, JSON.stringify(explanation)).toBe('PlacementExplanation');
  return explanation;
}

/** What these tests read from a write's answer: its type, and a created cell. */
interface Payload {
  __typename: string;
  cell: { uuid: string };
}

async function mutate(
  query: string,
  field: string,
  input: Record<string, unknown>,
  typename: string,
): Promise<Payload> {
  const result = await env.gql<Record<string, Payload>>(query, { input });
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  const payload = result.data![field] as Payload;
  expect(payload.__typename, JSON.stringify(payload)).toBe(typename);
  return payload;
}

async function createCell(name: string): Promise<string> {
  const payload = await mutate(
    `mutation($input: CreateCellInput!) { createCell(input: $input) { ${ERROR_FIELDS} ... on CellPayload { cell { uuid } } } }`,
    'createCell',
    { name },
    'CellPayload',
  );
  return payload.cell.uuid;
}

async function generationOf(uuid: string): Promise<number> {
  const [row] = await env.sql<{ generation: number }>('SELECT generation FROM resource_providers WHERE uuid = $1', [
    uuid,
  ]);
  return row!.generation;
}

async function setTraits(uuid: string, traits: string[]): Promise<void> {
  await mutate(
    `mutation($input: SetProviderTraitsInput!) { setProviderTraits(input: $input) { ${ERROR_FIELDS} ... on ResourceProviderPayload { resourceProvider { generation } } } }`,
    'setProviderTraits',
    { providerUuid: uuid, generation: await generationOf(uuid), traits },
    'ResourceProviderPayload',
  );
}

async function setAggregates(uuid: string, aggregates: string[]): Promise<void> {
  await mutate(
    `mutation($input: SetProviderAggregatesInput!) { setProviderAggregates(input: $input) { ${ERROR_FIELDS} ... on ResourceProviderPayload { resourceProvider { generation } } } }`,
    'setProviderAggregates',
    { providerUuid: uuid, generation: await generationOf(uuid), aggregates },
    'ResourceProviderPayload',
  );
}

let consumerCounter = 0;
const SET_ALLOCATIONS = `mutation($input: SetAllocationsInput!) { setAllocations(input: $input) {
  ${ERROR_FIELDS} ... on AllocationsPayload { consumers { consumerUuid generation } } } }`;

/** A new consumer holding `allocations` (provider → class → amount). */
async function allocate(
  allocations: { providerUuid: string; resources: { resourceClass: string; amount: number }[] }[],
): Promise<string> {
  const consumerUuid = `c0000000-0000-4000-8000-${(++consumerCounter).toString(16).padStart(12, '0')}`;
  await mutate(
    SET_ALLOCATIONS,
    'setAllocations',
    { consumerUuid, consumerGeneration: null, projectId: 'p', userId: 'u', allocations },
    'AllocationsPayload',
  );
  return consumerUuid;
}

const use = (providerUuid: string, resources: Record<string, number>) =>
  allocate([
    {
      providerUuid,
      resources: Object.entries(resources).map(([resourceClass, amount]) => ({ resourceClass, amount })),
    },
  ]);

/** A child provider with inventories. */
async function childWith(
  name: string,
  parent: string,
  inventories: Record<string, number>,
  uuid?: string,
): Promise<string> {
  return (await hostWith(env, name, inventories, { parentProviderUuid: parent, ...(uuid ? { uuid } : {}) })).uuid;
}

// -------------------------------------------------------------------------------------------

describe('flat hosts', () => {
  it('returns each fitting host with its allocation request, summary and weight (fast path: root serves every class)', async () => {
    const cell = await createCell('c1');
    const a = await hostWith(env, 'a', { VCPU: 8, MEMORY_MB: 1024 }, { uuid: u(1), cellUuid: cell });
    const b = await hostWith(
      env,
      'b',
      { VCPU: { total: 16, allocationRatio: 2 }, MEMORY_MB: { total: 2048, reserved: 1024 } },
      { uuid: u(2) },
    );
    await hostWith(env, 'too-small', { VCPU: 1, MEMORY_MB: 1024 }, { uuid: u(3) });
    await hostWith(env, 'no-memory', { VCPU: 8 }, { uuid: u(4) });
    await use(a.uuid, { VCPU: 4, MEMORY_MB: 256 });

    const found = await search({
      resources: [
        { resourceClass: 'MEMORY_MB', amount: 512 },
        { resourceClass: 'VCPU', amount: 2 },
      ],
    });
    // a: free shares 768/1024 and 4/8 → 0.625; b: 1024/1024 and 32/32 → 1
    expect(found).toEqual([
      {
        providerUuid: b.uuid,
        cellUuid: null,
        weight: 1,
        resourceProvider: { name: 'b' },
        allocationRequest: [
          {
            providerUuid: b.uuid,
            resources: [
              { resourceClass: 'MEMORY_MB', amount: 512 },
              { resourceClass: 'VCPU', amount: 2 },
            ],
          },
        ],
        summary: [
          { providerUuid: b.uuid, resourceClass: 'MEMORY_MB', capacity: 1024, used: 0, free: 1024 },
          { providerUuid: b.uuid, resourceClass: 'VCPU', capacity: 32, used: 0, free: 32 },
        ],
      },
      {
        providerUuid: a.uuid,
        cellUuid: cell,
        weight: 0.625,
        resourceProvider: { name: 'a' },
        allocationRequest: [
          {
            providerUuid: a.uuid,
            resources: [
              { resourceClass: 'MEMORY_MB', amount: 512 },
              { resourceClass: 'VCPU', amount: 2 },
            ],
          },
        ],
        summary: [
          { providerUuid: a.uuid, resourceClass: 'MEMORY_MB', capacity: 1024, used: 256, free: 768 },
          { providerUuid: a.uuid, resourceClass: 'VCPU', capacity: 8, used: 4, free: 4 },
        ],
      },
    ]);
  });

  it('applies minUnit, maxUnit and stepSize like allocation writes do', async () => {
    const unit = await hostWith(env, 'unit', { VCPU: { total: 64, minUnit: 2, maxUnit: 8, stepSize: 2 } });
    const plain = await hostWith(env, 'plain', { VCPU: 64 });
    const fitting = async (amount: number) =>
      uuids(await search({ resources: [{ resourceClass: 'VCPU', amount }] })).sort();
    expect(await fitting(1)).toEqual([plain.uuid]); // below minUnit
    expect(await fitting(3)).toEqual([plain.uuid]); // not a multiple of stepSize
    expect(await fitting(10)).toEqual([plain.uuid]); // above maxUnit
    expect(await fitting(4)).toEqual([plain.uuid, unit.uuid].sort());
    expect(await fitting(65)).toEqual([]);
  });

  it('no match is an empty list, not an error', async () => {
    await hostWith(env, 'small', { VCPU: 2 });
    expect(await search({ resources: [{ resourceClass: 'VCPU', amount: 3 }] })).toEqual([]);
    expect(await search({ resources: [{ resourceClass: 'VGPU', amount: 1 }] })).toEqual([]);
    expect(
      await search({ resources: [{ resourceClass: 'VCPU', amount: 1 }], requiredTraits: ['CUSTOM_GOLD'] }),
    ).toEqual([]);
  });

  it('an inventory with reserved = total (capacity 0) or used above a shrunk capacity never fits and does not break the search', async () => {
    const drained = await hostWith(env, 'drained', { VCPU: { total: 8, reserved: 8 }, MEMORY_MB: 100 });
    const shrunk = await hostWith(env, 'shrunk', { VCPU: 8, MEMORY_MB: 100 });
    const ok = await hostWith(env, 'ok', { VCPU: 8, MEMORY_MB: 100 });
    await use(shrunk.uuid, { VCPU: 6 });
    // shrink below usage (allowed, a warning)
    await mutate(
      `mutation($input: SetInventoriesInput!) { setInventories(input: $input) { ${ERROR_FIELDS} ... on InventoriesPayload { resourceProvider { generation } } } }`,
      'setInventories',
      {
        providerUuid: shrunk.uuid,
        generation: await generationOf(shrunk.uuid),
        inventories: [
          { resourceClass: 'VCPU', total: 4 },
          { resourceClass: 'MEMORY_MB', total: 100 },
        ],
      },
      'InventoriesPayload',
    );
    expect(uuids(await search({ resources: [{ resourceClass: 'VCPU', amount: 1 }] }))).toEqual([ok.uuid]);
    // MEMORY only: all three, the drained and shrunk hosts are fine for it
    expect(uuids(await search({ resources: [{ resourceClass: 'MEMORY_MB', amount: 1 }] })).sort()).toEqual(
      [drained.uuid, shrunk.uuid, ok.uuid].sort(),
    );
  });
});

describe('nested trees and sharing providers', () => {
  it('a child serves a class the root lacks; the allocation request names both', async () => {
    const root = await hostWith(env, 'compute', { VCPU: 8 }, { uuid: u(10) });
    const gpu = await childWith('compute-gpu', root.uuid, { VGPU: 4 }, u(11));
    await hostWith(env, 'no-gpu', { VCPU: 8 }, { uuid: u(12) });
    await use(gpu, { VGPU: 1 });

    const found = await search({
      resources: [
        { resourceClass: 'VCPU', amount: 2 },
        { resourceClass: 'VGPU', amount: 2 },
      ],
    });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      providerUuid: root.uuid,
      weight: (1 + 0.75) / 2,
      allocationRequest: [
        { providerUuid: root.uuid, resources: [{ resourceClass: 'VCPU', amount: 2 }] },
        { providerUuid: gpu, resources: [{ resourceClass: 'VGPU', amount: 2 }] },
      ],
      summary: [
        { providerUuid: root.uuid, resourceClass: 'VCPU', capacity: 8, used: 0, free: 8 },
        { providerUuid: gpu, resourceClass: 'VGPU', capacity: 4, used: 1, free: 3 },
      ],
    });
    // only roots are candidates: the child is never offered as a host of its own
    expect(uuids(await search({ resources: [{ resourceClass: 'VGPU', amount: 1 }] }))).toEqual([root.uuid]);
  });

  it('grandchildren serve too; among fitting descendants the most free share wins, then the lower uuid', async () => {
    const root = await hostWith(env, 'r', { VCPU: 8 }, { uuid: u(20) });
    const numa0 = await childWith('numa0', root.uuid, { MEMORY_MB: 100 }, u(23));
    const numa1 = await childWith('numa1', root.uuid, { MEMORY_MB: 100 }, u(22));
    const pf = await childWith('pf', numa0, { SRIOV_NET_VF: 8 }, u(24));
    const request = {
      resources: [
        { resourceClass: 'MEMORY_MB', amount: 10 },
        { resourceClass: 'SRIOV_NET_VF', amount: 1 },
      ],
    };
    let [c] = await search(request);
    // equal free share: the lower uuid (numa1)
    expect(c!.allocationRequest).toEqual([
      { providerUuid: numa1, resources: [{ resourceClass: 'MEMORY_MB', amount: 10 }] },
      { providerUuid: pf, resources: [{ resourceClass: 'SRIOV_NET_VF', amount: 1 }] },
    ]);
    await use(numa1, { MEMORY_MB: 50 });
    [c] = await search(request);
    expect(c!.summary[0]).toEqual({
      providerUuid: numa0,
      resourceClass: 'MEMORY_MB',
      capacity: 100,
      used: 0,
      free: 100,
    });
    // equal free share again (50 each): the lower uuid; then numa0 (49 free) cannot fit 50
    await use(numa0, { MEMORY_MB: 50 });
    [c] = await search({ resources: [{ resourceClass: 'MEMORY_MB', amount: 50 }] });
    expect(c!.summary[0]!.providerUuid).toBe([numa1, numa0].sort()[0]);
    await use(numa0, { MEMORY_MB: 1 });
    [c] = await search({ resources: [{ resourceClass: 'MEMORY_MB', amount: 50 }] });
    expect(c!.summary[0]!.providerUuid).toBe(numa1);
  });

  it('the root serves a class itself whenever its own inventory fits, even when a child has more free', async () => {
    const root = await hostWith(env, 'r', { VCPU: 8, MEMORY_MB: 1000 });
    const child = await childWith('r-child', root.uuid, { MEMORY_MB: 1000 });
    await use(root.uuid, { MEMORY_MB: 900 });
    let [c] = await search({
      resources: [
        { resourceClass: 'VCPU', amount: 1 },
        { resourceClass: 'MEMORY_MB', amount: 100 },
      ],
    });
    expect(c!.allocationRequest).toEqual([
      {
        providerUuid: root.uuid,
        resources: [
          { resourceClass: 'VCPU', amount: 1 },
          { resourceClass: 'MEMORY_MB', amount: 100 },
        ],
      },
    ]);
    expect(c!.weight).toBeCloseTo((1 + 0.1) / 2, 11);
    // when the root no longer fits, the child serves
    [c] = await search({
      resources: [
        { resourceClass: 'VCPU', amount: 1 },
        { resourceClass: 'MEMORY_MB', amount: 101 },
      ],
    });
    expect(c!.allocationRequest).toEqual([
      { providerUuid: root.uuid, resources: [{ resourceClass: 'VCPU', amount: 1 }] },
      { providerUuid: child, resources: [{ resourceClass: 'MEMORY_MB', amount: 101 }] },
    ]);
    expect(c!.weight).toBe(1);
  });

  it('a sharing provider serves DISK_GB to the hosts of its aggregate only, and only with the sharing trait', async () => {
    const [a1, a2, other] = [agg(1), agg(2), agg(3)];
    const h1 = await hostWith(env, 'h1', { VCPU: 8 }, { uuid: u(31) });
    const h2 = await hostWith(env, 'h2', { VCPU: 8 }, { uuid: u(32) });
    const outside = await hostWith(env, 'outside', { VCPU: 8 }, { uuid: u(33) });
    const storage = await hostWith(env, 'storage', { DISK_GB: 1000 }, { uuid: u(34) });
    const notShared = await hostWith(env, 'not-shared', { DISK_GB: 1000 }, { uuid: u(35) });
    await setAggregates(h1.uuid, [a1]);
    await setAggregates(h2.uuid, [a1, a2]);
    await setAggregates(outside.uuid, [other]);
    await setAggregates(storage.uuid, [a1]);
    await setTraits(storage.uuid, [SHARING]);
    await setAggregates(notShared.uuid, [a2]); // same aggregate as h2, but no sharing trait
    await use(storage.uuid, { DISK_GB: 250 });

    const found = await search({
      resources: [
        { resourceClass: 'VCPU', amount: 1 },
        { resourceClass: 'DISK_GB', amount: 100 },
      ],
    });
    expect(uuids(found)).toEqual([h1.uuid, h2.uuid]);
    for (const c of found) {
      expect(c.weight).toBeCloseTo((1 + 0.75) / 2, 11);
      expect(c.allocationRequest).toEqual([
        { providerUuid: c.providerUuid, resources: [{ resourceClass: 'VCPU', amount: 1 }] },
        { providerUuid: storage.uuid, resources: [{ resourceClass: 'DISK_GB', amount: 100 }] },
      ]);
      expect(c.summary[1]).toEqual({
        providerUuid: storage.uuid,
        resourceClass: 'DISK_GB',
        capacity: 1000,
        used: 250,
        free: 750,
      });
    }
    // a request for DISK_GB alone also offers the roots that own it (storage, not-shared)
    expect(uuids(await search({ resources: [{ resourceClass: 'DISK_GB', amount: 1 }] })).sort()).toEqual(
      [h1.uuid, h2.uuid, storage.uuid, notShared.uuid].sort(),
    );
    // too big for the sharing provider: nobody but the owner of a big enough disk
    expect(
      uuids(
        await search({
          resources: [
            { resourceClass: 'VCPU', amount: 1 },
            { resourceClass: 'DISK_GB', amount: 751 },
          ],
        }),
      ),
    ).toEqual([]);
  });

  it('a descendant is preferred over a sharing provider; the sharing provider with most free share (then lower uuid) wins', async () => {
    const a = agg(1);
    const host = await hostWith(env, 'host', { VCPU: 8 });
    await setAggregates(host.uuid, [a]);
    const s1 = await hostWith(env, 's1', { DISK_GB: 100 }, { uuid: u(42) });
    const s2 = await hostWith(env, 's2', { DISK_GB: 100 }, { uuid: u(41) });
    for (const s of [s1, s2]) {
      await setAggregates(s.uuid, [a]);
      await setTraits(s.uuid, [SHARING]);
    }
    const request = {
      resources: [
        { resourceClass: 'VCPU', amount: 1 },
        { resourceClass: 'DISK_GB', amount: 10 },
      ],
    };
    const diskServer = async () =>
      (await search(request)).find((c) => c.providerUuid === host.uuid)!.summary[1]!.providerUuid;
    expect(await diskServer()).toBe(s2.uuid); // tie: lower uuid
    await use(s2.uuid, { DISK_GB: 1 });
    expect(await diskServer()).toBe(s1.uuid); // more free
    const local = await childWith('host-disk', host.uuid, { DISK_GB: 20 });
    await use(local, { DISK_GB: 5 });
    expect(await diskServer()).toBe(local); // own tree first, though less free
  });
});

describe('weighers and ordering', () => {
  async function threeHosts() {
    const hosts = [];
    for (const [i, used] of [2, 6, 4].entries()) {
      const h = await hostWith(env, `w${i}`, { VCPU: 8 }, { uuid: u(50 + i) });
      await use(h.uuid, { VCPU: used });
      hosts.push(h.uuid);
    }
    return hosts; // free shares 0.75, 0.25, 0.5
  }

  it('SPREAD (the default) puts the most free first, PACK the least free first', async () => {
    const [h0, h1, h2] = await threeHosts();
    const request = { resources: [{ resourceClass: 'VCPU', amount: 1 }] };
    const spread = await search(request);
    expect(spread.map((c) => [c.providerUuid, c.weight])).toEqual([
      [h0, 0.75],
      [h2, 0.5],
      [h1, 0.25],
    ]);
    expect(uuids(await search(request, { weigher: 'SPREAD' }))).toEqual([h0, h2, h1]);
    expect((await search(request, { weigher: 'PACK' })).map((c) => [c.providerUuid, c.weight])).toEqual([
      [h1, 0.25],
      [h2, 0.5],
      [h0, 0.75],
    ]);
  });

  it('the weight is the mean free share over the requested classes only', async () => {
    const h = await hostWith(env, 'h', { VCPU: 10, MEMORY_MB: 10, DISK_GB: 10 });
    await use(h.uuid, { VCPU: 5, MEMORY_MB: 8, DISK_GB: 10 });
    expect((await search({ resources: [{ resourceClass: 'VCPU', amount: 1 }] }))[0]!.weight).toBe(0.5);
    expect(
      (
        await search({
          resources: [
            { resourceClass: 'VCPU', amount: 1 },
            { resourceClass: 'MEMORY_MB', amount: 1 },
          ],
        })
      )[0]!.weight,
    ).toBeCloseTo(0.35, 11);
  });

  it('ties break on the host uuid, for both weighers, and identical calls give identical results', async () => {
    const order = [u(0x65), u(0x61), u(0x64), u(0x62), u(0x63)];
    for (const [i, uuid] of order.entries()) await hostWith(env, `t${i}`, { VCPU: 4, MEMORY_MB: 64 }, { uuid });
    const request = {
      resources: [
        { resourceClass: 'VCPU', amount: 1 },
        { resourceClass: 'MEMORY_MB', amount: 1 },
      ],
    };
    const sorted = [...order].sort();
    const first = await search(request);
    expect(uuids(first)).toEqual(sorted);
    expect(uuids(await search(request, { weigher: 'PACK' }))).toEqual(sorted);
    for (let i = 0; i < 5; i++) expect(await search(request)).toEqual(first);
  });

  it('ties break on uuid also when trees and flat hosts have equal weights', async () => {
    const flat = await hostWith(env, 'flat', { VCPU: 4, MEMORY_MB: 64 }, { uuid: u(0x72) });
    const tree = await hostWith(env, 'tree', { VCPU: 4 }, { uuid: u(0x71) });
    await childWith('tree-mem', tree.uuid, { MEMORY_MB: 64 });
    const flat2 = await hostWith(env, 'flat2', { VCPU: 4, MEMORY_MB: 64 }, { uuid: u(0x70) });
    const request = {
      resources: [
        { resourceClass: 'VCPU', amount: 1 },
        { resourceClass: 'MEMORY_MB', amount: 1 },
      ],
    };
    expect(uuids(await search(request))).toEqual([flat2.uuid, tree.uuid, flat.uuid]);
    expect(uuids(await search(request, { weigher: 'PACK' }))).toEqual([flat2.uuid, tree.uuid, flat.uuid]);
  });

  it('mathematically equal weights are ties whatever the float rounding of the mean', async () => {
    // shares (0.1, 0.2, 0.3) and (0.3, 0.2, 0.1): the same mean, 0.2, though float sums in
    // request order differ in the last bit (0.1+0.2+0.3 ≠ 0.3+0.2+0.1 in float64)
    const classes = ['VCPU', 'MEMORY_MB', 'DISK_GB'];
    const hostOf = async (uuid: string, name: string, used: number[]) => {
      const h = await hostWith(env, name, { VCPU: 10, MEMORY_MB: 10, DISK_GB: 10 }, { uuid });
      await use(h.uuid, Object.fromEntries(classes.map((c, i) => [c, used[i]!])));
      return h.uuid;
    };
    const ascending = await hostOf(u(0x82), 'ascending', [9, 8, 7]);
    const descending = await hostOf(u(0x81), 'descending', [7, 8, 9]);
    const request = { resources: classes.map((resourceClass) => ({ resourceClass, amount: 1 })) };
    for (const weigher of ['SPREAD', 'PACK'] as const) {
      const found = await search(request, { weigher });
      for (const c of found) expect(c.weight).toBeCloseTo(0.2, 11);
      expect(uuids(found), weigher).toEqual([descending, ascending]);
    }
  });
});

describe('limit and hostSubsetSize', () => {
  async function tenHosts(): Promise<string[]> {
    const hosts: string[] = [];
    for (let i = 0; i < 10; i++) {
      const h = await hostWith(env, `k${i}`, { VCPU: 10 }, { uuid: u(0x100 + i) });
      if (i > 0) await use(h.uuid, { VCPU: i }); // k0 most free … k9 least
      hosts.push(h.uuid);
    }
    return hosts;
  }
  const request = { resources: [{ resourceClass: 'VCPU', amount: 1 }] };

  it('limit cuts the weighed list to its best n; the default is 50; limit 1000 is accepted', async () => {
    const hosts = await tenHosts();
    expect(uuids(await search(request, { limit: 3 }))).toEqual(hosts.slice(0, 3));
    expect(uuids(await search(request, { limit: 1, weigher: 'PACK' }))).toEqual([hosts[9]]);
    expect(uuids(await search(request))).toEqual(hosts);
    expect(uuids(await search(request, { limit: 1000 }))).toEqual(hosts);
  });

  it('the default limit is 50', async () => {
    for (let i = 0; i < 55; i++) await hostWith(env, `many${i}`, { VCPU: 1 });
    expect(await search(request)).toHaveLength(50);
    expect(await search(request, { limit: 1000 })).toHaveLength(55);
  });

  it('hostSubsetSize k puts one of the best k first at random and keeps the rest in order', async () => {
    const hosts = await tenHosts();
    const firsts = new Set<string>();
    for (let call = 0; call < 60 && firsts.size < 3; call++) {
      const found = uuids(await search(request, { hostSubsetSize: 3, limit: 6 }));
      expect(found).toHaveLength(6);
      const first = found[0]!;
      expect(hosts.slice(0, 3)).toContain(first);
      // the rest: the weighed list without the picked one, in order
      expect(found.slice(1)).toEqual(
        hosts
          .slice(0, 6)
          .filter((h) => h !== first)
          .slice(0, 5),
      );
      firsts.add(first);
    }
    expect(firsts.size).toBeGreaterThan(1);
    // k = 1 is the deterministic order
    for (let i = 0; i < 5; i++)
      expect(uuids(await search(request, { hostSubsetSize: 1, limit: 6 }))).toEqual(hosts.slice(0, 6));
    // k larger than the list: any of them may come first, none is lost
    const all = uuids(await search(request, { hostSubsetSize: 100, limit: 4 }));
    expect([...all].sort()).toEqual(hosts.slice(0, 4));
  });
});

describe('filters', () => {
  it('cell restricts to the hosts of that cell (children follow their root)', async () => {
    const [c1, c2] = [await createCell('cell-1'), await createCell('cell-2')];
    const in1 = await hostWith(env, 'in1', { VCPU: 4 }, { cellUuid: c1 });
    const in2 = await hostWith(env, 'in2', { VCPU: 4 }, { cellUuid: c2 });
    const nowhere = await hostWith(env, 'nowhere', { VCPU: 4 });
    const tree1 = await hostWith(env, 'tree1', {}, { cellUuid: c1 });
    await childWith('tree1-child', tree1.uuid, { VCPU: 4 });
    const request = { resources: [{ resourceClass: 'VCPU', amount: 1 }] };
    const inCell1 = await search({ ...request, cell: c1 });
    expect(uuids(inCell1).sort()).toEqual([in1.uuid, tree1.uuid].sort());
    for (const c of inCell1) expect(c.cellUuid).toBe(c1);
    expect(uuids(await search({ ...request, cell: c2.replace(/-/g, '').toUpperCase() }))).toEqual([in2.uuid]);
    expect(uuids(await search(request)).sort()).toEqual([in1.uuid, in2.uuid, nowhere.uuid, tree1.uuid].sort());
  });

  it('inTree restricts to the tree of the given provider, named by any of its members', async () => {
    const root = await hostWith(env, 'root', { VCPU: 4 });
    const child = await childWith('child', root.uuid, { MEMORY_MB: 64 });
    const grandchild = await childWith('grandchild', child, { DISK_GB: 10 });
    await hostWith(env, 'other', { VCPU: 4, MEMORY_MB: 64 });
    const request = { resources: [{ resourceClass: 'VCPU', amount: 1 }] };
    for (const member of [root.uuid, child, grandchild])
      expect(uuids(await search({ ...request, inTree: member }))).toEqual([root.uuid]);
    expect(await search({ resources: [{ resourceClass: 'VCPU', amount: 5 }], inTree: child })).toEqual([]);
  });

  it('memberOf: each inner list is any-of, the lists are ANDed; forbiddenAggregates excludes members', async () => {
    const [A, B, C] = [agg(1), agg(2), agg(3)];
    const hA = await hostWith(env, 'hA', { VCPU: 4 }, { uuid: u(0x201) });
    const hB = await hostWith(env, 'hB', { VCPU: 4 }, { uuid: u(0x202) });
    const hAB = await hostWith(env, 'hAB', { VCPU: 4 }, { uuid: u(0x203) });
    const hC = await hostWith(env, 'hC', { VCPU: 4 }, { uuid: u(0x204) });
    const hNone = await hostWith(env, 'hNone', { VCPU: 4 }, { uuid: u(0x205) });
    await setAggregates(hA.uuid, [A]);
    await setAggregates(hB.uuid, [B]);
    await setAggregates(hAB.uuid, [A, B]);
    await setAggregates(hC.uuid, [C]);
    // an aggregate on a child does not make the root a member
    const child = await childWith('hNone-child', hNone.uuid, { MEMORY_MB: 1 });
    await setAggregates(child, [A]);
    const base = { resources: [{ resourceClass: 'VCPU', amount: 1 }] };
    const found = async (extra: Request) => uuids(await search({ ...base, ...extra }));
    expect(await found({ memberOf: [[A, B]] })).toEqual([hA.uuid, hB.uuid, hAB.uuid]);
    expect(await found({ memberOf: [[A], [B]] })).toEqual([hAB.uuid]);
    expect(
      await found({
        memberOf: [
          [A, C],
          [B, C],
        ],
      }),
    ).toEqual([hAB.uuid, hC.uuid]);
    expect(await found({ memberOf: [[A.replace(/-/g, '').toUpperCase()]] })).toEqual([hA.uuid, hAB.uuid]);
    expect(await found({ memberOf: [[agg(99)]] })).toEqual([]);
    expect(await found({ forbiddenAggregates: [A] })).toEqual([hB.uuid, hC.uuid, hNone.uuid]);
    expect(await found({ forbiddenAggregates: [A, B] })).toEqual([hC.uuid, hNone.uuid]);
    expect(await found({ memberOf: [[A, B]], forbiddenAggregates: [B] })).toEqual([hA.uuid]);
    expect(await found({ forbiddenAggregates: [agg(99)] })).toHaveLength(5);
  });

  it('required, forbidden and any-of traits are checked on the host (root)', async () => {
    const gold = await hostWith(env, 'gold', { VCPU: 4 }, { uuid: u(0x301) });
    const silver = await hostWith(env, 'silver', { VCPU: 4 }, { uuid: u(0x302) });
    const both = await hostWith(env, 'both', { VCPU: 4 }, { uuid: u(0x303) });
    const bronze = await hostWith(env, 'bronze', { VCPU: 4 }, { uuid: u(0x304) });
    const plain = await hostWith(env, 'plain', { VCPU: 4 }, { uuid: u(0x305) });
    await setTraits(gold.uuid, ['CUSTOM_GOLD', 'HW_CPU_X86_AVX2']);
    await setTraits(silver.uuid, ['CUSTOM_SILVER']);
    await setTraits(both.uuid, ['CUSTOM_GOLD', 'CUSTOM_SILVER']);
    await setTraits(bronze.uuid, ['CUSTOM_BRONZE']);
    // a trait on a child does not count for its root
    const child = await childWith('plain-child', plain.uuid, { MEMORY_MB: 1 });
    await setTraits(child, ['CUSTOM_GOLD']);
    const base = { resources: [{ resourceClass: 'VCPU', amount: 1 }] };
    const found = async (extra: Request) => uuids(await search({ ...base, ...extra }));
    expect(await found({ requiredTraits: ['CUSTOM_GOLD'] })).toEqual([gold.uuid, both.uuid]);
    expect(await found({ requiredTraits: ['CUSTOM_GOLD', 'CUSTOM_SILVER'] })).toEqual([both.uuid]);
    expect(await found({ requiredTraits: ['CUSTOM_GOLD', 'HW_CPU_X86_AVX2'] })).toEqual([gold.uuid]);
    expect(await found({ forbiddenTraits: ['CUSTOM_GOLD'] })).toEqual([silver.uuid, bronze.uuid, plain.uuid]);
    expect(await found({ forbiddenTraits: ['CUSTOM_GOLD', 'CUSTOM_BRONZE'] })).toEqual([silver.uuid, plain.uuid]);
    expect(await found({ anyOfTraits: [['CUSTOM_GOLD', 'CUSTOM_BRONZE']] })).toEqual([
      gold.uuid,
      both.uuid,
      bronze.uuid,
    ]);
    expect(await found({ anyOfTraits: [['CUSTOM_GOLD'], ['CUSTOM_SILVER', 'CUSTOM_BRONZE']] })).toEqual([both.uuid]);
    expect(
      await found({ anyOfTraits: [['CUSTOM_GOLD', 'CUSTOM_SILVER']], forbiddenTraits: ['CUSTOM_SILVER'] }),
    ).toEqual([gold.uuid]);
    // a forbidden trait that no host carries forbids nothing
    expect(await found({ forbiddenTraits: ['COMPUTE_STATUS_DISABLED'] })).toHaveLength(5);
    // traits change: the search follows (the in-row trait copy is kept in step)
    await setTraits(gold.uuid, []);
    expect(await found({ requiredTraits: ['CUSTOM_GOLD'] })).toEqual([both.uuid]);
  });
});

describe('allocation request round trip', () => {
  it("feeding a candidate's allocationRequest back into setAllocations claims exactly what the summary promised", async () => {
    const a = agg(7);
    const host = await hostWith(env, 'host', { VCPU: 8 });
    const numa = await childWith('host-numa', host.uuid, { MEMORY_MB: 4096 });
    const storage = await hostWith(env, 'storage', { DISK_GB: 500 });
    await setAggregates(host.uuid, [a]);
    await setAggregates(storage.uuid, [a]);
    await setTraits(storage.uuid, [SHARING]);
    const request = {
      resources: [
        { resourceClass: 'DISK_GB', amount: 100 },
        { resourceClass: 'VCPU', amount: 2 },
        { resourceClass: 'MEMORY_MB', amount: 1024 },
      ],
    };
    const [candidate] = await search(request);
    expect(candidate!.providerUuid).toBe(host.uuid);
    expect(candidate!.allocationRequest).toEqual([
      { providerUuid: storage.uuid, resources: [{ resourceClass: 'DISK_GB', amount: 100 }] },
      { providerUuid: host.uuid, resources: [{ resourceClass: 'VCPU', amount: 2 }] },
      { providerUuid: numa, resources: [{ resourceClass: 'MEMORY_MB', amount: 1024 }] },
    ]);
    expect(candidate!.summary.map((s) => [s.providerUuid, s.resourceClass, s.capacity, s.used, s.free])).toEqual([
      [storage.uuid, 'DISK_GB', 500, 0, 500],
      [host.uuid, 'VCPU', 8, 0, 8],
      [numa, 'MEMORY_MB', 4096, 0, 4096],
    ]);
    const consumer = await allocate(candidate!.allocationRequest);
    const rows = await env.sql<{ uuid: string; name: string; used: number }>(
      `SELECT p.uuid, rc.name, a.used FROM allocations a JOIN consumers c ON c.id = a.consumer_id
         JOIN resource_providers p ON p.id = a.provider_id JOIN resource_classes rc ON rc.id = a.resource_class_id
        WHERE c.uuid = $1 ORDER BY rc.name`,
      [consumer],
    );
    expect(rows).toEqual([
      { uuid: storage.uuid, name: 'DISK_GB', used: 100 },
      { uuid: numa, name: 'MEMORY_MB', used: 1024 },
      { uuid: host.uuid, name: 'VCPU', used: 2 },
    ]);
    // the next search sees the usage
    const [after] = await search(request);
    expect(after!.summary.map((s) => s.used)).toEqual([100, 2, 1024]);
    expect(after!.summary.map((s) => s.free)).toEqual([400, 6, 3072]);
    expect(after!.weight).toBeCloseTo((0.8 + 0.75 + 0.75) / 3, 11);
  });
});

describe('bad requests are typed errors naming the field', () => {
  const vcpu = [{ resourceClass: 'VCPU', amount: 1 }];
  const cases: { name: string; request: Request; options?: Options; expected: Record<string, unknown> }[] = [
    {
      name: 'empty resources',
      request: { resources: [] },
      expected: { __typename: 'InvalidInput', field: 'request.resources', rule: 'min:1' },
    },
    {
      name: 'amount 0',
      request: { resources: [{ resourceClass: 'VCPU', amount: 0 }] },
      expected: { __typename: 'InvalidInput', field: 'request.resources[0].amount', rule: 'min:1' },
    },
    {
      name: 'negative amount',
      request: {
        resources: [
          { resourceClass: 'MEMORY_MB', amount: 1 },
          { resourceClass: 'VCPU', amount: -2 },
        ],
      },
      expected: { __typename: 'InvalidInput', field: 'request.resources[1].amount', rule: 'min:1' },
    },
    {
      name: 'unknown class',
      request: {
        resources: [
          { resourceClass: 'VCPU', amount: 1 },
          { resourceClass: 'CUSTOM_NOPE', amount: 1 },
        ],
      },
      expected: {
        __typename: 'NotFound',
        field: 'request.resources[1].resourceClass',
        resourceType: 'ResourceClass',
        identifier: 'CUSTOM_NOPE',
      },
    },
    {
      name: 'malformed class name',
      request: { resources: [{ resourceClass: 'vcpu', amount: 1 }] },
      expected: {
        __typename: 'InvalidInput',
        field: 'request.resources[0].resourceClass',
        rule: 'pattern:^[A-Z0-9_]+$',
      },
    },
    {
      name: 'class listed twice',
      request: {
        resources: [
          { resourceClass: 'VCPU', amount: 1 },
          { resourceClass: 'VCPU', amount: 2 },
        ],
      },
      expected: { __typename: 'InvalidInput', field: 'request.resources[1].resourceClass', rule: 'unique' },
    },
    {
      name: 'unknown required trait',
      request: { resources: vcpu, requiredTraits: ['CUSTOM_GOLD', 'CUSTOM_NOPE'] },
      expected: { __typename: 'NotFound', field: 'request.requiredTraits[1]', identifier: 'CUSTOM_NOPE' },
    },
    {
      name: 'unknown forbidden trait',
      request: { resources: vcpu, forbiddenTraits: ['CUSTOM_NOPE'] },
      expected: { __typename: 'NotFound', field: 'request.forbiddenTraits[0]', identifier: 'CUSTOM_NOPE' },
    },
    {
      name: 'unknown any-of trait',
      request: { resources: vcpu, anyOfTraits: [['CUSTOM_GOLD'], ['CUSTOM_SILVER', 'CUSTOM_NOPE']] },
      expected: { __typename: 'NotFound', field: 'request.anyOfTraits[1][1]', identifier: 'CUSTOM_NOPE' },
    },
    {
      name: 'empty any-of group',
      request: { resources: vcpu, anyOfTraits: [[]] },
      expected: { __typename: 'InvalidInput', field: 'request.anyOfTraits[0]' },
    },
    {
      name: 'trait both required and forbidden',
      request: {
        resources: vcpu,
        requiredTraits: ['CUSTOM_GOLD', 'CUSTOM_SILVER'],
        forbiddenTraits: ['CUSTOM_BRONZE', 'CUSTOM_SILVER'],
      },
      expected: { __typename: 'InvalidInput', field: 'request.forbiddenTraits[1]', rule: 'not-also-required' },
    },
    {
      name: 'limit 0',
      request: { resources: vcpu },
      options: { limit: 0 },
      expected: { __typename: 'InvalidInput', field: 'limit', rule: 'min:1' },
    },
    {
      name: 'negative limit',
      request: { resources: vcpu },
      options: { limit: -5 },
      expected: { __typename: 'InvalidInput', field: 'limit', rule: 'min:1' },
    },
    {
      name: 'limit above 1000',
      request: { resources: vcpu },
      options: { limit: 1001 },
      expected: { __typename: 'InvalidInput', field: 'limit', rule: 'max:1000' },
    },
    {
      name: 'hostSubsetSize 0',
      request: { resources: vcpu },
      options: { hostSubsetSize: 0 },
      expected: { __typename: 'InvalidInput', field: 'hostSubsetSize', rule: 'min:1' },
    },
    {
      name: 'non-uuid memberOf aggregate',
      request: { resources: vcpu, memberOf: [[agg(1), 'not-a-uuid']] },
      expected: { __typename: 'InvalidInput', field: 'request.memberOf[0][1]', rule: 'uuid' },
    },
    {
      name: 'empty memberOf group',
      request: { resources: vcpu, memberOf: [[]] },
      expected: { __typename: 'InvalidInput', field: 'request.memberOf[0]' },
    },
    {
      name: 'non-uuid forbidden aggregate',
      request: { resources: vcpu, forbiddenAggregates: ['1234'] },
      expected: { __typename: 'InvalidInput', field: 'request.forbiddenAggregates[0]', rule: 'uuid' },
    },
    {
      name: 'non-uuid cell',
      request: { resources: vcpu, cell: 'cell-1' },
      expected: { __typename: 'InvalidInput', field: 'request.cell', rule: 'uuid' },
    },
    {
      name: 'unknown cell',
      request: { resources: vcpu, cell: u(0xdead) },
      expected: { __typename: 'NotFound', field: 'request.cell', resourceType: 'Cell' },
    },
    {
      name: 'non-uuid inTree',
      request: { resources: vcpu, inTree: 'x' },
      expected: { __typename: 'InvalidInput', field: 'request.inTree', rule: 'uuid' },
    },
    {
      name: 'unknown inTree',
      request: { resources: vcpu, inTree: u(0xdead) },
      expected: { __typename: 'NotFound', field: 'request.inTree', resourceType: 'ResourceProvider' },
    },
  ];

  it.each(cases)('allocationCandidates: $name', async ({ request, options, expected }) => {
    await hostWith(env, 'h', { VCPU: 4 });
    const payload = await searchRaw(request, options);
    expect(payload).toMatchObject(expected);
    expect(payload.message).toEqual(expect.any(String));
    expect(payload.code).toBe(expected.__typename === 'NotFound' ? 'NOT_FOUND' : 'INVALID_INPUT');
  });

  it.each(cases.filter((c) => !c.options))('explainPlacement: $name', async ({ request, expected }) => {
    await hostWith(env, 'h', { VCPU: 4 });
    const payload = await explainRaw(request);
    expect(payload).toMatchObject(expected);
    expect(payload.message).toEqual(expect.any(String));
  });

  it('a request without resources at all is rejected by the schema', async () => {
    const result = await env.gql(`{ allocationCandidates(request: {requiredTraits: ["CUSTOM_GOLD"]}) { __typename } }`);
    expect(result.errors?.[0]?.message).toMatch(/resources/);
  });
});

describe('explainPlacement', () => {
  it('counts, constraint by constraint, the hosts each one eliminated, and what remains', async () => {
    const [good, bad] = [await createCell('good'), await createCell('bad')];
    const request = {
      resources: [
        { resourceClass: 'VCPU', amount: 4 },
        { resourceClass: 'MEMORY_MB', amount: 512 },
      ],
      requiredTraits: ['CUSTOM_GOLD'],
      cell: good,
    };
    const inv = { VCPU: 8, MEMORY_MB: 1024 };
    // 3 in the wrong cell (one of them in no cell at all)
    await hostWith(env, 'wrong1', inv, { cellUuid: bad });
    await hostWith(env, 'wrong2', inv, { cellUuid: bad });
    const noCell = await hostWith(env, 'no-cell', inv);
    await setTraits(noCell.uuid, ['CUSTOM_GOLD']);
    // 2 without the trait
    await hostWith(env, 'plain1', inv, { cellUuid: good });
    await hostWith(env, 'plain2', inv, { cellUuid: good });
    const golden = async (name: string, inventories: Record<string, number>) => {
      const h = await hostWith(env, name, inventories, { cellUuid: good });
      await setTraits(h.uuid, ['CUSTOM_GOLD']);
      return h.uuid;
    };
    // 1 without MEMORY_MB inventory anywhere in its tree
    await golden('no-memory', { VCPU: 8 });
    // 1 with too little free VCPU
    const busy = await golden('busy', inv);
    await use(busy, { VCPU: 6 });
    // 3 that fit: flat, tree, and one whose MEMORY comes from a child
    await golden('fit1', inv);
    await golden('fit2', inv);
    const tree = await golden('fit3', { VCPU: 8 });
    await childWith('fit3-memory', tree, { MEMORY_MB: 1024 });

    const explanation = await explain(request);
    expect(explanation).toEqual({
      providersConsidered: 10,
      remaining: 3,
      steps: [
        { constraint: 'WRONG_CELL', detail: 'cell', eliminated: 3 },
        { constraint: 'MISSING_REQUIRED_TRAIT', detail: 'CUSTOM_GOLD', eliminated: 2 },
        { constraint: 'NO_INVENTORY', detail: 'VCPU', eliminated: 0 },
        { constraint: 'NOT_ENOUGH_CAPACITY', detail: 'VCPU:4', eliminated: 1 },
        { constraint: 'NO_INVENTORY', detail: 'MEMORY_MB', eliminated: 1 },
        { constraint: 'NOT_ENOUGH_CAPACITY', detail: 'MEMORY_MB:512', eliminated: 0 },
      ],
    });
    // every host is accounted for exactly once
    expect(explanation.steps.reduce((sum, s) => sum + s.eliminated, 0) + explanation.remaining).toBe(
      explanation.providersConsidered,
    );
    // remaining is what an unlimited search returns
    expect(await search(request, { limit: 1000 })).toHaveLength(3);
  });

  it('reports every filter kind, in order, and sharing providers count as serving', async () => {
    const [A, B] = [agg(1), agg(2)];
    const hosts: Record<string, string> = {};
    for (const name of [
      't1',
      't2',
      'forbidden-trait',
      'no-any-of',
      'not-member',
      'forbidden-agg',
      'fits',
      'shared-disk',
    ]) {
      hosts[name] = (await hostWith(env, name, { VCPU: 4, ...(name === 'shared-disk' ? {} : { DISK_GB: 10 }) })).uuid;
    }
    const tree = await hostWith(env, 'other-tree', { VCPU: 4, DISK_GB: 10 });
    const storage = await hostWith(env, 'storage', { DISK_GB: 100 });
    await setTraits(storage.uuid, [SHARING, 'CUSTOM_GOLD']);
    await setAggregates(storage.uuid, [A]);
    for (const name of Object.keys(hosts)) {
      if (name !== 't1' && name !== 't2')
        await setTraits(
          hosts[name]!,
          name === 'forbidden-trait'
            ? ['CUSTOM_GOLD', 'CUSTOM_BRONZE']
            : name === 'no-any-of'
              ? ['CUSTOM_GOLD']
              : ['CUSTOM_GOLD', 'CUSTOM_SILVER'],
        );
      if (name === 'forbidden-agg') await setAggregates(hosts[name]!, [A, B]);
      else if (name !== 'not-member' && name !== 't1' && name !== 't2') await setAggregates(hosts[name]!, [A]);
    }
    const request = {
      resources: [
        { resourceClass: 'VCPU', amount: 1 },
        { resourceClass: 'DISK_GB', amount: 5 },
      ],
      inTree: hosts.fits,
      requiredTraits: ['CUSTOM_GOLD'],
    };
    // inTree alone: every other root is NOT_IN_TREE
    const inTree = await explain(request);
    expect(inTree.providersConsidered).toBe(10);
    expect(inTree.steps.slice(0, 2)).toEqual([
      { constraint: 'NOT_IN_TREE', detail: 'inTree', eliminated: 9 },
      { constraint: 'MISSING_REQUIRED_TRAIT', detail: 'CUSTOM_GOLD', eliminated: 0 },
    ]);
    expect(inTree.remaining).toBe(1);
    void tree;

    const full = await explain({
      resources: request.resources,
      requiredTraits: ['CUSTOM_GOLD'],
      forbiddenTraits: ['CUSTOM_BRONZE'],
      anyOfTraits: [['CUSTOM_SILVER', 'CUSTOM_GOLD'], ['CUSTOM_SILVER']],
      memberOf: [[A]],
      forbiddenAggregates: [B],
    });
    expect(full.steps.map((s) => [s.constraint, s.eliminated])).toEqual([
      ['MISSING_REQUIRED_TRAIT', 3], // t1, t2, other-tree
      ['HAS_FORBIDDEN_TRAIT', 1],
      ['NO_ANY_OF_TRAIT', 0],
      ['NO_ANY_OF_TRAIT', 2], // no-any-of, and storage itself (gold, no silver)
      ['NOT_MEMBER_OF', 1],
      ['IN_FORBIDDEN_AGGREGATE', 1],
      ['NO_INVENTORY', 0],
      ['NOT_ENOUGH_CAPACITY', 0],
      ['NO_INVENTORY', 0], // shared-disk has DISK_GB through the sharing provider
      ['NOT_ENOUGH_CAPACITY', 0],
    ]);
    expect(full.remaining).toBe(2);
    const found = await search({
      resources: request.resources,
      requiredTraits: ['CUSTOM_GOLD'],
      forbiddenTraits: ['CUSTOM_BRONZE'],
      anyOfTraits: [['CUSTOM_SILVER', 'CUSTOM_GOLD'], ['CUSTOM_SILVER']],
      memberOf: [[A]],
      forbiddenAggregates: [B],
    });
    expect(uuids(found).sort()).toEqual([hosts.fits, hosts['shared-disk']].sort());
  });

  it('with nothing in the database: zero considered, zero remaining', async () => {
    expect(await explain({ resources: [{ resourceClass: 'VCPU', amount: 1 }] })).toEqual({
      providersConsidered: 0,
      remaining: 0,
      steps: [
        { constraint: 'NO_INVENTORY', detail: 'VCPU', eliminated: 0 },
        { constraint: 'NOT_ENOUGH_CAPACITY', detail: 'VCPU:1', eliminated: 0 },
      ],
    });
  });
});
