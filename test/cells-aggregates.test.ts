import { randomUUID } from 'node:crypto';
import type { ExecutionResult } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transactionStats } from '../src/placement/transactions.js';
import { createProvider, ERROR_FIELDS, setInventories, snapshot } from './support/fixtures.js';
import { createTestEnv, type TestEnv } from './support/harness.js';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => env?.close());

const dashless = (uuid: string) => uuid.replace(/-/g, '');
const sortedUuids = (...uuids: string[]) => [...uuids].sort();

const CREATE_CELL = `mutation($input: CreateCellInput!) { createCell(input: $input) { ${ERROR_FIELDS} ... on CellPayload { cell { id uuid name providerCount createdAt } } } }`;
const DELETE_CELL = `mutation($input: DeleteCellInput!) { deleteCell(input: $input) { ${ERROR_FIELDS} ... on DeletedUuidPayload { deletedUuid } } }`;
const CREATE_AGG = `mutation($input: CreateAggregateInput!) { createAggregate(input: $input) { ${ERROR_FIELDS} ... on AggregatePayload { aggregate { id uuid name providerCount } } } }`;
const DELETE_AGG = `mutation($input: DeleteAggregateInput!) { deleteAggregate(input: $input) { ${ERROR_FIELDS} ... on DeletedUuidPayload { deletedUuid } } }`;
const SET_AGGS = `mutation($input: SetProviderAggregatesInput!) { setProviderAggregates(input: $input) {
  ${ERROR_FIELDS} ... on ResourceProviderPayload { resourceProvider { uuid generation aggregates { uuid name } } } } }`;
const SET_TRAITS = `mutation($input: SetProviderTraitsInput!) { setProviderTraits(input: $input) {
  ${ERROR_FIELDS} ... on ResourceProviderPayload { resourceProvider { generation } } } }`;

interface Named {
  id: string;
  uuid: string;
  name: string;
  providerCount: number;
}

/**
 * What these tests read from a write's answer: a CellPayload, AggregatePayload or
 * ResourceProviderPayload, or a typed error (its other fields, from ERROR_FIELDS, compared whole).
 */
interface Payload {
  __typename: string;
  message: string;
  cell: Named;
  aggregate: Omit<Named, 'name'> & { name: string | null };
  resourceProvider: { uuid: string; generation: number; aggregates: { uuid: string; name: string | null }[] };
  [field: string]: unknown;
}

/** A page of providers as LIST selects it. */
interface ProviderPage {
  resourceProviders: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null; startCursor: string | null };
    edges: { node: { name: string } }[];
  };
}

async function mutate(e: TestEnv, query: string, field: string, input: Record<string, unknown>): Promise<Payload> {
  const result = await e.gql<Record<string, Payload>>(query, { input });
  expect(result.errors).toBeUndefined();
  return result.data![field] as Payload;
}

async function rejected(
  query: string,
  field: string,
  input: Record<string, unknown>,
  expected: Record<string, unknown>,
): Promise<Payload> {
  const before = await snapshot(env);
  const payload = await mutate(env, query, field, input);
  expect(payload).toMatchObject(expected);
  expect(payload.message).toEqual(expect.any(String));
  expect(await snapshot(env)).toEqual(before);
  return payload;
}

async function createCell(
  e: TestEnv,
  input: Record<string, unknown>,
): Promise<{ id: string; uuid: string; name: string; providerCount: number }> {
  const payload = await mutate(e, CREATE_CELL, 'createCell', input);
  expect(payload.__typename, JSON.stringify(payload)).toBe('CellPayload');
  return payload.cell;
}

async function createAggregate(
  e: TestEnv,
  input: Record<string, unknown>,
): Promise<{ id: string; uuid: string; name: string | null; providerCount: number }> {
  const payload = await mutate(e, CREATE_AGG, 'createAggregate', input);
  expect(payload.__typename, JSON.stringify(payload)).toBe('AggregatePayload');
  return payload.aggregate;
}

async function setAggregates(
  e: TestEnv,
  providerUuid: string,
  generation: number,
  aggregates: string[],
): Promise<{ uuid: string; generation: number; aggregates: { uuid: string; name: string | null }[] }> {
  const payload = await mutate(e, SET_AGGS, 'setProviderAggregates', { providerUuid, generation, aggregates });
  expect(payload.__typename, JSON.stringify(payload)).toBe('ResourceProviderPayload');
  return payload.resourceProvider;
}

async function setTraits(e: TestEnv, providerUuid: string, generation: number, traits: string[]): Promise<number> {
  const payload = await mutate(e, SET_TRAITS, 'setProviderTraits', { providerUuid, generation, traits });
  expect(payload.__typename, JSON.stringify(payload)).toBe('ResourceProviderPayload');
  return payload.resourceProvider.generation;
}

