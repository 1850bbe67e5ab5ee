import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_FIELDS, hostWith, snapshot } from './support/fixtures.js';
import { createTestEnv, type TestEnv } from './support/harness.js';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => env?.close());

const RP_FIELDS = `id uuid name generation cell { uuid } parent { uuid } root { uuid } children { uuid name }`;

const CREATE = `mutation($input: CreateResourceProviderInput!) { createResourceProvider(input: $input) {
  ${ERROR_FIELDS} ... on ResourceProviderPayload { resourceProvider { ${RP_FIELDS} } } } }`;
const UPDATE = `mutation($input: UpdateResourceProviderInput!) { updateResourceProvider(input: $input) {
  ${ERROR_FIELDS} ... on ResourceProviderPayload { resourceProvider { ${RP_FIELDS} } } } }`;
const DELETE = `mutation($input: DeleteResourceProviderInput!) { deleteResourceProvider(input: $input) {
  ${ERROR_FIELDS} ... on DeleteResourceProviderPayload { deletedUuid } } }`;
const GET = `query($uuid: String!) { resourceProvider(uuid: $uuid) { ${RP_FIELDS} } }`;

interface Provider {
  id: string;
  uuid: string;
  name: string;
  generation: number;
  cell: { uuid: string } | null;
  parent: { uuid: string } | null;
  root: { uuid: string };
  children: { uuid: string; name: string }[];
}

/**
 * What these tests read from a write's answer: a ResourceProviderPayload, or a typed error (its
 * other fields, from ERROR_FIELDS, are only compared whole).
 */
interface Payload {
  __typename: string;
  resourceProvider: Provider;
  message: string;
  [field: string]: unknown;
}

async function mutate(query: string, field: string, input: Record<string, unknown>): Promise<Payload> {
  const result = await env.gql<Record<string, Payload>>(query, { input });
  expect(result.errors).toBeUndefined();
  return result.data![field] as Payload;
}

async function create(input: Record<string, unknown>): Promise<Provider> {
  const payload = await mutate(CREATE, 'createResourceProvider', input);
  expect(payload.__typename, JSON.stringify(payload)).toBe('ResourceProviderPayload');
  return payload.resourceProvider;
}

async function update(input: Record<string, unknown>): Promise<Provider> {
  const payload = await mutate(UPDATE, 'updateResourceProvider', input);
  expect(payload.__typename, JSON.stringify(payload)).toBe('ResourceProviderPayload');
  return payload.resourceProvider;
}

async function get(uuid: string): Promise<Provider | null> {
  const result = await env.gql<{ resourceProvider: Provider | null }>(GET, { uuid });
  expect(result.errors).toBeUndefined();
  return result.data!.resourceProvider;
}

/** Runs a write that must be refused: returns the typed error and proves nothing changed. */
async function rejected(
  query: string,
  field: string,
  input: Record<string, unknown>,
  expected: Record<string, unknown>,
): Promise<Payload> {
  const before = await snapshot(env);
  const payload = await mutate(query, field, input);
  expect(payload).toMatchObject(expected);
  expect(typeof payload.message).toBe('string');
  expect(payload.message.length).toBeGreaterThan(0);
  expect(await snapshot(env)).toEqual(before);
  return payload;
}

async function createCell(name: string): Promise<string> {
  const result = await env.gql<{ createCell?: { cell?: { uuid: string } } }>(
    `mutation($input: CreateCellInput!) { createCell(input: $input) { ${ERROR_FIELDS} ... on CellPayload { cell { uuid } } } }`,
    {
      input: { name },
    },
  );
  const uuid = result.data?.createCell?.cell?.uuid;
  if (!uuid) throw new Error(`createCell failed: ${JSON.stringify(result)}`);
  return uuid;
}

async function allocate(
  consumerUuid: string,
  providerUuid: string,
  resources: Record<string, number>,
  consumerGeneration: number | null = null,
): Promise<number | null> {
  const result = await env.gql<{ setAllocations?: { consumers?: { consumerUuid: string; generation: number }[] } }>(
    `mutation($input: SetAllocationsInput!) { setAllocations(input: $input) {
       ${ERROR_FIELDS} ... on AllocationsPayload { consumers { consumerUuid generation } } } }`,
    {
      input: {
        consumerUuid,
        consumerGeneration,
        projectId: 'project-1',
        userId: 'user-1',
        allocations: [
          {
            providerUuid,
            resources: Object.entries(resources).map(([resourceClass, amount]) => ({ resourceClass, amount })),
          },
        ],
      },
    },
  );
  const consumers = result.data?.setAllocations?.consumers;
  if (!consumers) throw new Error(`setAllocations failed: ${JSON.stringify(result)}`);
  return consumers[0]!.generation;
}

