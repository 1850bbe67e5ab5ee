import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createProvider, ERROR_FIELDS, hostWith, snapshot } from './support/fixtures.js';
import { createTestEnv, type TestEnv } from './support/harness.js';
import { assertPlacementInvariants } from './support/invariants.js';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => env?.close());

afterEach(() => assertPlacementInvariants(env));

const INVENTORY_FIELDS = 'resourceClass total reserved minUnit maxUnit stepSize allocationRatio capacity used free';
const PAYLOAD = `${ERROR_FIELDS} ... on InventoriesPayload { warnings resourceProvider { uuid generation inventories { ${INVENTORY_FIELDS} } } }`;
const SET = `mutation($input: SetInventoriesInput!) { setInventories(input: $input) { ${PAYLOAD} } }`;
const UPSERT = `mutation($input: UpsertInventoryInput!) { upsertInventory(input: $input) { ${PAYLOAD} } }`;
const DELETE = `mutation($input: DeleteInventoryInput!) { deleteInventory(input: $input) { ${PAYLOAD} } }`;
const SET_ALLOCATIONS = `mutation($input: SetAllocationsInput!) { setAllocations(input: $input) {
  ${ERROR_FIELDS} ... on AllocationsPayload { consumers { consumerUuid generation } } } }`;

const uniqueName = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

interface Inventory {
  resourceClass: string;
  total: number;
  reserved: number;
  minUnit: number;
  maxUnit: number;
  stepSize: number;
  allocationRatio: number;
  capacity: number;
  used: number;
  free: number;
}

/**
 * What these tests read from a write's answer: an InventoriesPayload, an AllocationsPayload, or a
 * typed error (its other fields, from ERROR_FIELDS, are only compared whole).
 */
interface Payload {
  __typename: string;
  code?: string;
  warnings: string[];
  resourceProvider: { uuid: string; generation: number; inventories: Inventory[] };
  consumers: { consumerUuid: string; generation: number }[];
  [errorField: string]: unknown;
}

async function gqlOk(query: string, variables: Record<string, unknown>, field: string): Promise<Payload> {
  const result = await env.gql<Record<string, Payload>>(query, variables);
  expect(result.errors).toBeUndefined();
  return result.data?.[field] as Payload;
}

/** The stable `code` of each typed error. */
const ERROR_CODES: Record<string, string> = {
  InvalidInput: 'INVALID_INPUT',
  NotFound: 'NOT_FOUND',
  AlreadyExists: 'ALREADY_EXISTS',
  GenerationConflict: 'GENERATION_CONFLICT',
  ConsumerGenerationConflict: 'CONSUMER_GENERATION_CONFLICT',
  InUse: 'IN_USE',
  CapacityExceeded: 'CAPACITY_EXCEEDED',
};

/** Runs a write that must be refused: returns the typed error and proves nothing changed. */
async function rejected(query: string, variables: Record<string, unknown>, field: string): Promise<Payload> {
  const before = await snapshot(env);
  const payload = await gqlOk(query, variables, field);
  expect(payload.__typename).not.toBe('InventoriesPayload');
  expect(payload.__typename).not.toBe('AllocationsPayload');
  expect(payload.code).toBe(ERROR_CODES[payload.__typename]);
  expect(await snapshot(env)).toBe(before);
  return payload;
}

interface ProviderRead {
  generation: number;
  inventories: Inventory[];
  usages: { resourceClass: string; used: number }[];
}

async function readProvider(uuid: string): Promise<ProviderRead> {
  const result = await env.gql<{ resourceProvider: ProviderRead }>(
    `query($uuid: String!) { resourceProvider(uuid: $uuid) { generation inventories { ${INVENTORY_FIELDS} } usages { resourceClass used } } }`,
    { uuid },
  );
  expect(result.errors).toBeUndefined();
  return result.data?.resourceProvider as ProviderRead;
}

