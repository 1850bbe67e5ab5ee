import { randomUUID } from 'node:crypto';
import type { ExecutionResult } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProvider, ERROR_FIELDS, hostWith, snapshot } from './support/fixtures.js';
import { createTestEnv, type TestEnv } from './support/harness.js';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => env?.close());

// The fixed list of PLACEMENT-SEMANTICS.md, in its order; written out here as an independent oracle.
const STANDARD_CLASSES = [
  'VCPU',
  'MEMORY_MB',
  'DISK_GB',
  'PCI_DEVICE',
  'SRIOV_NET_VF',
  'NUMA_SOCKET',
  'NUMA_CORE',
  'NUMA_THREAD',
  'NUMA_MEMORY_MB',
  'IPV4_ADDRESS',
  'VGPU',
  'VGPU_DISPLAY_HEAD',
  'NET_BW_EGR_KILOBIT_PER_SEC',
  'NET_BW_IGR_KILOBIT_PER_SEC',
  'PCPU',
  'MEM_ENCRYPTION_CONTEXT',
  'FPGA',
  'PGPU',
  'NET_PACKET_RATE_KILOPACKET_PER_SEC',
  'NET_PACKET_RATE_EGR_KILOPACKET_PER_SEC',
  'NET_PACKET_RATE_IGR_KILOPACKET_PER_SEC',
];
const NAMED_STANDARD_TRAITS = [
  'HW_CPU_X86_AVX2',
  'HW_CPU_X86_SSE',
  'STORAGE_DISK_SSD',
  'STORAGE_DISK_HDD',
  'COMPUTE_VOLUME_MULTI_ATTACH',
  'HW_NIC_SRIOV',
  'MISC_SHARES_VIA_AGGREGATE',
  'COMPUTE_STATUS_DISABLED',
];

const CUSTOM_PATTERN_RULE = /^pattern:\/?\^CUSTOM_\[A-Z0-9_\]\+\$\/?$/;
const NAME_PATTERN_RULE = /^pattern:\/?\^\[A-Z0-9_\]\+\$\/?$/;

type Kind = 'ResourceClass' | 'Trait';
const ops = {
  ResourceClass: {
    create: `mutation($input: CreateResourceClassInput!) { createResourceClass(input: $input) { ${ERROR_FIELDS} ... on ResourceClassPayload { created: createdResourceClass { id name standard } } } }`,
    createField: 'createResourceClass',
    payloadType: 'ResourceClassPayload',
    delete: `mutation($input: DeleteResourceClassInput!) { deleteResourceClass(input: $input) { ${ERROR_FIELDS} ... on DeletedNamePayload { deletedName } } }`,
    deleteField: 'deleteResourceClass',
    table: 'resource_classes',
  },
  Trait: {
    create: `mutation($input: CreateTraitInput!) { createTrait(input: $input) { ${ERROR_FIELDS} ... on TraitPayload { created: trait { id name standard } } } }`,
    createField: 'createTrait',
    payloadType: 'TraitPayload',
    delete: `mutation($input: DeleteTraitInput!) { deleteTrait(input: $input) { ${ERROR_FIELDS} ... on DeletedNamePayload { deletedName } } }`,
    deleteField: 'deleteTrait',
    table: 'traits',
  },
} as const;
const KINDS: Kind[] = ['ResourceClass', 'Trait'];

/**
 * What these tests read from a write's answer: a TraitPayload or ResourceClassPayload (`created`), a
 * ResourceProviderPayload, or a typed error (its other fields, from ERROR_FIELDS, compared whole).
 */
interface Payload {
  __typename: string;
  message: string;
  created: { id: string; name: string; standard: boolean };
  resourceProvider: { uuid: string; generation: number; traits: string[] };
  [field: string]: unknown;
}

async function mutate(query: string, field: string, input: Record<string, unknown>): Promise<Payload> {
  const result = await env.gql<Record<string, Payload>>(query, { input });
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
  const payload = await mutate(query, field, input);
  expect(payload).toMatchObject(expected);
  expect(payload.message).toEqual(expect.any(String));
  expect(await snapshot(env)).toEqual(before);
  return payload;
}