const dashless = (uuid: string) => uuid.replace(/-/g, '');
let seq = 0;
const unique = (prefix: string) => `${prefix}-${++seq}`;

describe('createResourceProvider', () => {
  it('creates a root provider: generated lower-case dashed uuid, generation 0, its own root, no parent, no cell', async () => {
    const rp = await create({ name: 'root-plain' });
    expect(rp.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(rp).toMatchObject({
      name: 'root-plain',
      generation: 0,
      cell: null,
      parent: null,
      root: { uuid: rp.uuid },
      children: [],
    });
    expect(await get(rp.uuid)).toEqual(rp);
  });

  it('stores a given upper-case dashless uuid lower-case dashed; any form reads it back', async () => {
    const uuid = randomUUID();
    const rp = await create({ name: 'given-uuid', uuid: dashless(uuid).toUpperCase() });
    expect(rp.uuid).toBe(uuid);
    expect((await get(dashless(uuid)))?.uuid).toBe(uuid);
    expect((await get(uuid.toUpperCase()))?.uuid).toBe(uuid);
    const rows = await env.sql('SELECT uuid::text AS uuid FROM resource_providers WHERE name = $1', ['given-uuid']);
    expect(rows).toEqual([{ uuid }]);
  });

  it('reads null for a well-formed uuid nobody has', async () => {
    expect(await get(randomUUID())).toBeNull();
  });

  it('rejects a malformed uuid in resourceProvider(uuid:) as INVALID_INPUT on the uuid argument', async () => {
    const result = await env.gql(GET, { uuid: 'not-a-uuid' });
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]!.extensions).toMatchObject({ code: 'INVALID_INPUT', field: 'uuid', rule: 'uuid' });
  });

  it('rejects a duplicate name', async () => {
    await create({ name: 'dup-name' });
    await rejected(
      CREATE,
      'createResourceProvider',
      { name: 'dup-name' },
      {
        __typename: 'AlreadyExists',
        code: 'ALREADY_EXISTS',
        resourceType: 'ResourceProvider',
        field: 'name',
        value: 'dup-name',
      },
    );
  });

  it('rejects a duplicate uuid given dashed, dashless, upper-case and dashless upper-case', async () => {
    const uuid = randomUUID();
    await create({ name: 'dup-uuid-original', uuid });
    for (const form of [uuid, dashless(uuid), uuid.toUpperCase(), dashless(uuid).toUpperCase()]) {
      await rejected(
        CREATE,
        'createResourceProvider',
        { name: unique('dup-uuid-copy'), uuid: form },
        {
          __typename: 'AlreadyExists',
          code: 'ALREADY_EXISTS',
          resourceType: 'ResourceProvider',
          field: 'uuid',
          value: uuid,
        },
      );
    }
  });

  it('accepts a name of exactly 200 characters, ASCII or multi-byte Unicode (counted in characters, not bytes or UTF-16 units)', async () => {
    for (const name of ['a'.repeat(200), 'é'.repeat(200), '数'.repeat(200), '🚀'.repeat(200), `${'ü'.repeat(199)}z`]) {
      const rp = await create({ name });
      expect(rp.name).toBe(name);
      expect((await get(rp.uuid))?.name).toBe(name);
    }
  });

  it('rejects a name of 201 characters, ASCII or multi-byte', async () => {
    for (const name of ['b'.repeat(201), 'é'.repeat(201), '🚀'.repeat(201)]) {
      await rejected(
        CREATE,
        'createResourceProvider',
        { name },
        {
          __typename: 'InvalidInput',
          code: 'INVALID_INPUT',
          field: 'name',
          rule: 'length:1..200',
        },
      );
    }
  });

  it('rejects an empty name', async () => {
    await rejected(
      CREATE,
      'createResourceProvider',
      { name: '' },
      {
        __typename: 'InvalidInput',
        code: 'INVALID_INPUT',
        field: 'name',
        rule: 'length:1..200',
      },
    );
  });

  it('rejects a malformed uuid, parent uuid or cell uuid', async () => {
    const bad = [
      'not-a-uuid',
      '1234',
      `${randomUUID()}0`,
      dashless(randomUUID()).slice(1),
      randomUUID().replace(/^./, 'g'),
      '',
    ];
    for (const value of bad) {
      await rejected(
        CREATE,
        'createResourceProvider',
        { name: unique('bad-uuid'), uuid: value },
        {
          __typename: 'InvalidInput',
          code: 'INVALID_INPUT',
          field: 'uuid',
          rule: 'uuid',
        },
      );
    }
    await rejected(
      CREATE,
      'createResourceProvider',
      { name: unique('bad-parent'), parentProviderUuid: 'nope' },
      {
        __typename: 'InvalidInput',
        code: 'INVALID_INPUT',
        field: 'parentProviderUuid',
        rule: 'uuid',
      },
    );
    await rejected(
      CREATE,
      'createResourceProvider',
      { name: unique('bad-cell'), cellUuid: 'nope' },
      {
        __typename: 'InvalidInput',
        code: 'INVALID_INPUT',
        field: 'cellUuid',
        rule: 'uuid',
      },
    );
  });

  it('rejects itself as parent, also when the parent uuid is given in another form', async () => {
    const uuid = randomUUID();
    for (const parent of [uuid, dashless(uuid).toUpperCase()]) {
      await rejected(
        CREATE,
        'createResourceProvider',
        { name: 'self-parent', uuid, parentProviderUuid: parent },
        {
          __typename: 'InvalidInput',
          code: 'INVALID_INPUT',
          field: 'parentProviderUuid',
          rule: 'not-self',
        },
      );
    }
  });

  it('rejects an unknown parent and an unknown cell', async () => {
    const parent = randomUUID();
    await rejected(
      CREATE,
      'createResourceProvider',
      { name: 'orphan', parentProviderUuid: dashless(parent) },
      {
        __typename: 'NotFound',
        code: 'NOT_FOUND',
        resourceType: 'ResourceProvider',
        identifier: parent,
        field: 'parentProviderUuid',
      },
    );
    const cell = randomUUID();
    await rejected(
      CREATE,
      'createResourceProvider',
      { name: 'cell-less', cellUuid: cell },
      {
        __typename: 'NotFound',
        code: 'NOT_FOUND',
        resourceType: 'Cell',
        identifier: cell,
        field: 'cellUuid',
      },
    );
  });
});