async function allocate(
  providerUuid: string,
  resources: Record<string, number>,
  consumerUuid = randomUUID(),
): Promise<string> {
  const payload = await gqlOk(
    SET_ALLOCATIONS,
    {
      input: {
        consumerUuid,
        consumerGeneration: null,
        projectId: 'p',
        userId: 'u',
        allocations: [
          {
            providerUuid,
            resources: Object.entries(resources).map(([resourceClass, amount]) => ({ resourceClass, amount })),
          },
        ],
      },
    },
    'setAllocations',
  );
  expect(payload.__typename, JSON.stringify(payload)).toBe('AllocationsPayload');
  return consumerUuid;
}

describe('setInventories', () => {
  it('applies the defaults and computes capacity, used and free', async () => {
    const provider = await createProvider(env, { name: uniqueName('defaults') });
    const payload = await gqlOk(
      SET,
      {
        input: {
          providerUuid: provider.uuid,
          generation: provider.generation,
          inventories: [{ resourceClass: 'VCPU', total: 8 }],
        },
      },
      'setInventories',
    );
    expect(payload.__typename).toBe('InventoriesPayload');
    expect(payload.warnings).toEqual([]);
    expect(payload.resourceProvider.inventories).toEqual([
      {
        resourceClass: 'VCPU',
        total: 8,
        reserved: 0,
        minUnit: 1,
        maxUnit: 2147483647,
        stepSize: 1,
        allocationRatio: 1,
        capacity: 8,
        used: 0,
        free: 8,
      },
    ]);
  });

  it('keeps every field given and bumps the generation by exactly 1', async () => {
    const provider = await createProvider(env, { name: uniqueName('fields') });
    const inventory = {
      resourceClass: 'DISK_GB',
      total: 1000,
      reserved: 100,
      minUnit: 10,
      maxUnit: 500,
      stepSize: 10,
      allocationRatio: 1.5,
    };
    const payload = await gqlOk(
      SET,
      { input: { providerUuid: provider.uuid, generation: provider.generation, inventories: [inventory] } },
      'setInventories',
    );
    expect(payload.resourceProvider.generation).toBe(provider.generation + 1);
    expect(payload.resourceProvider.inventories).toEqual([{ ...inventory, capacity: 1350, used: 0, free: 1350 }]);
    expect((await readProvider(provider.uuid)).generation).toBe(provider.generation + 1);
  });

  it.each([
    { total: 16, reserved: 0, allocationRatio: 1.5, capacity: 24 },
    { total: 10, reserved: 3, allocationRatio: 0.5, capacity: 3 }, // 3.5 → 3
    { total: 16, reserved: 0, allocationRatio: 1.1, capacity: 17 }, // 17.6 → 17
    { total: 3, reserved: 0, allocationRatio: 0.1, capacity: 0 }, // 0.3 → 0
    { total: 7, reserved: 2, allocationRatio: 16, capacity: 80 },
    { total: 2147483647, reserved: 0, allocationRatio: 10000, capacity: 21474836470000 }, // beyond 2^31: SafeInt
  ])(
    'capacity = floor((total − reserved) × ratio): $total, $reserved, $allocationRatio → $capacity',
    async ({ total, reserved, allocationRatio, capacity }) => {
      const provider = await createProvider(env, { name: uniqueName('capacity') });
      const payload = await gqlOk(
        SET,
        {
          input: {
            providerUuid: provider.uuid,
            generation: provider.generation,
            inventories: [{ resourceClass: 'VCPU', total, reserved, allocationRatio }],
          },
        },
        'setInventories',
      );
      expect(payload.__typename).toBe('InventoriesPayload');
      expect(payload.resourceProvider.inventories[0]).toMatchObject({ capacity, free: capacity, used: 0 });
      const [row] = await env.sql(
        'SELECT capacity FROM inventories i JOIN resource_providers p ON p.id = i.provider_id WHERE p.uuid = $1',
        [provider.uuid],
      );
      expect(row!.capacity).toBe(capacity);
    },
  );

  it('accepts reserved = total (capacity 0), and then nothing fits', async () => {
    const provider = await createProvider(env, { name: uniqueName('drained') });
    const payload = await gqlOk(
      SET,
      {
        input: {
          providerUuid: provider.uuid,
          generation: provider.generation,
          inventories: [{ resourceClass: 'VCPU', total: 4, reserved: 4 }],
        },
      },
      'setInventories',
    );
    expect(payload.resourceProvider.inventories[0]).toMatchObject({ total: 4, reserved: 4, capacity: 0, free: 0 });
    const refused = await rejected(
      SET_ALLOCATIONS,
      {
        input: {
          consumerUuid: randomUUID(),
          consumerGeneration: null,
          projectId: 'p',
          userId: 'u',
          allocations: [{ providerUuid: provider.uuid, resources: [{ resourceClass: 'VCPU', amount: 1 }] }],
        },
      },
      'setAllocations',
    );
    expect(refused).toMatchObject({
      __typename: 'CapacityExceeded',
      code: 'CAPACITY_EXCEEDED',
      requested: 1,
      used: 0,
      capacity: 0,
    });
  });

  it('replaces the whole set: updates listed classes, adds new ones, removes unused omitted ones', async () => {
    const host = await hostWith(env, uniqueName('replace'), { VCPU: 4, MEMORY_MB: 1024, DISK_GB: 100 });
    const payload = await gqlOk(
      SET,
      {
        input: {
          providerUuid: host.uuid,
          generation: host.generation,
          inventories: [
            { resourceClass: 'VCPU', total: 8 },
            { resourceClass: 'PCPU', total: 2 },
          ],
        },
      },
      'setInventories',
    );
    expect(payload.__typename).toBe('InventoriesPayload');
    expect(payload.resourceProvider.generation).toBe(host.generation + 1);
    expect(payload.resourceProvider.inventories.map((i) => [i.resourceClass, i.total])).toEqual([
      ['PCPU', 2],
      ['VCPU', 8],
    ]);
  });

  it('an empty list removes every unused inventory', async () => {
    const host = await hostWith(env, uniqueName('empty'), { VCPU: 4, MEMORY_MB: 1024 });
    const payload = await gqlOk(
      SET,
      { input: { providerUuid: host.uuid, generation: host.generation, inventories: [] } },
      'setInventories',
    );
    expect(payload.resourceProvider).toMatchObject({ generation: host.generation + 1, inventories: [] });
  });

  it('accepts a dashless upper-case provider uuid', async () => {
    const provider = await createProvider(env, { name: uniqueName('dashless') });
    const payload = await gqlOk(
      SET,
      {
        input: {
          providerUuid: provider.uuid.replace(/-/g, '').toUpperCase(),
          generation: provider.generation,
          inventories: [{ resourceClass: 'VCPU', total: 2 }],
        },
      },
      'setInventories',
    );
    expect(payload.__typename).toBe('InventoriesPayload');
    expect(payload.resourceProvider.uuid).toBe(provider.uuid);
  });

  it('takes inventory of a custom class', async () => {
    const name = `CUSTOM_INV_${randomUUID().slice(0, 8).toUpperCase()}`;
    const created = await gqlOk(
      `mutation($input: CreateResourceClassInput!) { createResourceClass(input: $input) { ${ERROR_FIELDS} ... on ResourceClassPayload { created: createdResourceClass { name standard } } } }`,
      { input: { name } },
      'createResourceClass',
    );
    expect(created.created).toEqual({ name, standard: false });
    const provider = await createProvider(env, { name: uniqueName('custom') });
    const payload = await gqlOk(
      SET,
      {
        input: {
          providerUuid: provider.uuid,
          generation: provider.generation,
          inventories: [{ resourceClass: name, total: 3, stepSize: 1 }],
        },
      },
      'setInventories',
    );
    expect(payload.resourceProvider.inventories).toEqual([
      expect.objectContaining({ resourceClass: name, total: 3, capacity: 3 }),
    ]);
    await allocate(provider.uuid, { [name]: 2 });
    expect((await readProvider(provider.uuid)).usages).toEqual([{ resourceClass: name, used: 2 }]);
  });
});