describe('cells', () => {
  it('creates a cell with a generated or given uuid (stored lower-case dashed) and lists cells by name with totalCount', async () => {
    const generated = await createCell(env, { name: 'cell-b' });
    expect(generated.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(generated).toMatchObject({ name: 'cell-b', providerCount: 0 });
    const uuid = randomUUID();
    const given = await createCell(env, { name: 'cell-a', uuid: dashless(uuid).toUpperCase() });
    expect(given.uuid).toBe(uuid);
    const unicode = await createCell(env, { name: '🚀'.repeat(255) });
    expect(unicode.name).toBe('🚀'.repeat(255));

    const result = await env.gql<{ cells: { pageInfo: { endCursor: string | null } } }>(
      `{ cells(first: 2) { totalCount pageInfo { hasNextPage endCursor } edges { node { uuid name } } } }`,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.cells).toMatchObject({
      totalCount: 3,
      pageInfo: { hasNextPage: true },
      edges: [{ node: { uuid, name: 'cell-a' } }, { node: { name: 'cell-b' } }],
    });
    const rest = await env.gql<{ cells: unknown }>(
      `query($after: String) { cells(first: 2, after: $after) { totalCount pageInfo { hasNextPage } edges { node { name } } } }`,
      {
        after: result.data!.cells.pageInfo.endCursor,
      },
    );
    expect(rest.data!.cells).toEqual({
      totalCount: 3,
      pageInfo: { hasNextPage: false },
      edges: [{ node: { name: '🚀'.repeat(255) } }],
    });
  });

  it('rejects an empty or over-long name, a malformed uuid and duplicates (uuid also dashless)', async () => {
    const existing = await createCell(env, { name: 'cell-dup' });
    await rejected(
      CREATE_CELL,
      'createCell',
      { name: '' },
      { __typename: 'InvalidInput', code: 'INVALID_INPUT', field: 'name', rule: 'minLength:1' },
    );
    await rejected(
      CREATE_CELL,
      'createCell',
      { name: 'c'.repeat(256) },
      { __typename: 'InvalidInput', code: 'INVALID_INPUT', field: 'name', rule: 'maxLength:255' },
    );
    await rejected(
      CREATE_CELL,
      'createCell',
      { name: 'cell-bad-uuid', uuid: 'cell-1' },
      { __typename: 'InvalidInput', code: 'INVALID_INPUT', field: 'uuid', rule: 'uuid' },
    );
    await rejected(
      CREATE_CELL,
      'createCell',
      { name: 'cell-dup' },
      {
        __typename: 'AlreadyExists',
        code: 'ALREADY_EXISTS',
        resourceType: 'Cell',
        field: 'name',
        value: 'cell-dup',
      },
    );
    for (const form of [existing.uuid, dashless(existing.uuid).toUpperCase()]) {
      await rejected(
        CREATE_CELL,
        'createCell',
        { name: 'cell-dup-2', uuid: form },
        {
          __typename: 'AlreadyExists',
          code: 'ALREADY_EXISTS',
          resourceType: 'Cell',
          field: 'uuid',
          value: existing.uuid,
        },
      );
    }
  });

  it('counts its providers, refuses deletion while any provider is in it, and deletes once empty', async () => {
    const cell = await createCell(env, { name: 'cell-busy' });
    const root = await createProvider(env, { name: 'cell-busy-root', cellUuid: cell.uuid });
    const child = await createProvider(env, { name: 'cell-busy-child', parentProviderUuid: root.uuid });
    const count = await env.gql<{ node: unknown }>(
      `query($id: ID!) { node(id: $id) { ... on Cell { providerCount } } }`,
      { id: cell.id },
    );
    expect(count.data?.node).toEqual({ providerCount: 2 });
    await rejected(
      DELETE_CELL,
      'deleteCell',
      { uuid: cell.uuid },
      {
        __typename: 'InUse',
        code: 'IN_USE',
        resourceType: 'Cell',
        identifier: cell.uuid,
        reason: expect.any(String),
      },
    );
    // moving the tree out empties the cell
    const moved = await mutate(
      env,
      `mutation($input: UpdateResourceProviderInput!) { updateResourceProvider(input: $input) { __typename } }`,
      'updateResourceProvider',
      {
        uuid: root.uuid,
        cellUuid: null,
      },
    );
    expect(moved.__typename).toBe('ResourceProviderPayload');
    expect(
      await env.sql(
        'SELECT count(*)::int AS n FROM resource_providers WHERE uuid = ANY($1::uuid[]) AND cell_id IS NULL',
        [[root.uuid, child.uuid]],
      ),
    ).toEqual([{ n: 2 }]);
    expect(await mutate(env, DELETE_CELL, 'deleteCell', { uuid: dashless(cell.uuid) })).toEqual({
      __typename: 'DeletedUuidPayload',
      deletedUuid: cell.uuid,
    });
    expect(await env.sql('SELECT count(*)::int AS n FROM cells WHERE uuid = $1', [cell.uuid])).toEqual([{ n: 0 }]);
  });

  it('rejects deleting an unknown cell or a malformed uuid', async () => {
    const ghost = randomUUID();
    await rejected(
      DELETE_CELL,
      'deleteCell',
      { uuid: ghost },
      { __typename: 'NotFound', code: 'NOT_FOUND', resourceType: 'Cell', identifier: ghost, field: 'uuid' },
    );
    await rejected(
      DELETE_CELL,
      'deleteCell',
      { uuid: 'ghost' },
      { __typename: 'InvalidInput', code: 'INVALID_INPUT', field: 'uuid', rule: 'uuid' },
    );
  });
});

describe('aggregates', () => {
  it('creates aggregates and lists them ordered by uuid with totalCount', async () => {
    const a = await createAggregate(env, { name: 'agg-one' });
    const given = randomUUID();
    const b = await createAggregate(env, { name: 'agg-two', uuid: dashless(given) });
    expect(b).toMatchObject({ uuid: given, name: 'agg-two', providerCount: 0 });
    const result = await env.gql<{ aggregates: { totalCount: number; edges: { node: { uuid: string } }[] } }>(
      `{ aggregates(first: 100) { totalCount edges { node { uuid name } } } }`,
    );
    expect(result.errors).toBeUndefined();
    const uuids = result.data!.aggregates.edges.map((e) => e.node.uuid);
    expect(uuids).toEqual(expect.arrayContaining([a.uuid, given]));
    expect(uuids).toEqual([...uuids].sort());
    expect(result.data!.aggregates.totalCount).toBe(uuids.length);
    const db = await env.sql('SELECT count(*)::int AS n FROM aggregates');
    expect(db).toEqual([{ n: uuids.length }]);
  });

  it('rejects an empty or over-long name, a malformed uuid and duplicates', async () => {
    const existing = await createAggregate(env, { name: 'agg-dup' });
    await rejected(
      CREATE_AGG,
      'createAggregate',
      { name: '' },
      { __typename: 'InvalidInput', code: 'INVALID_INPUT', field: 'name', rule: 'minLength:1' },
    );
    await rejected(
      CREATE_AGG,
      'createAggregate',
      { name: 'a'.repeat(256) },
      { __typename: 'InvalidInput', code: 'INVALID_INPUT', field: 'name', rule: 'maxLength:255' },
    );
    await rejected(
      CREATE_AGG,
      'createAggregate',
      { name: 'agg-x', uuid: '123' },
      { __typename: 'InvalidInput', code: 'INVALID_INPUT', field: 'uuid', rule: 'uuid' },
    );
    await rejected(
      CREATE_AGG,
      'createAggregate',
      { name: 'agg-dup' },
      {
        __typename: 'AlreadyExists',
        code: 'ALREADY_EXISTS',
        resourceType: 'Aggregate',
        field: 'name',
        value: 'agg-dup',
      },
    );
    await rejected(
      CREATE_AGG,
      'createAggregate',
      { name: 'agg-dup-2', uuid: existing.uuid.toUpperCase() },
      {
        __typename: 'AlreadyExists',
        code: 'ALREADY_EXISTS',
        resourceType: 'Aggregate',
        field: 'uuid',
        value: existing.uuid,
      },
    );
  });

  it('refuses deleting an aggregate with members; deletes it once empty; rejects unknown and malformed uuids', async () => {
    const agg = await createAggregate(env, { name: 'agg-busy' });
    const rp = await createProvider(env, { name: 'agg-busy-member' });
    const set = await setAggregates(env, rp.uuid, rp.generation, [agg.uuid]);
    expect(set.aggregates).toEqual([{ uuid: agg.uuid, name: 'agg-busy' }]);
    const count = await env.gql<{ node: unknown }>(
      `query($id: ID!) { node(id: $id) { ... on Aggregate { providerCount } } }`,
      {
        id: agg.id,
      },
    );
    expect(count.data?.node).toEqual({ providerCount: 1 });
    await rejected(
      DELETE_AGG,
      'deleteAggregate',
      { uuid: agg.uuid },
      {
        __typename: 'InUse',
        code: 'IN_USE',
        resourceType: 'Aggregate',
        identifier: agg.uuid,
        reason: expect.any(String),
      },
    );
    await setAggregates(env, rp.uuid, set.generation, []);
    expect(await mutate(env, DELETE_AGG, 'deleteAggregate', { uuid: agg.uuid })).toEqual({
      __typename: 'DeletedUuidPayload',
      deletedUuid: agg.uuid,
    });
    const ghost = randomUUID();
    await rejected(
      DELETE_AGG,
      'deleteAggregate',
      { uuid: ghost },
      { __typename: 'NotFound', code: 'NOT_FOUND', resourceType: 'Aggregate', identifier: ghost, field: 'uuid' },
    );
    await rejected(
      DELETE_AGG,
      'deleteAggregate',
      { uuid: 'x' },
      { __typename: 'InvalidInput', code: 'INVALID_INPUT', field: 'uuid', rule: 'uuid' },
    );
  });
});

describe('setProviderAggregates', () => {
  it('replaces the set (creating unknown aggregates), de-duplicates forms of one uuid, sorts by uuid and bumps the generation by exactly 1', async () => {
    const named = await createAggregate(env, { name: 'spa-named' });
    const rp = await createProvider(env, { name: 'spa-host' });
    const fresh1 = randomUUID();
    const fresh2 = randomUUID();
    const first = await setAggregates(env, rp.uuid, 0, [fresh1, named.uuid, dashless(fresh1).toUpperCase(), fresh2]);
    expect(first.generation).toBe(1);
    expect(first.aggregates.map((a) => a.uuid)).toEqual(sortedUuids(fresh1, fresh2, named.uuid));
    expect(first.aggregates.find((a) => a.uuid === fresh1)?.name).toBeNull();
    expect(first.aggregates.find((a) => a.uuid === named.uuid)?.name).toBe('spa-named');
    expect(
      await env.sql('SELECT count(*)::int AS n FROM aggregates WHERE uuid = ANY($1::uuid[])', [[fresh1, fresh2]]),
    ).toEqual([{ n: 2 }]);

    const second = await setAggregates(env, dashless(rp.uuid), 1, [fresh2]);
    expect(second).toEqual({ uuid: rp.uuid, generation: 2, aggregates: [{ uuid: fresh2, name: null }] });
    // the aggregates it left are kept (only the links go)
    expect(
      await env.sql('SELECT count(*)::int AS n FROM aggregates WHERE uuid = ANY($1::uuid[])', [[fresh1, named.uuid]]),
    ).toEqual([{ n: 2 }]);
    const cleared = await setAggregates(env, rp.uuid, 2, []);
    expect(cleared).toEqual({ uuid: rp.uuid, generation: 3, aggregates: [] });
  });

  it('rejects a stale generation with expected and actual', async () => {
    const rp = await createProvider(env, { name: 'spa-stale' });
    await setAggregates(env, rp.uuid, 0, [randomUUID()]);
    for (const generation of [0, 7]) {
      await rejected(
        SET_AGGS,
        'setProviderAggregates',
        { providerUuid: rp.uuid, generation, aggregates: [randomUUID()] },
        {
          __typename: 'GenerationConflict',
          code: 'GENERATION_CONFLICT',
          providerUuid: rp.uuid,
          expected: generation,
          actual: 1,
        },
      );
    }
  });

  it('rejects a malformed aggregate uuid with its field path, and a malformed or unknown provider', async () => {
    const rp = await createProvider(env, { name: 'spa-bad' });
    for (const bad of ['not-a-uuid', '', `${randomUUID()}-0`]) {
      await rejected(
        SET_AGGS,
        'setProviderAggregates',
        { providerUuid: rp.uuid, generation: 0, aggregates: [randomUUID(), bad] },
        {
          __typename: 'InvalidInput',
          code: 'INVALID_INPUT',
          field: 'aggregates[1]',
          rule: 'uuid',
        },
      );
    }
    await rejected(
      SET_AGGS,
      'setProviderAggregates',
      { providerUuid: 'nope', generation: 0, aggregates: [] },
      {
        __typename: 'InvalidInput',
        code: 'INVALID_INPUT',
        field: 'providerUuid',
        rule: 'uuid',
      },
    );
    await rejected(
      SET_AGGS,
      'setProviderAggregates',
      { providerUuid: rp.uuid, generation: -3, aggregates: [] },
      {
        __typename: 'InvalidInput',
        code: 'INVALID_INPUT',
        field: 'generation',
        rule: 'min:0',
      },
    );
    const ghost = randomUUID();
    await rejected(
      SET_AGGS,
      'setProviderAggregates',
      { providerUuid: ghost, generation: 0, aggregates: [randomUUID()] },
      {
        __typename: 'NotFound',
        code: 'NOT_FOUND',
        resourceType: 'ResourceProvider',
        identifier: ghost,
        field: 'providerUuid',
      },
    );
  });
});

describe('resourceProviders filters', () => {
  // A database of its own, so every filter result can be asserted exactly.
  let fenv: TestEnv;
  const uuid: Record<string, string> = {};
  let cellA: string;
  let cellB: string;
  const g1 = randomUUID();
  const g2 = randomUUID();
  const g3 = randomUUID();

  beforeAll(async () => {
    fenv = await createTestEnv();
    cellA = (await createCell(fenv, { name: 'cell-A' })).uuid;
    cellB = (await createCell(fenv, { name: 'cell-B' })).uuid;
    for (const name of ['CUSTOM_FAST', 'CUSTOM_GPU']) {
      const created = await fenv.gql<{ createTrait: { __typename: string } }>(
        `mutation($input: CreateTraitInput!) { createTrait(input: $input) { __typename } }`,
        { input: { name } },
      );
      expect(created.data?.createTrait.__typename).toBe('TraitPayload');
    }
    const spec: {
      name: string;
      parent?: string;
      cell?: string;
      inventories?: Record<string, unknown>[];
      traits?: string[];
      aggregates?: string[];
    }[] = [
      {
        name: 'hostA',
        cell: cellA,
        inventories: [
          { resourceClass: 'VCPU', total: 8 },
          { resourceClass: 'MEMORY_MB', total: 4096, minUnit: 256, maxUnit: 2048, stepSize: 256 },
        ],
        traits: ['CUSTOM_FAST'],
        aggregates: [g1],
      },
      {
        name: 'hostA-numa0',
        parent: 'hostA',
        inventories: [{ resourceClass: 'VCPU', total: 4 }],
        traits: ['CUSTOM_FAST', 'CUSTOM_GPU'],
        aggregates: [g2],
      },
      { name: 'hostA-numa1', parent: 'hostA' },
      {
        name: 'hostB',
        cell: cellB,
        inventories: [{ resourceClass: 'VCPU', total: 10, reserved: 2, allocationRatio: 2 }],
        traits: ['CUSTOM_GPU'],
        aggregates: [g1, g3],
      },
      { name: 'hostC', inventories: [{ resourceClass: 'VCPU', total: 2 }], aggregates: [g2, g3] },
    ];
    for (const p of spec) {
      const created = await createProvider(fenv, {
        name: p.name,
        cellUuid: p.cell,
        parentProviderUuid: p.parent ? uuid[p.parent] : undefined,
      });
      uuid[p.name] = created.uuid;
      let generation = created.generation;
      if (p.inventories) generation = (await setInventories(fenv, created.uuid, generation, p.inventories)).generation;
      if (p.traits) generation = await setTraits(fenv, created.uuid, generation, p.traits);
      if (p.aggregates) await setAggregates(fenv, created.uuid, generation, p.aggregates);
    }
    // hostA uses 6 of its 8 VCPU
    const alloc = await fenv.gql<{ setAllocations: { __typename: string } }>(
      `mutation($input: SetAllocationsInput!) { setAllocations(input: $input) { __typename } }`,
      {
        input: {
          consumerUuid: randomUUID(),
          consumerGeneration: null,
          projectId: 'p',
          userId: 'u',
          allocations: [{ providerUuid: uuid.hostA, resources: [{ resourceClass: 'VCPU', amount: 6 }] }],
        },
      },
    );
    expect(alloc.data?.setAllocations.__typename).toBe('AllocationsPayload');
  });
  afterAll(async () => fenv?.close());

  const LIST = `query($filter: ResourceProviderFilter, $first: Int, $after: String, $last: Int, $before: String) {
    resourceProviders(filter: $filter, first: $first, after: $after, last: $last, before: $before) {
      totalCount pageInfo { hasNextPage hasPreviousPage endCursor startCursor } edges { node { name } } } }`;

  async function list(filter?: Record<string, unknown>): Promise<{ names: string[]; totalCount: number }> {
    const result = await fenv.gql<ProviderPage>(LIST, { filter });
    expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
    const connection = result.data!.resourceProviders;
    return { names: connection.edges.map((e) => e.node.name), totalCount: connection.totalCount };
  }
  const names = async (filter?: Record<string, unknown>) => {
    const { names: found, totalCount } = await list(filter);
    expect(totalCount).toBe(found.length);
    return found;
  };

  async function queryError(filter: Record<string, unknown>): Promise<Record<string, unknown>> {
    const result = await fenv.gql<ProviderPage>(LIST, { filter });
    expect(result.data?.resourceProviders ?? null).toBeNull();
    expect(result.errors?.length).toBeGreaterThan(0);
    const first = result.errors![0]!.extensions!;
    for (const error of result.errors!) expect(error.extensions).toEqual(first);
    return first;
  }

  it('without a filter lists every provider by name', async () => {
    expect(await names()).toEqual(['hostA', 'hostA-numa0', 'hostA-numa1', 'hostB', 'hostC']);
    expect(await names({})).toEqual(['hostA', 'hostA-numa0', 'hostA-numa1', 'hostB', 'hostC']);
  });

  it('name is exact; uuid takes any form', async () => {
    expect(await names({ name: 'hostA' })).toEqual(['hostA']);
    expect(await names({ name: 'host' })).toEqual([]);
    expect(await names({ uuid: dashless(uuid.hostB!).toUpperCase() })).toEqual(['hostB']);
    expect(await names({ uuid: randomUUID() })).toEqual([]);
    expect(await names({ name: 'hostA', uuid: uuid.hostB })).toEqual([]);
  });

  it('cellUuid matches the whole tree in that cell', async () => {
    expect(await names({ cellUuid: cellA })).toEqual(['hostA', 'hostA-numa0', 'hostA-numa1']);
    expect(await names({ cellUuid: dashless(cellB) })).toEqual(['hostB']);
    expect(await names({ cellUuid: randomUUID() })).toEqual([]);
  });

  it('inTree, given any member, matches every member of that tree', async () => {
    for (const member of ['hostA', 'hostA-numa0', 'hostA-numa1']) {
      expect(await names({ inTree: uuid[member] })).toEqual(['hostA', 'hostA-numa0', 'hostA-numa1']);
    }
    expect(await names({ inTree: uuid.hostC })).toEqual(['hostC']);
    expect(await names({ inTree: randomUUID() })).toEqual([]);
  });

  it('requiredTraits needs all; forbiddenTraits excludes any; together they AND', async () => {
    expect(await names({ requiredTraits: ['CUSTOM_FAST'] })).toEqual(['hostA', 'hostA-numa0']);
    expect(await names({ requiredTraits: ['CUSTOM_FAST', 'CUSTOM_GPU'] })).toEqual(['hostA-numa0']);
    expect(await names({ requiredTraits: [] })).toEqual(['hostA', 'hostA-numa0', 'hostA-numa1', 'hostB', 'hostC']);
    expect(await names({ requiredTraits: ['HW_CPU_X86_AVX2'] })).toEqual([]);
    expect(await names({ forbiddenTraits: ['CUSTOM_GPU'] })).toEqual(['hostA', 'hostA-numa1', 'hostC']);
    expect(await names({ forbiddenTraits: ['CUSTOM_FAST', 'CUSTOM_GPU'] })).toEqual(['hostA-numa1', 'hostC']);
    expect(await names({ requiredTraits: ['CUSTOM_FAST'], forbiddenTraits: ['CUSTOM_GPU'] })).toEqual(['hostA']);
    expect(await names({ requiredTraits: ['CUSTOM_GPU'], forbiddenTraits: ['CUSTOM_GPU'] })).toEqual([]);
  });

  it('memberOf: each inner list is any-of, the lists are ANDed', async () => {
    expect(await names({ memberOf: [[g1]] })).toEqual(['hostA', 'hostB']);
    expect(await names({ memberOf: [[g1, g2]] })).toEqual(['hostA', 'hostA-numa0', 'hostB', 'hostC']);
    expect(await names({ memberOf: [[g1], [g3]] })).toEqual(['hostB']);
    expect(await names({ memberOf: [[g1, dashless(g2)], [g3]] })).toEqual(['hostB', 'hostC']);
    expect(await names({ memberOf: [[g2], [g1]] })).toEqual([]);
    expect(await names({ memberOf: [[randomUUID()]] })).toEqual([]);
    expect(await names({ memberOf: [] })).toEqual(['hostA', 'hostA-numa0', 'hostA-numa1', 'hostB', 'hostC']);
  });

  it("resources applies the fit rule to each provider's own inventory: used + amount ≤ capacity", async () => {
    // hostA: VCPU 6 of 8 used; numa0: 0 of 4; hostB: capacity (10 − 2) × 2 = 16; hostC: 0 of 2
    expect(await names({ resources: [{ resourceClass: 'VCPU', amount: 1 }] })).toEqual([
      'hostA',
      'hostA-numa0',
      'hostB',
      'hostC',
    ]);
    expect(await names({ resources: [{ resourceClass: 'VCPU', amount: 2 }] })).toEqual([
      'hostA',
      'hostA-numa0',
      'hostB',
      'hostC',
    ]);
    expect(await names({ resources: [{ resourceClass: 'VCPU', amount: 3 }] })).toEqual(['hostA-numa0', 'hostB']);
    expect(await names({ resources: [{ resourceClass: 'VCPU', amount: 16 }] })).toEqual(['hostB']);
    expect(await names({ resources: [{ resourceClass: 'VCPU', amount: 17 }] })).toEqual([]);
    expect(await names({ resources: [{ resourceClass: 'DISK_GB', amount: 1 }] })).toEqual([]);
  });

  it('resources applies minUnit, maxUnit and stepSize', async () => {
    // hostA MEMORY_MB: minUnit 256, maxUnit 2048, stepSize 256
    const mem = (amount: number) => names({ resources: [{ resourceClass: 'MEMORY_MB', amount }] });
    expect(await mem(256)).toEqual(['hostA']);
    expect(await mem(2048)).toEqual(['hostA']);
    expect(await mem(128)).toEqual([]); // below minUnit
    expect(await mem(300)).toEqual([]); // not a multiple of stepSize
    expect(await mem(2304)).toEqual([]); // above maxUnit, though within capacity
  });

  it('resources needs every listed class to fit, and combines with the other filters', async () => {
    expect(
      await names({
        resources: [
          { resourceClass: 'VCPU', amount: 2 },
          { resourceClass: 'MEMORY_MB', amount: 512 },
        ],
      }),
    ).toEqual(['hostA']);
    expect(
      await names({
        resources: [
          { resourceClass: 'VCPU', amount: 3 },
          { resourceClass: 'MEMORY_MB', amount: 512 },
        ],
      }),
    ).toEqual([]);
    expect(
      await names({
        cellUuid: cellA,
        requiredTraits: ['CUSTOM_FAST'],
        resources: [{ resourceClass: 'VCPU', amount: 3 }],
      }),
    ).toEqual(['hostA-numa0']);
    expect(
      await names({
        memberOf: [[g1, g2]],
        forbiddenTraits: ['CUSTOM_FAST'],
        resources: [{ resourceClass: 'VCPU', amount: 2 }],
      }),
    ).toEqual(['hostB', 'hostC']);
  });

  it('pages with first/after (and last/before); totalCount counts the whole filtered set on every page', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const result: ExecutionResult<ProviderPage> = await fenv.gql(LIST, { first: 2, after });
      expect(result.errors).toBeUndefined();
      const c = result.data!.resourceProviders;
      expect(c.totalCount).toBe(5);
      seen.push(...c.edges.map((e) => e.node.name));
      pages++;
      if (!c.pageInfo.hasNextPage) break;
      after = c.pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(['hostA', 'hostA-numa0', 'hostA-numa1', 'hostB', 'hostC']);

    const filtered = await fenv.gql<ProviderPage>(LIST, { filter: { memberOf: [[g1, g2]] }, first: 3 });
    expect(filtered.data!.resourceProviders).toMatchObject({ totalCount: 4, pageInfo: { hasNextPage: true } });
    expect(filtered.data!.resourceProviders.edges.map((e) => e.node.name)).toEqual(['hostA', 'hostA-numa0', 'hostB']);
    const next = await fenv.gql<ProviderPage>(LIST, {
      filter: { memberOf: [[g1, g2]] },
      first: 3,
      after: filtered.data!.resourceProviders.pageInfo.endCursor,
    });
    expect(next.data!.resourceProviders).toMatchObject({
      totalCount: 4,
      pageInfo: { hasNextPage: false },
      edges: [{ node: { name: 'hostC' } }],
    });

    const tail = await fenv.gql<ProviderPage>(LIST, { last: 2 });
    expect(tail.data!.resourceProviders).toMatchObject({ totalCount: 5, pageInfo: { hasPreviousPage: true } });
    expect(tail.data!.resourceProviders.edges.map((e) => e.node.name)).toEqual(['hostB', 'hostC']);
    const before = await fenv.gql<ProviderPage>(LIST, {
      last: 2,
      before: tail.data!.resourceProviders.pageInfo.startCursor,
    });
    expect(before.data!.resourceProviders.edges.map((e) => e.node.name)).toEqual(['hostA-numa0', 'hostA-numa1']);
  });

  it('an unknown trait is a query error NOT_FOUND naming the filter field', async () => {
    expect(await queryError({ requiredTraits: ['CUSTOM_FAST', 'CUSTOM_NOPE'] })).toMatchObject({
      code: 'NOT_FOUND',
      resourceType: 'Trait',
      identifier: 'CUSTOM_NOPE',
      field: 'filter.requiredTraits[1]',
    });
    expect(await queryError({ forbiddenTraits: ['CUSTOM_NOPE'] })).toMatchObject({
      code: 'NOT_FOUND',
      resourceType: 'Trait',
      identifier: 'CUSTOM_NOPE',
      field: 'filter.forbiddenTraits[0]',
    });
    expect(await queryError({ resources: [{ resourceClass: 'CUSTOM_NOPE', amount: 1 }] })).toMatchObject({
      code: 'NOT_FOUND',
      resourceType: 'ResourceClass',
      identifier: 'CUSTOM_NOPE',
      field: 'filter.resources[0].resourceClass',
    });
  });

  it('malformed filter values are query errors INVALID_INPUT naming field and rule', async () => {
    const cases: [Record<string, unknown>, string, string | RegExp][] = [
      [{ uuid: 'nope' }, 'filter.uuid', 'uuid'],
      [{ cellUuid: '123' }, 'filter.cellUuid', 'uuid'],
      [{ inTree: 'tree' }, 'filter.inTree', 'uuid'],
      [{ memberOf: [[g1, 'zz']] }, 'filter.memberOf[0][1]', 'uuid'],
      [{ memberOf: [[g1], []] }, 'filter.memberOf[1]', 'min:1'],
      [{ requiredTraits: ['custom_fast'] }, 'filter.requiredTraits[0]', /^pattern:/],
      [{ forbiddenTraits: ['CUSTOM_FAST', 'bad trait'] }, 'filter.forbiddenTraits[1]', /^pattern:/],
      [{ resources: [] }, 'filter.resources', 'min:1'],
      [{ resources: [{ resourceClass: 'VCPU', amount: 0 }] }, 'filter.resources[0].amount', 'min:1'],
      [{ resources: [{ resourceClass: 'VCPU', amount: -4 }] }, 'filter.resources[0].amount', 'min:1'],
      [{ resources: [{ resourceClass: 'VCPU', amount: 2147483648 }] }, 'filter.resources[0].amount', 'max:2147483647'],
      [{ resources: [{ resourceClass: 'vcpu', amount: 1 }] }, 'filter.resources[0].resourceClass', /^pattern:/],
    ];
    for (const [filter, field, rule] of cases) {
      const extensions = await queryError(filter);
      expect(extensions, JSON.stringify(filter)).toMatchObject({ code: 'INVALID_INPUT', field });
      if (typeof rule === 'string') expect(extensions.rule).toBe(rule);
      else expect(extensions.rule).toMatch(rule);
    }
  });

  it('relay: nodes(ids:) resolves every node type by global id, null for ids naming nothing', async () => {
    const gid = (type: string, key: string) => Buffer.from(`${type}:${key}`).toString('base64');
    const ids = [
      gid('ResourceProvider', uuid['hostA-numa0']!),
      gid('Cell', cellB),
      gid('Aggregate', g3),
      gid('ResourceClass', 'MEMORY_MB'),
      gid('Trait', 'CUSTOM_GPU'),
      gid('Cell', randomUUID()),
      gid('Aggregate', randomUUID()),
    ];
    const result = await fenv.gql<{ nodes: unknown }>(
      `query($ids: [ID!]!) { nodes(ids: $ids) { __typename id
         ... on ResourceProvider { name } ... on Cell { name providerCount } ... on Aggregate { uuid providerCount }
         ... on ResourceClass { name } ... on Trait { name } } }`,
      { ids },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.nodes).toEqual([
      { __typename: 'ResourceProvider', id: ids[0], name: 'hostA-numa0' },
      { __typename: 'Cell', id: ids[1], name: 'cell-B', providerCount: 1 },
      { __typename: 'Aggregate', id: ids[2], uuid: g3, providerCount: 2 },
      { __typename: 'ResourceClass', id: ids[3], name: 'MEMORY_MB' },
      { __typename: 'Trait', id: ids[4], name: 'CUSTOM_GPU' },
      null,
      null,
    ]);
    const cell = await fenv.gql(`query($id: ID!) { node(id: $id) { __typename ... on Cell { uuid name } } }`, {
      id: gid('Cell', cellA),
    });
    expect(cell).toEqual({ data: { node: { __typename: 'Cell', uuid: cellA, name: 'cell-A' } } });
    // ids read back from the connection resolve to the same providers
    const listed = await fenv.gql<{ resourceProviders: { edges: { node: { id: string } }[] } }>(
      `{ resourceProviders(filter: {name: "hostC"}) { edges { node { id } } } }`,
    );
    const id = listed.data!.resourceProviders.edges[0]!.node.id;
    const node = await fenv.gql<{ node: unknown }>(
      `query($id: ID!) { node(id: $id) { ... on ResourceProvider { uuid } } }`,
      {
        id,
      },
    );
    expect(node.data?.node).toEqual({ uuid: uuid.hostC });
  });
});