describe('trees', () => {
  it('exposes parent, root and children through three levels', async () => {
    const root = await create({ name: 'tree-root' });
    const mid = await create({ name: 'tree-mid', parentProviderUuid: root.uuid });
    const leafB = await create({ name: 'tree-leaf-b', parentProviderUuid: dashless(mid.uuid) });
    const leafA = await create({ name: 'tree-leaf-a', parentProviderUuid: mid.uuid });
    expect(mid).toMatchObject({ parent: { uuid: root.uuid }, root: { uuid: root.uuid }, generation: 0 });
    expect(leafA).toMatchObject({ parent: { uuid: mid.uuid }, root: { uuid: root.uuid }, children: [] });
    expect(await get(root.uuid)).toMatchObject({
      parent: null,
      root: { uuid: root.uuid },
      children: [{ uuid: mid.uuid, name: 'tree-mid' }],
    });
    // children are ordered by name
    expect((await get(mid.uuid))?.children).toEqual([
      { uuid: leafA.uuid, name: 'tree-leaf-a' },
      { uuid: leafB.uuid, name: 'tree-leaf-b' },
    ]);
    // adding children does not touch the parent's generation
    expect((await get(root.uuid))?.generation).toBe(0);
    const nested = await env.gql<{ resourceProvider: { children: { children: unknown }[] } }>(
      `query($uuid: String!) { resourceProvider(uuid: $uuid) { children { children { name root { name } parent { name } } } } }`,
      { uuid: root.uuid },
    );
    expect(nested.data?.resourceProvider.children[0]?.children).toEqual([
      { name: 'tree-leaf-a', root: { name: 'tree-root' }, parent: { name: 'tree-mid' } },
      { name: 'tree-leaf-b', root: { name: 'tree-root' }, parent: { name: 'tree-mid' } },
    ]);
  });

  it('re-parenting moves the root of the whole subtree, and detaching makes a new root', async () => {
    const r1 = await create({ name: 'rp-r1' });
    const r2 = await create({ name: 'rp-r2' });
    const a = await create({ name: 'rp-a', parentProviderUuid: r1.uuid });
    const b = await create({ name: 'rp-b', parentProviderUuid: a.uuid });
    const c = await create({ name: 'rp-c', parentProviderUuid: b.uuid });

    const moved = await update({ uuid: a.uuid, parentProviderUuid: r2.uuid });
    expect(moved).toMatchObject({ generation: 1, parent: { uuid: r2.uuid }, root: { uuid: r2.uuid } });
    for (const p of [a, b, c]) expect((await get(p.uuid))?.root.uuid).toBe(r2.uuid);
    expect((await get(r1.uuid))?.children).toEqual([]);
    expect((await get(r2.uuid))?.children.map((x) => x.uuid)).toEqual([a.uuid]);
    // descendants keep their own parents and generations
    expect(await get(c.uuid)).toMatchObject({ parent: { uuid: b.uuid }, generation: 0 });

    // explicit null: b becomes a root, and c follows it
    const detached = await update({ uuid: b.uuid, parentProviderUuid: null });
    expect(detached).toMatchObject({ parent: null, root: { uuid: b.uuid }, generation: 1 });
    expect((await get(c.uuid))?.root.uuid).toBe(b.uuid);
    expect((await get(a.uuid))?.children).toEqual([]);
    expect((await get(a.uuid))?.root.uuid).toBe(r2.uuid);

    const rows = await env.sql(
      `SELECT p.name, r.name AS root FROM resource_providers p JOIN resource_providers r ON r.id = p.root_provider_id
        WHERE p.name LIKE 'rp-%' ORDER BY p.name`,
    );
    expect(rows).toEqual([
      { name: 'rp-a', root: 'rp-r2' },
      { name: 'rp-b', root: 'rp-b' },
      { name: 'rp-c', root: 'rp-b' },
      { name: 'rp-r1', root: 'rp-r1' },
      { name: 'rp-r2', root: 'rp-r2' },
    ]);
  });

  it('omitting parentProviderUuid on update keeps the parent', async () => {
    const root = await create({ name: 'keep-root' });
    const child = await create({ name: 'keep-child', parentProviderUuid: root.uuid });
    const renamed = await update({ uuid: child.uuid, name: 'keep-child-renamed' });
    expect(renamed).toMatchObject({
      name: 'keep-child-renamed',
      parent: { uuid: root.uuid },
      root: { uuid: root.uuid },
      generation: 1,
    });
  });

  it('rejects itself as parent on update, also in another uuid form', async () => {
    const rp = await create({ name: 'self-update' });
    for (const parent of [rp.uuid, dashless(rp.uuid).toUpperCase()]) {
      await rejected(
        UPDATE,
        'updateResourceProvider',
        { uuid: rp.uuid, parentProviderUuid: parent },
        {
          __typename: 'InvalidInput',
          code: 'INVALID_INPUT',
          field: 'parentProviderUuid',
          rule: 'not-self',
        },
      );
    }
  });

  it('rejects a loop: A→B→C then A under C, or A under B', async () => {
    const a = await create({ name: 'loop-a' });
    const b = await create({ name: 'loop-b', parentProviderUuid: a.uuid });
    const c = await create({ name: 'loop-c', parentProviderUuid: b.uuid });
    for (const target of [c, b]) {
      await rejected(
        UPDATE,
        'updateResourceProvider',
        { uuid: a.uuid, parentProviderUuid: target.uuid },
        {
          __typename: 'InvalidInput',
          code: 'INVALID_INPUT',
          field: 'parentProviderUuid',
          rule: 'no-loop',
        },
      );
    }
    // B under C is a loop too (C is B's child)
    await rejected(
      UPDATE,
      'updateResourceProvider',
      { uuid: b.uuid, parentProviderUuid: c.uuid },
      {
        __typename: 'InvalidInput',
        code: 'INVALID_INPUT',
        field: 'parentProviderUuid',
        rule: 'no-loop',
      },
    );
  });

  it('rejects an unknown parent on update', async () => {
    const rp = await create({ name: 'update-unknown-parent' });
    const parent = randomUUID();
    await rejected(
      UPDATE,
      'updateResourceProvider',
      { uuid: rp.uuid, parentProviderUuid: parent },
      {
        __typename: 'NotFound',
        code: 'NOT_FOUND',
        resourceType: 'ResourceProvider',
        identifier: parent,
        field: 'parentProviderUuid',
      },
    );
  });
});