// Each case: an inventory that breaks one rule, and the field and rule named in the error.
const MAX = 2147483647;
const invalidInventories: { name: string; inventory: Record<string, unknown>; field: string; rule: string }[] = [
  { name: 'total 0', inventory: { total: 0 }, field: 'total', rule: 'min:1' },
  { name: 'total negative', inventory: { total: -5 }, field: 'total', rule: 'min:1' },
  { name: 'total > int32', inventory: { total: MAX + 1 }, field: 'total', rule: `max:${MAX}` },
  { name: 'reserved negative', inventory: { total: 4, reserved: -1 }, field: 'reserved', rule: 'min:0' },
  { name: 'reserved > int32', inventory: { total: 4, reserved: MAX + 1 }, field: 'reserved', rule: `max:${MAX}` },
  { name: 'reserved > total', inventory: { total: 4, reserved: 5 }, field: 'reserved', rule: 'reserved<=total' },
  { name: 'minUnit 0', inventory: { total: 4, minUnit: 0 }, field: 'minUnit', rule: 'min:1' },
  { name: 'minUnit negative', inventory: { total: 4, minUnit: -1 }, field: 'minUnit', rule: 'min:1' },
  { name: 'minUnit > int32', inventory: { total: 4, minUnit: MAX + 1 }, field: 'minUnit', rule: `max:${MAX}` },
  { name: 'maxUnit 0', inventory: { total: 4, maxUnit: 0 }, field: 'maxUnit', rule: 'min:1' },
  { name: 'maxUnit negative', inventory: { total: 4, maxUnit: -3 }, field: 'maxUnit', rule: 'min:1' },
  { name: 'maxUnit > int32', inventory: { total: 4, maxUnit: MAX + 1 }, field: 'maxUnit', rule: `max:${MAX}` },
  { name: 'stepSize 0', inventory: { total: 4, stepSize: 0 }, field: 'stepSize', rule: 'min:1' },
  { name: 'stepSize negative', inventory: { total: 4, stepSize: -2 }, field: 'stepSize', rule: 'min:1' },
  { name: 'stepSize > int32', inventory: { total: 4, stepSize: MAX + 1 }, field: 'stepSize', rule: `max:${MAX}` },
  {
    name: 'minUnit > maxUnit',
    inventory: { total: 4, minUnit: 3, maxUnit: 2 },
    field: 'minUnit',
    rule: 'minUnit<=maxUnit',
  },
  { name: 'allocationRatio 0', inventory: { total: 4, allocationRatio: 0 }, field: 'allocationRatio', rule: 'gt:0' },
  {
    name: 'allocationRatio negative',
    inventory: { total: 4, allocationRatio: -1.5 },
    field: 'allocationRatio',
    rule: 'gt:0',
  },
  {
    name: 'allocationRatio absurd',
    inventory: { total: 4, allocationRatio: 10000.5 },
    field: 'allocationRatio',
    rule: 'max:10000',
  },
  {
    name: 'allocationRatio huge',
    inventory: { total: 4, allocationRatio: 1e300 },
    field: 'allocationRatio',
    rule: 'max:10000',
  },
  {
    name: 'lower-case class',
    inventory: { resourceClass: 'vcpu', total: 4 },
    field: 'resourceClass',
    rule: 'pattern:^[A-Z0-9_]+$',
  },
];