// `created:` alias: ERROR_FIELDS selects CapacityExceeded.resourceClass (a String), which would clash.
async function createName(kind: Kind, name: string): Promise<{ id: string; name: string; standard: boolean }> {
  const payload = await mutate(ops[kind].create, ops[kind].createField, { name });
  expect(payload.__typename, JSON.stringify(payload)).toBe(ops[kind].payloadType);
  return payload.created;
}

async function deleteName(kind: Kind, name: string): Promise<void> {
  expect(await mutate(ops[kind].delete, ops[kind].deleteField, { name })).toEqual({
    __typename: 'DeletedNamePayload',
    deletedName: name,
  });
}

async function setTraits(providerUuid: string, generation: number, traits: string[]): Promise<Payload> {
  return mutate(
    `mutation($input: SetProviderTraitsInput!) { setProviderTraits(input: $input) {
       ${ERROR_FIELDS} ... on ResourceProviderPayload { resourceProvider { uuid generation traits } } } }`,
    'setProviderTraits',
    { providerUuid, generation, traits },
  );
}

const SET_TRAITS = `mutation($input: SetProviderTraitsInput!) { setProviderTraits(input: $input) { ${ERROR_FIELDS} ... on ResourceProviderPayload { resourceProvider { generation } } } }`;

interface NamePage {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { cursor: string; node: { name: string; standard: boolean } }[];
}

async function allNames(
  query: 'resourceClasses' | 'traits',
  filter?: Record<string, unknown>,
  pageSize = 7,
): Promise<{ names: string[]; totalCount: number }> {
  const names: string[] = [];
  let after: string | null = null;
  let totalCount = -1;
  for (;;) {
    const result: ExecutionResult<Record<typeof query, NamePage>> = await env.gql(
      `query($first: Int, $after: String${query === 'traits' ? ', $filter: TraitFilter' : ''}) {
         ${query}(first: $first, after: $after${query === 'traits' ? ', filter: $filter' : ''}) {
           totalCount pageInfo { hasNextPage endCursor } edges { cursor node { name } } } }`,
      { first: pageSize, after, ...(query === 'traits' ? { filter } : {}) },
    );
    expect(result.errors).toBeUndefined();
    const connection = result.data![query];
    if (totalCount === -1) totalCount = connection.totalCount;
    expect(connection.totalCount).toBe(totalCount);
    expect(connection.edges.length).toBeLessThanOrEqual(pageSize);
    names.push(...connection.edges.map((e) => e.node.name));
    if (!connection.pageInfo.hasNextPage) break;
    expect(connection.edges).toHaveLength(pageSize);
    after = connection.pageInfo.endCursor;
  }
  return { names, totalCount };
}

describe('the seeded standard catalogue', () => {
  it('has exactly the 21 standard resource classes, all standard, ordered by name', async () => {
    const result = await env.gql<{ resourceClasses: NamePage }>(
      `{ resourceClasses(first: 100) { totalCount edges { node { name standard } } } }`,
    );
    expect(result.errors).toBeUndefined();
    const connection = result.data!.resourceClasses;
    expect(connection.totalCount).toBe(21);
    const names = connection.edges.map((e) => e.node.name);
    expect([...names].sort()).toEqual([...STANDARD_CLASSES].sort());
    expect(connection.edges.every((e) => e.node.standard === true)).toBe(true);
    const dbOrder = (await env.sql<{ name: string }>('SELECT name FROM resource_classes ORDER BY name')).map(
      (r) => r.name,
    );
    expect(names).toEqual(dbOrder);
  });

  it('has the standard traits, including MISC_SHARES_VIA_AGGREGATE, all marked standard and none custom', async () => {
    const { names, totalCount } = await allNames('traits', undefined, 100);
    expect(names).toHaveLength(totalCount);
    expect(totalCount).toBeGreaterThanOrEqual(NAMED_STANDARD_TRAITS.length);
    expect(names).toEqual(expect.arrayContaining(NAMED_STANDARD_TRAITS));
    expect(names.some((n) => n.startsWith('CUSTOM_'))).toBe(false);
    const rows = await env.sql('SELECT count(*)::int AS n FROM traits WHERE NOT standard');
    expect(rows).toEqual([{ n: 0 }]);
  });
});