describe('cells', () => {
  it("a child follows its parent's cell; naming the same cell is fine; a different one is refused", async () => {
    const c1 = await createCell('cell-rules-1');
    const c2 = await createCell('cell-rules-2');
    const root = await create({ name: 'cell-root', cellUuid: dashless(c1) });
    expect(root.cell).toEqual({ uuid: c1 });
    const child = await create({ name: 'cell-child', parentProviderUuid: root.uuid });
    expect(child.cell).toEqual({ uuid: c1 });
    const explicit = await create({ name: 'cell-child-explicit', parentProviderUuid: root.uuid, cellUuid: c1 });
    expect(explicit.cell).toEqual({ uuid: c1 });

    await rejected(
      CREATE,
      'createResourceProvider',
      { name: 'cell-child-wrong', parentProviderUuid: root.uuid, cellUuid: c2 },
      {
        __typename: 'InvalidInput',
        code: 'INVALID_INPUT',
        field: 'cellUuid',
        rule: 'same-cell-as-parent',
      },
    );
    // a parent without a cell: a child cannot pick one either
    const cellless = await create({ name: 'cell-less-root' });
    await rejected(
      CREATE,
      'createResourceProvider',
      { name: 'cell-child-wrong-2', parentProviderUuid: cellless.uuid, cellUuid: c1 },
      {
        __typename: 'InvalidInput',
        code: 'INVALID_INPUT',
        field: 'cellUuid',
        rule: 'same-cell-as-parent',
      },
    );
    // on update, a child can neither move to another cell nor leave its parent's cell
    await rejected(
      UPDATE,
      'updateResourceProvider',
      { uuid: child.uuid, cellUuid: c2 },
      {
        __typename: 'InvalidInput',
        code: 'INVALID_INPUT',
        field: 'cellUuid',
        rule: 'same-cell-as-parent',
      },
    );
    await rejected(
      UPDATE,
      'updateResourceProvider',
      { uuid: child.uuid, cellUuid: null },
      {
        __typename: 'InvalidInput',
        code: 'INVALID_INPUT',
        field: 'cellUuid',
        rule: 'same-cell-as-parent',
      },
    );
    const unknownCell = randomUUID();
    await rejected(
      UPDATE,
      'updateResourceProvider',
      { uuid: root.uuid, cellUuid: unknownCell },
      {
        __typename: 'NotFound',
        code: 'NOT_FOUND',
        resourceType: 'Cell',
        identifier: unknownCell,
        field: 'cellUuid',
      },
    );
  });

  it("moving a root's cell moves its whole tree; null takes the tree out of any cell", async () => {
    const c1 = await createCell('cell-move-1');
    const c2 = await createCell('cell-move-2');
    const root = await create({ name: 'move-root', cellUuid: c1 });
    const mid = await create({ name: 'move-mid', parentProviderUuid: root.uuid });
    const leaf = await create({ name: 'move-leaf', parentProviderUuid: mid.uuid });
    const bystander = await create({ name: 'move-bystander', cellUuid: c1 });

    const moved = await update({ uuid: root.uuid, cellUuid: c2, generation: 0 });
    expect(moved).toMatchObject({ cell: { uuid: c2 }, generation: 1 });
    for (const p of [mid, leaf]) expect(await get(p.uuid)).toMatchObject({ cell: { uuid: c2 }, generation: 0 });
    expect((await get(bystander.uuid))?.cell).toEqual({ uuid: c1 });

    await update({ uuid: root.uuid, cellUuid: null });
    for (const p of [root, mid, leaf]) expect((await get(p.uuid))?.cell).toBeNull();
  });

  it("re-parenting into another tree takes the new tree's cell for the whole subtree", async () => {
    const c1 = await createCell('cell-reparent-1');
    const c2 = await createCell('cell-reparent-2');
    const r1 = await create({ name: 'cr-r1', cellUuid: c1 });
    const r2 = await create({ name: 'cr-r2', cellUuid: c2 });
    const a = await create({ name: 'cr-a', parentProviderUuid: r1.uuid });
    const b = await create({ name: 'cr-b', parentProviderUuid: a.uuid });
    // re-parent and name the new tree's cell in the same update: allowed
    await update({ uuid: a.uuid, parentProviderUuid: r2.uuid, cellUuid: c2 });
    for (const p of [a, b]) expect(await get(p.uuid)).toMatchObject({ cell: { uuid: c2 }, root: { uuid: r2.uuid } });
    // re-parent while naming the old cell: refused, nothing changes
    await rejected(
      UPDATE,
      'updateResourceProvider',
      { uuid: a.uuid, parentProviderUuid: r1.uuid, cellUuid: c2 },
      {
        __typename: 'InvalidInput',
        code: 'INVALID_INPUT',
        field: 'cellUuid',
        rule: 'same-cell-as-parent',
      },
    );
    // detach into a root of its own cell
    await update({ uuid: a.uuid, parentProviderUuid: null, cellUuid: c1 });
    for (const p of [a, b]) expect(await get(p.uuid)).toMatchObject({ cell: { uuid: c1 }, root: { uuid: a.uuid } });
    expect((await get(r2.uuid))?.cell).toEqual({ uuid: c2 });
  });
});