describe('inventory validation: typed InvalidInput naming field and rule, nothing written', () => {
  it.each(invalidInventories)('setInventories: $name', async ({ inventory, field, rule }) => {
    const host = await hostWith(env, uniqueName('bad-set'), { MEMORY_MB: 1024 });
    const error = await rejected(
      SET,
      {
        input: {
          providerUuid: host.uuid,
          generation: host.generation,
          inventories: [
            { resourceClass: 'MEMORY_MB', total: 1024 },
            { resourceClass: 'VCPU', ...inventory },
          ],
        },
      },
      'setInventories',
    );
    expect(error).toMatchObject({
      __typename: 'InvalidInput',
      code: 'INVALID_INPUT',
      field: `inventories[1].${field}`,
      rule,
    });
    expect(error.message).toContain(`inventories[1].${field}`);
  });

  it.each(invalidInventories)('upsertInventory: $name', async ({ inventory, field, rule }) => {
    const host = await hostWith(env, uniqueName('bad-upsert'), { VCPU: 2 });
    const error = await rejected(
      UPSERT,
      {
        input: {
          providerUuid: host.uuid,
          generation: host.generation,
          inventory: { resourceClass: 'VCPU', ...inventory },
        },
      },
      'upsertInventory',
    );
    expect(error).toMatchObject({
      __typename: 'InvalidInput',
      code: 'INVALID_INPUT',
      field: `inventory.${field}`,
      rule,
    });
  });

  it('missing total is refused by the schema (total is SafeInt!), naming the field', async () => {
    const host = await hostWith(env, uniqueName('no-total'), { VCPU: 2 });
    for (const [query, input] of [
      [SET, { providerUuid: host.uuid, generation: host.generation, inventories: [{ resourceClass: 'VCPU' }] }],
      [
        SET,
        { providerUuid: host.uuid, generation: host.generation, inventories: [{ resourceClass: 'VCPU', total: null }] },
      ],
      [UPSERT, { providerUuid: host.uuid, generation: host.generation, inventory: { resourceClass: 'VCPU' } }],
    ] as const) {
      const before = await snapshot(env);
      const result = await env.gql(query, { input });
      expect(result.data).toBeUndefined();
      expect(result.errors?.[0]?.message).toMatch(/total/);
      expect(await snapshot(env)).toBe(before);
    }
  });

  it('a fractional integer field is refused by the SafeInt scalar', async () => {
    const host = await hostWith(env, uniqueName('fraction'), { VCPU: 2 });
    const before = await snapshot(env);
    const result = await env.gql(UPSERT, {
      input: { providerUuid: host.uuid, generation: host.generation, inventory: { resourceClass: 'VCPU', total: 2.5 } },
    });
    expect(result.data).toBeUndefined();
    expect(result.errors?.length).toBeGreaterThan(0);
    expect(await snapshot(env)).toBe(before);
  });

  it('unknown class → NotFound on that entry', async () => {
    const host = await hostWith(env, uniqueName('unknown-class'), { VCPU: 2 });
    const error = await rejected(
      SET,
      {
        input: {
          providerUuid: host.uuid,
          generation: host.generation,
          inventories: [
            { resourceClass: 'VCPU', total: 2 },
            { resourceClass: 'CUSTOM_NO_SUCH_CLASS', total: 1 },
          ],
        },
      },
      'setInventories',
    );
    expect(error).toMatchObject({
      __typename: 'NotFound',
      code: 'NOT_FOUND',
      resourceType: 'ResourceClass',
      identifier: 'CUSTOM_NO_SUCH_CLASS',
      field: 'inventories[1].resourceClass',
    });
    const viaUpsert = await rejected(
      UPSERT,
      {
        input: {
          providerUuid: host.uuid,
          generation: host.generation,
          inventory: { resourceClass: 'CUSTOM_NO_SUCH_CLASS', total: 1 },
        },
      },
      'upsertInventory',
    );
    expect(viaUpsert).toMatchObject({
      __typename: 'NotFound',
      resourceType: 'ResourceClass',
      field: 'inventory.resourceClass',
    });
  });

  it('duplicate class in one setInventories → InvalidInput unique', async () => {
    const host = await hostWith(env, uniqueName('dup'), { VCPU: 2 });
    const error = await rejected(
      SET,
      {
        input: {
          providerUuid: host.uuid,
          generation: host.generation,
          inventories: [
            { resourceClass: 'VCPU', total: 2 },
            { resourceClass: 'MEMORY_MB', total: 512 },
            { resourceClass: 'VCPU', total: 4 },
          ],
        },
      },
      'setInventories',
    );
    expect(error).toMatchObject({
      __typename: 'InvalidInput',
      code: 'INVALID_INPUT',
      field: 'inventories[2].resourceClass',
      rule: 'unique',
    });
  });

  it('unknown provider → NotFound; malformed provider uuid → InvalidInput uuid', async () => {
    const missing = randomUUID();
    for (const [query, field, input] of [
      [
        SET,
        'setInventories',
        { providerUuid: missing, generation: 0, inventories: [{ resourceClass: 'VCPU', total: 1 }] },
      ],
      [
        UPSERT,
        'upsertInventory',
        { providerUuid: missing, generation: 0, inventory: { resourceClass: 'VCPU', total: 1 } },
      ],
      [DELETE, 'deleteInventory', { providerUuid: missing, generation: 0, resourceClass: 'VCPU' }],
    ] as const) {
      const error = await rejected(query, { input }, field);
      expect(error).toMatchObject({
        __typename: 'NotFound',
        code: 'NOT_FOUND',
        resourceType: 'ResourceProvider',
        identifier: missing,
        field: 'providerUuid',
      });
      const bad = await rejected(query, { input: { ...input, providerUuid: 'not-a-uuid' } }, field);
      expect(bad).toMatchObject({
        __typename: 'InvalidInput',
        code: 'INVALID_INPUT',
        field: 'providerUuid',
        rule: 'uuid',
      });
    }
  });

  it('negative generation → InvalidInput min:0', async () => {
    const host = await hostWith(env, uniqueName('neg-gen'), { VCPU: 2 });
    const error = await rejected(
      SET,
      { input: { providerUuid: host.uuid, generation: -1, inventories: [] } },
      'setInventories',
    );
    expect(error).toMatchObject({ __typename: 'InvalidInput', field: 'generation', rule: 'min:0' });
  });
});