describe('setProviderAggregates racing on the same new aggregates', () => {
  it('12 providers naming the same 5 unknown aggregates at once: all succeed, each aggregate is created once', async () => {
    const aggregates = Array.from({ length: 5 }, () => randomUUID());
    const providers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => createProvider(env, { name: `agg-race-${i}-${randomUUID().slice(0, 8)}` })),
    );
    const retriedBefore = transactionStats.retried;
    const written = await Promise.all(
      providers.map((p) => setAggregates(env, p.uuid, p.generation, shuffledCopy(aggregates))),
    );
    // they wait for each other's inserts, in one order: no deadlock to retry
    expect(transactionStats.retried - retriedBefore).toBe(0);
    for (const provider of written) {
      expect(provider.aggregates.map((a) => a.uuid).sort()).toEqual(sortedUuids(...aggregates));
    }
    const rows = await env.sql<{ uuid: string; members: number }>(
      `SELECT a.uuid, count(pa.provider_id)::int AS members FROM aggregates a
         LEFT JOIN provider_aggregates pa ON pa.aggregate_id = a.id WHERE a.uuid = ANY($1::uuid[]) GROUP BY a.uuid`,
      [aggregates],
    );
    expect(rows.map((r) => r.members)).toEqual([12, 12, 12, 12, 12]);
  });
});

function shuffledCopy<T>(list: T[]): T[] {
  return list
    .map((item) => ({ item, key: Math.random() }))
    .sort((a, b) => a.key - b.key)
    .map((e) => e.item);
}