describe('updateResourceProvider', () => {
  it('renames and bumps the generation by exactly 1 each time; the generation is checked when given', async () => {
    const rp = await create({ name: 'upd-1' });
    const r1 = await update({ uuid: rp.uuid, generation: 0, name: 'upd-1-renamed' });
    expect(r1).toMatchObject({ name: 'upd-1-renamed', generation: 1 });
    const r2 = await update({ uuid: dashless(rp.uuid), name: 'upd-1-renamed' });
    expect(r2).toMatchObject({ name: 'upd-1-renamed', generation: 2 });
    const r3 = await update({ uuid: rp.uuid, generation: 2, name: 'ö'.repeat(200) });
    expect(r3).toMatchObject({ name: 'ö'.repeat(200), generation: 3 });
  });

  it('rejects a stale generation with expected and actual', async () => {
    const rp = await create({ name: 'upd-stale' });
    await update({ uuid: rp.uuid, name: 'upd-stale-2' });
    for (const generation of [0, 2, 99]) {
      await rejected(
        UPDATE,
        'updateResourceProvider',
        { uuid: rp.uuid, generation, name: 'upd-stale-3' },
        {
          __typename: 'GenerationConflict',
          code: 'GENERATION_CONFLICT',
          providerUuid: rp.uuid,
          expected: generation,
          actual: 1,
        },
      );
    }
    await rejected(
      UPDATE,
      'updateResourceProvider',
      { uuid: rp.uuid, generation: -1 },
      {
        __typename: 'InvalidInput',
        code: 'INVALID_INPUT',
        field: 'generation',
        rule: 'min:0',
      },
    );
  });

  it('rejects a rename to a taken name, a 201-character name and an empty name', async () => {
    await create({ name: 'upd-taken' });
    const rp = await create({ name: 'upd-renamer' });
    await rejected(
      UPDATE,
      'updateResourceProvider',
      { uuid: rp.uuid, name: 'upd-taken' },
      {
        __typename: 'AlreadyExists',
        code: 'ALREADY_EXISTS',
        resourceType: 'ResourceProvider',
        field: 'name',
        value: 'upd-taken',
      },
    );
    await rejected(
      UPDATE,
      'updateResourceProvider',
      { uuid: rp.uuid, name: 'x'.repeat(201) },
      {
        __typename: 'InvalidInput',
        code: 'INVALID_INPUT',
        field: 'name',
        rule: 'length:1..200',
      },
    );
    await rejected(
      UPDATE,
      'updateResourceProvider',
      { uuid: rp.uuid, name: '' },
      {
        __typename: 'InvalidInput',
        code: 'INVALID_INPUT',
        field: 'name',
        rule: 'length:1..200',
      },
    );
  });

  it('rejects an unknown or malformed provider uuid', async () => {
    const uuid = randomUUID();
    await rejected(
      UPDATE,
      'updateResourceProvider',
      { uuid, name: 'ghost' },
      {
        __typename: 'NotFound',
        code: 'NOT_FOUND',
        resourceType: 'ResourceProvider',
        identifier: uuid,
        field: 'uuid',
      },
    );
    await rejected(
      UPDATE,
      'updateResourceProvider',
      { uuid: 'xyz', name: 'ghost' },
      {
        __typename: 'InvalidInput',
        code: 'INVALID_INPUT',
        field: 'uuid',
        rule: 'uuid',
      },
    );
  });
});