describe('provider generation', () => {
  it('stale generation → GenerationConflict with expected and actual, for every inventory write', async () => {
    const host = await hostWith(env, uniqueName('stale'), { VCPU: 2, MEMORY_MB: 512 });
    for (const stale of [host.generation - 1, host.generation + 1]) {
      for (const [query, field, input] of [
        [
          SET,
          'setInventories',
          { providerUuid: host.uuid, generation: stale, inventories: [{ resourceClass: 'VCPU', total: 4 }] },
        ],
        [
          UPSERT,
          'upsertInventory',
          { providerUuid: host.uuid, generation: stale, inventory: { resourceClass: 'VCPU', total: 4 } },
        ],
        [DELETE, 'deleteInventory', { providerUuid: host.uuid, generation: stale, resourceClass: 'MEMORY_MB' }],
      ] as const) {
        const error = await rejected(query, { input }, field);
        expect(error).toMatchObject({
          __typename: 'GenerationConflict',
          code: 'GENERATION_CONFLICT',
          providerUuid: host.uuid,
          expected: stale,
          actual: host.generation,
        });
      }
    }
  });

  it('each inventory write bumps the generation by exactly 1; the old generation is then stale', async () => {
    const provider = await createProvider(env, { name: uniqueName('bumps') });
    let generation = provider.generation;
    const steps: [string, string, Record<string, unknown>][] = [
      [SET, 'setInventories', { inventories: [{ resourceClass: 'VCPU', total: 2 }] }],
      [UPSERT, 'upsertInventory', { inventory: { resourceClass: 'MEMORY_MB', total: 512 } }],
      [UPSERT, 'upsertInventory', { inventory: { resourceClass: 'VCPU', total: 3 } }],
      [DELETE, 'deleteInventory', { resourceClass: 'MEMORY_MB' }],
      [SET, 'setInventories', { inventories: [] }],
    ];
    for (const [query, field, rest] of steps) {
      const payload = await gqlOk(query, { input: { providerUuid: provider.uuid, generation, ...rest } }, field);
      expect(payload.__typename, JSON.stringify(payload)).toBe('InventoriesPayload');
      expect(payload.resourceProvider.generation).toBe(generation + 1);
      const stale = await rejected(query, { input: { providerUuid: provider.uuid, generation, ...rest } }, field);
      expect(stale).toMatchObject({ __typename: 'GenerationConflict', expected: generation, actual: generation + 1 });
      generation += 1;
    }
    expect((await readProvider(provider.uuid)).generation).toBe(generation);
  });
});