describe.each(KINDS)('%s names', (kind) => {
  const op = ops[kind];

  it('creates a custom one (standard false), lists it, and deletes it', async () => {
    const before = await allNames(kind === 'Trait' ? 'traits' : 'resourceClasses');
    const created = await createName(kind, 'CUSTOM_GOLD_1');
    expect(created).toMatchObject({ name: 'CUSTOM_GOLD_1', standard: false });
    expect(Buffer.from(created.id, 'base64').toString()).toBe(`${kind}:CUSTOM_GOLD_1`);
    const after = await allNames(kind === 'Trait' ? 'traits' : 'resourceClasses');
    expect(after.totalCount).toBe(before.totalCount + 1);
    expect(after.names).toContain('CUSTOM_GOLD_1');
    await deleteName(kind, 'CUSTOM_GOLD_1');
    const gone = await allNames(kind === 'Trait' ? 'traits' : 'resourceClasses');
    expect(gone).toEqual(before);
  });

  it('accepts a 255-character custom name and rejects 256 characters', async () => {
    const name255 = `CUSTOM_${'X'.repeat(248)}`;
    expect(name255).toHaveLength(255);
    expect(await createName(kind, name255)).toMatchObject({ name: name255, standard: false });
    await rejected(
      op.create,
      op.createField,
      { name: `${name255}Y` },
      {
        __typename: 'InvalidInput',
        code: 'INVALID_INPUT',
        field: 'name',
        rule: 'maxLength:255',
      },
    );
    // far over the limit, and not even a custom name
    await rejected(
      op.create,
      op.createField,
      { name: 'x'.repeat(1000) },
      { __typename: 'InvalidInput', code: 'INVALID_INPUT', field: 'name' },
    );
  });

  it.each([
    'custom_lower',
    'CUSTOM_lower',
    'Custom_MIXED',
    'FOO',
    'CUSTOM_',
    'CUSTOM',
    'CUSTOM-DASH',
    'CUSTOM_A-B',
    'CUSTOM_A B',
    'CUSTOM_É',
    ' CUSTOM_PADDED',
    'CUSTOM_PADDED ',
    'XCUSTOM_A',
    '',
  ])('rejects the name %j', async (name) => {
    await rejected(
      op.create,
      op.createField,
      { name },
      {
        __typename: 'InvalidInput',
        code: 'INVALID_INPUT',
        field: 'name',
        rule: expect.stringMatching(CUSTOM_PATTERN_RULE),
      },
    );
  });

  it('rejects creating a standard name', async () => {
    const standard = kind === 'Trait' ? 'HW_CPU_X86_AVX2' : 'VCPU';
    await rejected(
      op.create,
      op.createField,
      { name: standard },
      {
        __typename: 'InvalidInput',
        code: 'INVALID_INPUT',
        field: 'name',
        rule: expect.stringMatching(CUSTOM_PATTERN_RULE),
      },
    );
  });

  it('rejects a duplicate', async () => {
    await createName(kind, 'CUSTOM_TWICE');
    await rejected(
      op.create,
      op.createField,
      { name: 'CUSTOM_TWICE' },
      {
        __typename: 'AlreadyExists',
        code: 'ALREADY_EXISTS',
        resourceType: kind,
        field: 'name',
        value: 'CUSTOM_TWICE',
      },
    );
  });

  it('refuses to delete a standard one', async () => {
    const standards =
      kind === 'Trait'
        ? ['HW_CPU_X86_AVX2', 'MISC_SHARES_VIA_AGGREGATE']
        : ['VCPU', 'NET_PACKET_RATE_IGR_KILOPACKET_PER_SEC'];
    for (const name of standards) {
      await rejected(
        op.delete,
        op.deleteField,
        { name },
        {
          __typename: 'InvalidInput',
          code: 'INVALID_INPUT',
          field: 'name',
          rule: 'standard-immutable',
        },
      );
    }
  });

  it('rejects deleting an unknown or malformed name', async () => {
    await rejected(
      op.delete,
      op.deleteField,
      { name: 'CUSTOM_NEVER_MADE' },
      {
        __typename: 'NotFound',
        code: 'NOT_FOUND',
        resourceType: kind,
        identifier: 'CUSTOM_NEVER_MADE',
        field: 'name',
      },
    );
    await rejected(
      op.delete,
      op.deleteField,
      { name: 'custom_lower' },
      {
        __typename: 'InvalidInput',
        code: 'INVALID_INPUT',
        field: 'name',
        rule: expect.stringMatching(NAME_PATTERN_RULE),
      },
    );
    await rejected(
      op.delete,
      op.deleteField,
      { name: `CUSTOM_${'Z'.repeat(249)}` },
      {
        __typename: 'InvalidInput',
        code: 'INVALID_INPUT',
        field: 'name',
        rule: 'maxLength:255',
      },
    );
  });
});