describe('deleteResourceProvider', () => {
  it('deletes a provider and its inventories, trait and aggregate links, but not the traits or aggregates themselves', async () => {
    const host = await hostWith(env, 'del-full', { VCPU: 4, MEMORY_MB: 1024 });
    const traits = await env.gql<{ setProviderTraits: { __typename: string } }>(
      `mutation($input: SetProviderTraitsInput!) { setProviderTraits(input: $input) { __typename } }`,
      {
        input: {
          providerUuid: host.uuid,
          generation: host.generation,
          traits: ['HW_CPU_X86_AVX2', 'STORAGE_DISK_SSD'],
        },
      },
    );
    expect(traits.data?.setProviderTraits.__typename).toBe('ResourceProviderPayload');
    const aggregate = randomUUID();
    const aggs = await env.gql<{ setProviderAggregates: { __typename: string } }>(
      `mutation($input: SetProviderAggregatesInput!) { setProviderAggregates(input: $input) { __typename } }`,
      {
        input: { providerUuid: host.uuid, generation: host.generation + 1, aggregates: [aggregate] },
      },
    );
    expect(aggs.data?.setProviderAggregates.__typename).toBe('ResourceProviderPayload');
    const id = (await env.sql<{ id: number }>('SELECT id FROM resource_providers WHERE uuid = $1', [host.uuid]))[0]!.id;
    const counts = async () =>
      (
        await env.sql(
          `SELECT (SELECT count(*) FROM inventories WHERE provider_id = $1)::int AS inventories,
                  (SELECT count(*) FROM provider_traits WHERE provider_id = $1)::int AS traits,
                  (SELECT count(*) FROM provider_aggregates WHERE provider_id = $1)::int AS aggregates,
                  (SELECT count(*) FROM resource_providers WHERE id = $1)::int AS providers`,
          [id],
        )
      )[0];
    expect(await counts()).toEqual({ inventories: 2, traits: 2, aggregates: 1, providers: 1 });

    const payload = await mutate(DELETE, 'deleteResourceProvider', {
      uuid: dashless(host.uuid).toUpperCase(),
      generation: host.generation + 2,
    });
    expect(payload).toEqual({ __typename: 'DeleteResourceProviderPayload', deletedUuid: host.uuid });
    expect(await counts()).toEqual({ inventories: 0, traits: 0, aggregates: 0, providers: 0 });
    expect(await get(host.uuid)).toBeNull();
    expect(await env.sql('SELECT count(*)::int AS n FROM aggregates WHERE uuid = $1', [aggregate])).toEqual([{ n: 1 }]);
    expect(
      await env.sql(`SELECT count(*)::int AS n FROM traits WHERE name IN ('HW_CPU_X86_AVX2', 'STORAGE_DISK_SSD')`),
    ).toEqual([{ n: 2 }]);
    // the name is free again
    await create({ name: 'del-full' });
  });

  it('refuses while the provider has allocations; succeeds once they are gone', async () => {
    const host = await hostWith(env, 'del-allocated', { VCPU: 8 });
    const consumer = randomUUID();
    const generation = await allocate(consumer, host.uuid, { VCPU: 2 });
    expect(generation).not.toBeNull();
    await rejected(
      DELETE,
      'deleteResourceProvider',
      { uuid: host.uuid },
      {
        __typename: 'InUse',
        code: 'IN_USE',
        resourceType: 'ResourceProvider',
        identifier: host.uuid,
        reason: expect.stringContaining('allocations'),
      },
    );
    const removed = await env.gql<{ deleteAllocations: { __typename: string } }>(
      `mutation($input: DeleteAllocationsInput!) { deleteAllocations(input: $input) { __typename } }`,
      {
        input: { consumerUuid: consumer, consumerGeneration: generation },
      },
    );
    expect(removed.data?.deleteAllocations.__typename).toBe('AllocationsPayload');
    const payload = await mutate(DELETE, 'deleteResourceProvider', { uuid: host.uuid });
    expect(payload).toEqual({ __typename: 'DeleteResourceProviderPayload', deletedUuid: host.uuid });
  });

  it('refuses while the provider has children; deleting bottom-up works', async () => {
    const root = await create({ name: 'del-tree-root' });
    const child = await create({ name: 'del-tree-child', parentProviderUuid: root.uuid });
    const grandchild = await create({ name: 'del-tree-grandchild', parentProviderUuid: child.uuid });
    for (const p of [root, child]) {
      await rejected(
        DELETE,
        'deleteResourceProvider',
        { uuid: p.uuid },
        {
          __typename: 'InUse',
          code: 'IN_USE',
          resourceType: 'ResourceProvider',
          identifier: p.uuid,
          reason: expect.stringContaining('child'),
        },
      );
    }
    for (const p of [grandchild, child, root]) {
      expect(await mutate(DELETE, 'deleteResourceProvider', { uuid: p.uuid })).toEqual({
        __typename: 'DeleteResourceProviderPayload',
        deletedUuid: p.uuid,
      });
    }
    expect(await env.sql(`SELECT count(*)::int AS n FROM resource_providers WHERE name LIKE 'del-tree-%'`)).toEqual([
      { n: 0 },
    ]);
  });

  it('rejects a stale generation, an unknown provider and a malformed uuid', async () => {
    const rp = await create({ name: 'del-checks' });
    await rejected(
      DELETE,
      'deleteResourceProvider',
      { uuid: rp.uuid, generation: 5 },
      {
        __typename: 'GenerationConflict',
        code: 'GENERATION_CONFLICT',
        providerUuid: rp.uuid,
        expected: 5,
        actual: 0,
      },
    );
    const ghost = randomUUID();
    await rejected(
      DELETE,
      'deleteResourceProvider',
      { uuid: ghost },
      {
        __typename: 'NotFound',
        code: 'NOT_FOUND',
        resourceType: 'ResourceProvider',
        identifier: ghost,
        field: 'uuid',
      },
    );
    await rejected(
      DELETE,
      'deleteResourceProvider',
      { uuid: 'ghost' },
      {
        __typename: 'InvalidInput',
        code: 'INVALID_INPUT',
        field: 'uuid',
        rule: 'uuid',
      },
    );
    expect(await mutate(DELETE, 'deleteResourceProvider', { uuid: rp.uuid, generation: 0 })).toMatchObject({
      deletedUuid: rp.uuid,
    });
    // deleting again: it is gone
    await rejected(
      DELETE,
      'deleteResourceProvider',
      { uuid: rp.uuid },
      { __typename: 'NotFound', code: 'NOT_FOUND', identifier: rp.uuid },
    );
  });
});