describe('upsertInventory and deleteInventory', () => {
  it('upsert adds a class and replaces one, leaving others alone', async () => {
    const host = await hostWith(env, uniqueName('upsert'), { VCPU: 4, MEMORY_MB: 1024 });
    const added = await gqlOk(
      UPSERT,
      {
        input: {
          providerUuid: host.uuid,
          generation: host.generation,
          inventory: { resourceClass: 'DISK_GB', total: 50, reserved: 5 },
        },
      },
      'upsertInventory',
    );
    expect(added.resourceProvider.inventories.map((i) => [i.resourceClass, i.capacity])).toEqual([
      ['DISK_GB', 45],
      ['MEMORY_MB', 1024],
      ['VCPU', 4],
    ]);
    const replaced = await gqlOk(
      UPSERT,
      {
        input: {
          providerUuid: host.uuid,
          generation: host.generation + 1,
          inventory: { resourceClass: 'VCPU', total: 8, allocationRatio: 4 },
        },
      },
      'upsertInventory',
    );
    // Omitted fields go back to their defaults: an upsert replaces the whole inventory record.
    expect(replaced.resourceProvider.inventories.find((i) => i.resourceClass === 'VCPU')).toEqual({
      resourceClass: 'VCPU',
      total: 8,
      reserved: 0,
      minUnit: 1,
      maxUnit: MAX,
      stepSize: 1,
      allocationRatio: 4,
      capacity: 32,
      used: 0,
      free: 32,
    });
  });

  it('delete removes one unused class', async () => {
    const host = await hostWith(env, uniqueName('delete'), { VCPU: 4, MEMORY_MB: 1024 });
    const payload = await gqlOk(
      DELETE,
      { input: { providerUuid: host.uuid, generation: host.generation, resourceClass: 'MEMORY_MB' } },
      'deleteInventory',
    );
    expect(payload.__typename).toBe('InventoriesPayload');
    expect(payload.resourceProvider.inventories.map((i) => i.resourceClass)).toEqual(['VCPU']);
  });

  it('delete of a class without inventory here → NotFound; of an unknown class → NotFound', async () => {
    const host = await hostWith(env, uniqueName('delete-missing'), { VCPU: 4 });
    const error = await rejected(
      DELETE,
      { input: { providerUuid: host.uuid, generation: host.generation, resourceClass: 'DISK_GB' } },
      'deleteInventory',
    );
    expect(error).toMatchObject({
      __typename: 'NotFound',
      code: 'NOT_FOUND',
      resourceType: 'Inventory',
      identifier: `${host.uuid}/DISK_GB`,
      field: 'resourceClass',
    });
    const unknown = await rejected(
      DELETE,
      { input: { providerUuid: host.uuid, generation: host.generation, resourceClass: 'CUSTOM_NOPE_NOPE' } },
      'deleteInventory',
    );
    expect(unknown).toMatchObject({ __typename: 'NotFound', resourceType: 'ResourceClass', field: 'resourceClass' });
    const lower = await rejected(
      DELETE,
      { input: { providerUuid: host.uuid, generation: host.generation, resourceClass: 'disk_gb' } },
      'deleteInventory',
    );
    expect(lower).toMatchObject({ __typename: 'InvalidInput', field: 'resourceClass' });
  });
});