describe('deleting names in use', () => {
  it('refuses to delete a custom resource class some inventory uses; allows it once the inventory is gone', async () => {
    await createName('ResourceClass', 'CUSTOM_BAREMETAL');
    const host = await hostWith(env, 'rc-in-use', { CUSTOM_BAREMETAL: 1, VCPU: 2 });
    await rejected(
      ops.ResourceClass.delete,
      'deleteResourceClass',
      { name: 'CUSTOM_BAREMETAL' },
      {
        __typename: 'InUse',
        code: 'IN_USE',
        resourceType: 'ResourceClass',
        identifier: 'CUSTOM_BAREMETAL',
        reason: expect.stringContaining('inventory'),
      },
    );
    const removed = await env.gql<{ setInventories: { __typename: string } }>(
      `mutation($input: SetInventoriesInput!) { setInventories(input: $input) { __typename } }`,
      {
        input: {
          providerUuid: host.uuid,
          generation: host.generation,
          inventories: [{ resourceClass: 'VCPU', total: 2 }],
        },
      },
    );
    expect(removed.data?.setInventories.__typename).toBe('InventoriesPayload');
    await deleteName('ResourceClass', 'CUSTOM_BAREMETAL');
  });

  it('refuses to delete a custom trait a provider carries; allows it once no provider does', async () => {
    await createName('Trait', 'CUSTOM_RACK_7');
    const rp = await createProvider(env, { name: 'trait-in-use' });
    expect((await setTraits(rp.uuid, rp.generation, ['CUSTOM_RACK_7'])).__typename).toBe('ResourceProviderPayload');
    await rejected(
      ops.Trait.delete,
      'deleteTrait',
      { name: 'CUSTOM_RACK_7' },
      {
        __typename: 'InUse',
        code: 'IN_USE',
        resourceType: 'Trait',
        identifier: 'CUSTOM_RACK_7',
        reason: expect.stringContaining('carry'),
      },
    );
    expect((await setTraits(rp.uuid, rp.generation + 1, [])).__typename).toBe('ResourceProviderPayload');
    await deleteName('Trait', 'CUSTOM_RACK_7');
  });
});