/**
 * Tree shape in SQL: every provider reaches a root by walking parents within 100 steps (no
 * loop), and carries that root as root_provider_id and that root's cell as its cell.
 */
async function assertTreesConsistent(): Promise<void> {
  const wrong = await env.sql(
    `WITH RECURSIVE walk(id, at, steps) AS (
       SELECT id, id, 0 FROM resource_providers
       UNION ALL
       SELECT w.id, p.parent_provider_id, w.steps + 1 FROM walk w JOIN resource_providers p ON p.id = w.at
        WHERE p.parent_provider_id IS NOT NULL AND w.steps < 100)
     SELECT p.uuid, top.id AS top, p.root_provider_id AS root, p.cell_id AS cell, top.cell_id AS "topCell", w.steps
       FROM walk w JOIN resource_providers p ON p.id = w.id JOIN resource_providers top ON top.id = w.at
      WHERE top.parent_provider_id IS NULL OR w.steps >= 100
      GROUP BY p.uuid, top.id, p.root_provider_id, p.cell_id, top.cell_id, w.steps
     HAVING w.steps >= 100 OR top.id <> p.root_provider_id OR top.cell_id IS DISTINCT FROM p.cell_id`,
  );
  expect(wrong, "providers whose root or cell is not their tree top's, or that sit in a loop").toEqual([]);
}