describe('inventories in use', () => {
  it('removing an allocated class via setInventories → InUse, nothing changed', async () => {
    const host = await hostWith(env, uniqueName('inuse-set'), { VCPU: 4, MEMORY_MB: 1024 });
    await allocate(host.uuid, { MEMORY_MB: 256 });
    const generation = (await readProvider(host.uuid)).generation;
    const error = await rejected(
      SET,
      { input: { providerUuid: host.uuid, generation, inventories: [{ resourceClass: 'VCPU', total: 8 }] } },
      'setInventories',
    );
    expect(error).toMatchObject({
      __typename: 'InUse',
      code: 'IN_USE',
      resourceType: 'Inventory',
      identifier: `${host.uuid}/MEMORY_MB`,
    });
    const emptied = await rejected(
      SET,
      { input: { providerUuid: host.uuid, generation, inventories: [] } },
      'setInventories',
    );
    expect(emptied).toMatchObject({ __typename: 'InUse', identifier: `${host.uuid}/MEMORY_MB` });
    // Removing the unused class alone is fine.
    const ok = await gqlOk(
      SET,
      { input: { providerUuid: host.uuid, generation, inventories: [{ resourceClass: 'MEMORY_MB', total: 1024 }] } },
      'setInventories',
    );
    expect(ok.resourceProvider.inventories.map((i) => [i.resourceClass, i.used])).toEqual([['MEMORY_MB', 256]]);
  });

  it('removing an allocated class via deleteInventory → InUse, nothing changed', async () => {
    const host = await hostWith(env, uniqueName('inuse-delete'), { VCPU: 4 });
    await allocate(host.uuid, { VCPU: 1 });
    const generation = (await readProvider(host.uuid)).generation;
    const error = await rejected(
      DELETE,
      { input: { providerUuid: host.uuid, generation, resourceClass: 'VCPU' } },
      'deleteInventory',
    );
    expect(error).toMatchObject({
      __typename: 'InUse',
      code: 'IN_USE',
      resourceType: 'Inventory',
      identifier: `${host.uuid}/VCPU`,
    });
  });

  it('shrinking below usage is allowed with a warning; usage stays; new allocations do not fit', async () => {
    const host = await hostWith(env, uniqueName('shrink'), { VCPU: 8, MEMORY_MB: 1024 });
    await allocate(host.uuid, { VCPU: 6, MEMORY_MB: 512 });
    let generation = (await readProvider(host.uuid)).generation;
    const shrunk = await gqlOk(
      SET,
      {
        input: {
          providerUuid: host.uuid,
          generation,
          inventories: [
            { resourceClass: 'VCPU', total: 4 },
            { resourceClass: 'MEMORY_MB', total: 1024 },
          ],
        },
      },
      'setInventories',
    );
    expect(shrunk.__typename).toBe('InventoriesPayload');
    expect(shrunk.warnings).toHaveLength(1);
    expect(shrunk.warnings[0]).toMatch(/VCPU/);
    expect(shrunk.warnings[0]).toMatch(/6/);
    expect(shrunk.resourceProvider.inventories.find((i) => i.resourceClass === 'VCPU')).toMatchObject({
      capacity: 4,
      used: 6,
      free: 0,
    });
    generation += 1;

    const viaUpsert = await gqlOk(
      UPSERT,
      {
        input: {
          providerUuid: host.uuid,
          generation,
          inventory: { resourceClass: 'MEMORY_MB', total: 1024, reserved: 900 },
        },
      },
      'upsertInventory',
    );
    expect(viaUpsert.warnings).toHaveLength(1);
    expect(viaUpsert.warnings[0]).toMatch(/MEMORY_MB/);
    expect(viaUpsert.resourceProvider.inventories.find((i) => i.resourceClass === 'MEMORY_MB')).toMatchObject({
      capacity: 124,
      used: 512,
      free: 0,
    });

    const refused = await rejected(
      SET_ALLOCATIONS,
      {
        input: {
          consumerUuid: randomUUID(),
          consumerGeneration: null,
          projectId: 'p',
          userId: 'u',
          allocations: [{ providerUuid: host.uuid, resources: [{ resourceClass: 'VCPU', amount: 1 }] }],
        },
      },
      'setAllocations',
    );
    expect(refused).toMatchObject({
      __typename: 'CapacityExceeded',
      resourceClass: 'VCPU',
      requested: 1,
      used: 6,
      capacity: 4,
    });
  });

  it('an inventory update that keeps capacity above usage gives no warning', async () => {
    const host = await hostWith(env, uniqueName('no-warning'), { VCPU: 8 });
    await allocate(host.uuid, { VCPU: 4 });
    const generation = (await readProvider(host.uuid)).generation;
    const payload = await gqlOk(
      UPSERT,
      { input: { providerUuid: host.uuid, generation, inventory: { resourceClass: 'VCPU', total: 4 } } },
      'upsertInventory',
    );
    expect(payload.warnings).toEqual([]);
    expect(payload.resourceProvider.inventories[0]).toMatchObject({ capacity: 4, used: 4, free: 0 });
  });
});