describe('traits(filter:) and the catalogue connections', () => {
  beforeAll(async () => {
    for (const name of ['CUSTOM_F_A1', 'CUSTOM_F_A2', 'CUSTOM_F_B1', 'CUSTOM_FXA3']) await createName('Trait', name);
    const rp = await createProvider(env, { name: 'trait-filter-host' });
    const set = await setTraits(rp.uuid, rp.generation, ['CUSTOM_F_A1', 'HW_CPU_X86_AVX2']);
    expect(set.__typename).toBe('ResourceProviderPayload');
  });

  it('namePrefix selects by prefix; an underscore in it matches only an underscore', async () => {
    expect(await allNames('traits', { namePrefix: 'CUSTOM_F_' })).toEqual({
      names: ['CUSTOM_F_A1', 'CUSTOM_F_A2', 'CUSTOM_F_B1'],
      totalCount: 3,
    });
    expect(await allNames('traits', { namePrefix: 'CUSTOM_F_A' })).toEqual({
      names: ['CUSTOM_F_A1', 'CUSTOM_F_A2'],
      totalCount: 2,
    });
    // `_` must not act as a LIKE wildcard: CUSTOM_FXA3 does not start with CUSTOM_F_
    expect((await allNames('traits', { namePrefix: 'CUSTOM_F' })).names).toEqual([
      'CUSTOM_FXA3',
      'CUSTOM_F_A1',
      'CUSTOM_F_A2',
      'CUSTOM_F_B1',
    ]);
    expect(await allNames('traits', { namePrefix: 'CUSTOM_NOTHING' })).toEqual({ names: [], totalCount: 0 });
    const avx = await allNames('traits', { namePrefix: 'HW_CPU_X86_AVX' });
    expect(avx.names.length).toBeGreaterThan(1);
    expect(avx.names.every((n) => n.startsWith('HW_CPU_X86_AVX'))).toBe(true);
    expect(avx.names).toContain('HW_CPU_X86_AVX2');
  });

  it('associated selects traits some provider carries (true) or none does (false); it combines with namePrefix', async () => {
    expect(await allNames('traits', { associated: true })).toEqual({
      names: ['CUSTOM_F_A1', 'HW_CPU_X86_AVX2'],
      totalCount: 2,
    });
    expect(await allNames('traits', { namePrefix: 'CUSTOM_F', associated: false })).toEqual({
      names: ['CUSTOM_FXA3', 'CUSTOM_F_A2', 'CUSTOM_F_B1'],
      totalCount: 3,
    });
    const all = await allNames('traits');
    const unassociated = await allNames('traits', { associated: false });
    expect(unassociated.totalCount).toBe(all.totalCount - 2);
    expect(unassociated.names).not.toContain('HW_CPU_X86_AVX2');
  });

  it("pages deterministically in the database's name order; pages concatenate to the whole list", async () => {
    const dbTraits = (await env.sql<{ name: string }>('SELECT name FROM traits ORDER BY name')).map((r) => r.name);
    for (const size of [1, 7, 50]) {
      const paged = await allNames('traits', undefined, size);
      expect(paged).toEqual({ names: dbTraits, totalCount: dbTraits.length });
    }
    const dbClasses = (await env.sql<{ name: string }>('SELECT name FROM resource_classes ORDER BY name')).map(
      (r) => r.name,
    );
    expect(await allNames('resourceClasses', undefined, 4)).toEqual({ names: dbClasses, totalCount: dbClasses.length });
    // a filtered connection pages and counts within the filter
    expect(await allNames('traits', { namePrefix: 'CUSTOM_F' }, 1)).toEqual({
      names: ['CUSTOM_FXA3', 'CUSTOM_F_A1', 'CUSTOM_F_A2', 'CUSTOM_F_B1'],
      totalCount: 4,
    });
  });

  it('a malformed namePrefix is a query error with code INVALID_INPUT, whether or not totalCount is selected', async () => {
    for (const selection of ['edges { node { name } }', 'totalCount', 'totalCount edges { node { name } }']) {
      const result = await env.gql(`{ traits(filter: {namePrefix: "hw_cpu"}) { ${selection} } }`);
      expect(result.errors?.length).toBeGreaterThan(0);
      for (const error of result.errors!) {
        expect(error.extensions).toMatchObject({
          code: 'INVALID_INPUT',
          field: 'filter.namePrefix',
          rule: expect.stringMatching(NAME_PATTERN_RULE),
        });
      }
    }
  });
});