describe('concurrent tree changes', () => {
  it('X under a child of Y and Y under a child of X at once: exactly one wins, the other is a loop, no loop is stored', async () => {
    for (let round = 0; round < 10; round++) {
      const tag = `${round}-${randomUUID().slice(0, 8)}`;
      const x = await create({ name: `swap-x-${tag}` });
      const xChild = await create({ name: `swap-x-child-${tag}`, parentProviderUuid: x.uuid });
      const y = await create({ name: `swap-y-${tag}` });
      const yChild = await create({ name: `swap-y-child-${tag}`, parentProviderUuid: y.uuid });
      const answers = await Promise.all([
        mutate(UPDATE, 'updateResourceProvider', { uuid: x.uuid, parentProviderUuid: yChild.uuid }),
        mutate(UPDATE, 'updateResourceProvider', { uuid: y.uuid, parentProviderUuid: xChild.uuid }),
      ]);
      expect(answers.map((a) => a.__typename).sort()).toEqual(['InvalidInput', 'ResourceProviderPayload']);
      expect(answers.find((a) => a.__typename === 'InvalidInput')).toMatchObject({ rule: 'no-loop' });
    }
    await assertTreesConsistent();
  });

  it("children created while their ancestor's tree moves to another tree and cell all follow the move", async () => {
    const tag = randomUUID().slice(0, 8);
    const [cellA, cellB] = [await createCell(`tree-a-${tag}`), await createCell(`tree-b-${tag}`)];
    const from = await create({ name: `from-${tag}`, cellUuid: cellA });
    const middle = await create({ name: `middle-${tag}`, parentProviderUuid: from.uuid });
    const to = await create({ name: `to-${tag}`, cellUuid: cellB });
    const [moved, ...children] = await Promise.all([
      (async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return update({ uuid: from.uuid, parentProviderUuid: to.uuid });
      })(),
      ...Array.from({ length: 12 }, (_, i) => create({ name: `child-${i}-${tag}`, parentProviderUuid: middle.uuid })),
    ]);
    expect(moved.root.uuid).toBe(to.uuid);
    for (const child of children) expect((await get(child.uuid))!.root.uuid).toBe(to.uuid);
    expect((await get(middle.uuid))!.cell).toEqual({ uuid: cellB });
    await assertTreesConsistent();
  });
});

describe('relay', () => {
  it('node(id:) and nodes(ids:) resolve providers by global id', async () => {
    const root = await create({ name: 'relay-root' });
    const child = await create({ name: 'relay-child', parentProviderUuid: root.uuid });
    expect(Buffer.from(root.id, 'base64').toString()).toBe(`ResourceProvider:${root.uuid}`);
    const one = await env.gql<{ node: unknown }>(
      `query($id: ID!) { node(id: $id) { __typename id ... on ResourceProvider { uuid name root { name } } } }`,
      { id: child.id },
    );
    expect(one.errors).toBeUndefined();
    expect(one.data?.node).toEqual({
      __typename: 'ResourceProvider',
      id: child.id,
      uuid: child.uuid,
      name: 'relay-child',
      root: { name: 'relay-root' },
    });
    const gone = Buffer.from(`ResourceProvider:${randomUUID()}`).toString('base64');
    const many = await env.gql<{ nodes: unknown }>(
      `query($ids: [ID!]!) { nodes(ids: $ids) { __typename ... on ResourceProvider { name } } }`,
      { ids: [root.id, gone, child.id] },
    );
    expect(many.errors).toBeUndefined();
    expect(many.data?.nodes).toEqual([
      { __typename: 'ResourceProvider', name: 'relay-root' },
      null,
      { __typename: 'ResourceProvider', name: 'relay-child' },
    ]);
  });
});