describe('setProviderTraits', () => {
  it('replaces the set, sorts it, drops duplicates, and bumps the generation by exactly 1 each time', async () => {
    await createName('Trait', 'CUSTOM_SET_1');
    const rp = await createProvider(env, { name: 'set-traits' });
    const first = await setTraits(rp.uuid, 0, [
      'STORAGE_DISK_SSD',
      'CUSTOM_SET_1',
      'HW_CPU_X86_AVX2',
      'STORAGE_DISK_SSD',
    ]);
    expect(first).toEqual({
      __typename: 'ResourceProviderPayload',
      resourceProvider: {
        uuid: rp.uuid,
        generation: 1,
        traits: ['CUSTOM_SET_1', 'HW_CPU_X86_AVX2', 'STORAGE_DISK_SSD'],
      },
    });
    const second = await setTraits(rp.uuid.replace(/-/g, ''), 1, ['HW_NIC_SRIOV']);
    expect(second.resourceProvider).toEqual({ uuid: rp.uuid, generation: 2, traits: ['HW_NIC_SRIOV'] });
    const cleared = await setTraits(rp.uuid, 2, []);
    expect(cleared.resourceProvider).toEqual({ uuid: rp.uuid, generation: 3, traits: [] });
    // the same set again still counts as a write
    const same = await setTraits(rp.uuid, 3, []);
    expect(same.resourceProvider.generation).toBe(4);
  });

  it('rejects a stale generation with expected and actual', async () => {
    const rp = await createProvider(env, { name: 'set-traits-stale' });
    await setTraits(rp.uuid, 0, ['HW_CPU_X86_SSE']);
    for (const generation of [0, 2]) {
      await rejected(
        SET_TRAITS,
        'setProviderTraits',
        { providerUuid: rp.uuid, generation, traits: ['HW_CPU_X86_AVX'] },
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

  it('rejects an unknown trait with the field path of the offending entry', async () => {
    const rp = await createProvider(env, { name: 'set-traits-unknown' });
    await rejected(
      SET_TRAITS,
      'setProviderTraits',
      { providerUuid: rp.uuid, generation: 0, traits: ['HW_CPU_X86_AVX2', 'CUSTOM_NO_SUCH'] },
      {
        __typename: 'NotFound',
        code: 'NOT_FOUND',
        resourceType: 'Trait',
        identifier: 'CUSTOM_NO_SUCH',
        field: 'traits[1]',
      },
    );
    await rejected(
      SET_TRAITS,
      'setProviderTraits',
      { providerUuid: rp.uuid, generation: 0, traits: ['HW_CPU_X86_AVX2', 'HW_CPU_X86_AVX2', 'NOPE_2'] },
      {
        __typename: 'NotFound',
        code: 'NOT_FOUND',
        resourceType: 'Trait',
        identifier: 'NOPE_2',
        field: 'traits[2]',
      },
    );
  });

  it('rejects malformed names, a malformed or unknown provider uuid and a negative generation', async () => {
    const rp = await createProvider(env, { name: 'set-traits-bad' });
    await rejected(
      SET_TRAITS,
      'setProviderTraits',
      { providerUuid: rp.uuid, generation: 0, traits: ['HW_CPU_X86_AVX2', 'hw_cpu_x86_sse'] },
      {
        __typename: 'InvalidInput',
        code: 'INVALID_INPUT',
        field: 'traits[1]',
        rule: expect.stringMatching(NAME_PATTERN_RULE),
      },
    );
    await rejected(
      SET_TRAITS,
      'setProviderTraits',
      { providerUuid: rp.uuid, generation: 0, traits: [`CUSTOM_${'A'.repeat(249)}`] },
      {
        __typename: 'InvalidInput',
        code: 'INVALID_INPUT',
        field: 'traits[0]',
        rule: 'maxLength:255',
      },
    );
    await rejected(
      SET_TRAITS,
      'setProviderTraits',
      { providerUuid: 'not-a-uuid', generation: 0, traits: [] },
      {
        __typename: 'InvalidInput',
        code: 'INVALID_INPUT',
        field: 'providerUuid',
        rule: 'uuid',
      },
    );
    await rejected(
      SET_TRAITS,
      'setProviderTraits',
      { providerUuid: rp.uuid, generation: -1, traits: [] },
      {
        __typename: 'InvalidInput',
        code: 'INVALID_INPUT',
        field: 'generation',
        rule: 'min:0',
      },
    );
    const ghost = randomUUID();
    await rejected(
      SET_TRAITS,
      'setProviderTraits',
      { providerUuid: ghost, generation: 0, traits: ['HW_CPU_X86_AVX2'] },
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

describe('relay', () => {
  it('node(id:) and nodes(ids:) resolve resource classes and traits by global id; unknown ids are null', async () => {
    const created = await createName('Trait', 'CUSTOM_RELAY');
    const vcpu = Buffer.from('ResourceClass:VCPU').toString('base64');
    const one = await env.gql<{ node: unknown }>(
      `query($id: ID!) { node(id: $id) { __typename id ... on ResourceClass { name standard } } }`,
      { id: vcpu },
    );
    expect(one.errors).toBeUndefined();
    expect(one.data?.node).toEqual({ __typename: 'ResourceClass', id: vcpu, name: 'VCPU', standard: true });
    const missing = Buffer.from('Trait:CUSTOM_NOT_THERE').toString('base64');
    const many = await env.gql<{ nodes: unknown }>(
      `query($ids: [ID!]!) { nodes(ids: $ids) { __typename ... on Trait { name standard } ... on ResourceClass { name } } }`,
      {
        ids: [created.id, missing, vcpu, Buffer.from('Trait:MISC_SHARES_VIA_AGGREGATE').toString('base64')],
      },
    );
    expect(many.errors).toBeUndefined();
    expect(many.data?.nodes).toEqual([
      { __typename: 'Trait', name: 'CUSTOM_RELAY', standard: false },
      null,
      { __typename: 'ResourceClass', name: 'VCPU' },
      { __typename: 'Trait', name: 'MISC_SHARES_VIA_AGGREGATE', standard: true },
    ]);
    const none = await env.gql(`query($id: ID!) { node(id: $id) { id } }`, { id: missing });
    expect(none).toEqual({ data: { node: null } });
  });
});

describe('deleting a custom trait or class while writers start using it', () => {
  it.each([0, 1, 2, 3, 4])(
    'round %i: a delete racing setProviderTraits and setInventories either wins before every use or is refused',
    async (round) => {
      const tag = `${round}_${randomUUID().slice(0, 8).toUpperCase()}`;
      const trait = `CUSTOM_RACE_${tag}`;
      const resourceClass = `CUSTOM_RACE_${tag}`;
      for (const [mutation, name] of [
        ['createTrait', trait],
        ['createResourceClass', resourceClass],
      ] as const) {
        const created = await env.gql(`mutation { ${mutation}(input: { name: "${name}" }) { __typename } }`);
        expect(created.errors).toBeUndefined();
      }
      const hosts = await Promise.all(
        Array.from({ length: 6 }, (_, i) => createProvider(env, { name: `race-${tag}-${i}` })),
      );
      const uses = hosts.map((host, i) =>
        i % 2 === 0
          ? env.gql(
              `mutation($input: SetProviderTraitsInput!) { setProviderTraits(input: $input) { ${ERROR_FIELDS} } }`,
              { input: { providerUuid: host.uuid, generation: host.generation, traits: [trait] } },
            )
          : env.gql(`mutation($input: SetInventoriesInput!) { setInventories(input: $input) { ${ERROR_FIELDS} } }`, {
              input: {
                providerUuid: host.uuid,
                generation: host.generation,
                inventories: [{ resourceClass, total: 4 }],
              },
            }),
      );
      const deletes = [
        env.gql(`mutation { deleteTrait(input: { name: "${trait}" }) { ${ERROR_FIELDS} } }`),
        env.gql(`mutation { deleteResourceClass(input: { name: "${resourceClass}" }) { ${ERROR_FIELDS} } }`),
      ];
      const answers = await Promise.all([...uses, ...deletes]);
      for (const answer of answers) expect(answer.errors).toBeUndefined();
      const [traitDeleted, classDeleted] = answers.slice(uses.length).map((a) => Object.values(a.data!)[0].__typename);
      const useAnswers = answers.slice(0, uses.length).map((a) => Object.values(a.data!)[0].__typename);
      // A use that lost to the delete is NotFound; a delete that lost to a use is InUse.
      for (const deleted of [traitDeleted, classDeleted]) expect(['DeletedNamePayload', 'InUse']).toContain(deleted);
      for (const typename of useAnswers) {
        expect(['NotFound', 'ResourceProviderPayload', 'InventoriesPayload']).toContain(typename);
      }
      const [stored] = await env.sql<{ traitRows: number; traitUses: number; classRows: number; classUses: number }>(
        `SELECT (SELECT count(*)::int FROM traits WHERE name = $1) AS "traitRows",
                (SELECT count(*)::int FROM provider_traits pt JOIN traits t ON t.id = pt.trait_id WHERE t.name = $1) AS "traitUses",
                (SELECT count(*)::int FROM resource_classes WHERE name = $2) AS "classRows",
                (SELECT count(*)::int FROM inventories i JOIN resource_classes rc ON rc.id = i.resource_class_id WHERE rc.name = $2) AS "classUses"`,
        [trait, resourceClass],
      );
      // Deleted means nobody uses it; kept (InUse) means somebody does.
      expect(stored!.traitRows).toBe(traitDeleted === 'InUse' ? 1 : 0);
      if (traitDeleted === 'InUse') expect(stored!.traitUses).toBeGreaterThan(0);
      expect(stored!.classRows).toBe(classDeleted === 'InUse' ? 1 : 0);
      if (classDeleted === 'InUse') expect(stored!.classUses).toBeGreaterThan(0);
      expect(stored!.traitUses).toBe(
        useAnswers.filter((t, i) => i % 2 === 0 && t === 'ResourceProviderPayload').length,
      );
      expect(stored!.classUses).toBe(useAnswers.filter((t) => t === 'InventoriesPayload').length);
    },
  );
});
