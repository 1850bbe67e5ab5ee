import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_FIELDS, hostWith, snapshot } from './support/fixtures.js';
import { createTestEnv, type TestEnv } from './support/harness.js';
import { assertPlacementInvariants } from './support/invariants.js';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => env?.close());

afterEach(() => assertPlacementInvariants(env));

const CONSUMER_FIELDS =
  'uuid generation projectId userId consumerType allocations { resourceClass amount resourceProvider { uuid } }';
const PAYLOAD = `${ERROR_FIELDS} ... on RetryLimitExceeded { attempts retryable }
  ... on AllocationsPayload { consumers { consumerUuid generation consumer { ${CONSUMER_FIELDS} } } }`;
const SET = `mutation($input: SetAllocationsInput!) { setAllocations(input: $input) { ${PAYLOAD} } }`;
const MOVE = `mutation($input: MoveAllocationsInput!) { moveAllocations(input: $input) { ${PAYLOAD} } }`;
const DELETE = `mutation($input: DeleteAllocationsInput!) { deleteAllocations(input: $input) { ${PAYLOAD} } }`;

const uniqueName = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
type Resources = Record<string, number>;

/** A SetAllocationsInput; `on` maps provider uuid → class → amount. */
function consumerInput(
  consumerUuid: string,
  consumerGeneration: number | null | undefined,
  on: Record<string, Resources>,
  extra: Record<string, unknown> = {},
) {
  const input: Record<string, unknown> = {
    consumerUuid,
    projectId: 'project-a',
    userId: 'user-a',
    allocations: Object.entries(on).map(([providerUuid, resources]) => ({
      providerUuid,
      resources: Object.entries(resources).map(([resourceClass, amount]) => ({ resourceClass, amount })),
    })),
    ...extra,
  };
  if (consumerGeneration !== undefined) input.consumerGeneration = consumerGeneration;
  return input;
}

interface Consumer {
  uuid: string;
  generation: number;
  projectId: string;
  userId: string;
  consumerType: string | null;
  allocations: { resourceClass: string; amount: number; resourceProvider: { uuid: string } }[];
}

interface ConsumerWritten {
  consumerUuid: string;
  generation: number;
  consumer: Consumer;
}

/**
 * What these tests read from a write's answer: an AllocationsPayload or a typed error (its other
 * fields, from ERROR_FIELDS, are only compared whole).
 */
interface Payload {
  __typename: string;
  code?: string;
  consumers: ConsumerWritten[];
  [errorField: string]: unknown;
}

async function run(query: string, input: unknown, field: string): Promise<Payload> {
  const result = await env.gql<Record<string, Payload>>(query, { input });
  expect(result.errors).toBeUndefined();
  return result.data?.[field] as Payload;
}

async function setOk(input: Record<string, unknown>): Promise<ConsumerWritten> {
  const payload = await run(SET, input, 'setAllocations');
  expect(payload.__typename, JSON.stringify(payload)).toBe('AllocationsPayload');
  return payload.consumers[0] as ConsumerWritten;
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
async function rejected(query: string, input: unknown, field: string): Promise<Payload> {
  const before = await snapshot(env);
  const payload = await run(query, input, field);
  expect(payload.__typename, JSON.stringify(payload)).not.toBe('AllocationsPayload');
  expect(payload.code).toBe(ERROR_CODES[payload.__typename]);
  expect(await snapshot(env)).toBe(before);
  return payload;
}

interface ProviderRead {
  generation: number;
  inventories: { resourceClass: string; capacity: number; used: number; free: number }[];
  usages: { resourceClass: string; used: number }[];
}

async function provider(uuid: string): Promise<ProviderRead> {
  const result = await env.gql<{ resourceProvider: ProviderRead }>(
    `query($uuid: String!) { resourceProvider(uuid: $uuid) { generation inventories { resourceClass capacity used free } usages { resourceClass used } } }`,
    { uuid },
  );
  expect(result.errors).toBeUndefined();
  return result.data?.resourceProvider as ProviderRead;
}

async function usedOn(uuid: string): Promise<Record<string, number>> {
  const p = await provider(uuid);
  return Object.fromEntries(p.usages.map((u) => [u.resourceClass, u.used]));
}

async function consumer(uuid: string): Promise<Consumer> {
  const result = await env.gql<{ consumer: Consumer }>(
    `query($uuid: String!) { consumer(uuid: $uuid) { ${CONSUMER_FIELDS} } }`,
    { uuid },
  );
  expect(result.errors).toBeUndefined();
  return result.data?.consumer as Consumer;
}

describe('setAllocations: writes and reads back', () => {
  it('creates a consumer, moves usage counters, bumps the provider generation, reads back everywhere', async () => {
    const host = await hostWith(env, uniqueName('basic'), { VCPU: 8, MEMORY_MB: 4096, DISK_GB: 100 });
    const uuid = randomUUID();
    const written = await setOk(
      consumerInput(uuid, null, { [host.uuid]: { VCPU: 2, MEMORY_MB: 1024 } }, { consumerType: 'INSTANCE' }),
    );
    expect(written).toEqual({
      consumerUuid: uuid,
      generation: 1,
      consumer: {
        uuid,
        generation: 1,
        projectId: 'project-a',
        userId: 'user-a',
        consumerType: 'INSTANCE',
        allocations: [
          { resourceClass: 'MEMORY_MB', amount: 1024, resourceProvider: { uuid: host.uuid } },
          { resourceClass: 'VCPU', amount: 2, resourceProvider: { uuid: host.uuid } },
        ],
      },
    });
    expect(await consumer(uuid)).toEqual(written.consumer);
    const p = await provider(host.uuid);
    expect(p.generation).toBe(host.generation + 1);
    expect(p.usages).toEqual([
      { resourceClass: 'DISK_GB', used: 0 },
      { resourceClass: 'MEMORY_MB', used: 1024 },
      { resourceClass: 'VCPU', used: 2 },
    ]);
    expect(p.inventories.find((i) => i.resourceClass === 'VCPU')).toEqual({
      resourceClass: 'VCPU',
      capacity: 8,
      used: 2,
      free: 6,
    });

    const listed = await env.gql<{
      resourceProvider: {
        allocations: { totalCount: number; edges: { node: { resourceClass: string; [field: string]: unknown } }[] };
      };
    }>(
      `query($uuid: String!) { resourceProvider(uuid: $uuid) { allocations(first: 10) { totalCount edges { node { resourceClass amount consumer { uuid } resourceProvider { uuid } } } } } }`,
      { uuid: host.uuid },
    );
    expect(listed.errors).toBeUndefined();
    const connection = listed.data!.resourceProvider.allocations;
    expect(connection.totalCount).toBe(2);
    expect(connection.edges.map((e) => e.node).sort((a, b) => a.resourceClass.localeCompare(b.resourceClass))).toEqual([
      { resourceClass: 'MEMORY_MB', amount: 1024, consumer: { uuid }, resourceProvider: { uuid: host.uuid } },
      { resourceClass: 'VCPU', amount: 2, consumer: { uuid }, resourceProvider: { uuid: host.uuid } },
    ]);
  });

  it('accepts a dashless upper-case consumer uuid and stores it lower-case dashed', async () => {
    const host = await hostWith(env, uniqueName('dashless'), { VCPU: 4 });
    const uuid = randomUUID();
    const written = await setOk(
      consumerInput(uuid.replace(/-/g, '').toUpperCase(), null, { [host.uuid.replace(/-/g, '')]: { VCPU: 1 } }),
    );
    expect(written).toMatchObject({ consumerUuid: uuid, generation: 1 });
    expect((await consumer(uuid.toUpperCase()))?.uuid).toBe(uuid);
    expect((await consumer(uuid.replace(/-/g, '')))?.uuid).toBe(uuid);
  });

  it('consumer query: unknown uuid → null; malformed → INVALID_INPUT on uuid, as resourceProvider(uuid:)', async () => {
    expect(await consumer(randomUUID())).toBeNull();
    const malformed = await env.gql('{ consumer(uuid: "not-a-uuid") { uuid } }');
    expect(malformed.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_INPUT', field: 'uuid', rule: 'uuid' });
  });

  it('a second write replaces all allocations (across providers); counters and generations follow', async () => {
    const a = await hostWith(env, uniqueName('replace-a'), { VCPU: 8, MEMORY_MB: 4096 });
    const b = await hostWith(env, uniqueName('replace-b'), { VCPU: 8, MEMORY_MB: 4096 });
    const c = await hostWith(env, uniqueName('replace-c'), { VCPU: 8 });
    const uuid = randomUUID();
    await setOk(consumerInput(uuid, null, { [a.uuid]: { VCPU: 2, MEMORY_MB: 512 }, [b.uuid]: { VCPU: 1 } }));
    expect(await usedOn(a.uuid)).toEqual({ VCPU: 2, MEMORY_MB: 512 });
    expect(await usedOn(b.uuid)).toEqual({ VCPU: 1, MEMORY_MB: 0 });

    const second = await setOk(
      consumerInput(uuid, 1, { [b.uuid]: { VCPU: 4, MEMORY_MB: 1024 } }, { projectId: 'project-b', userId: 'user-b' }),
    );
    expect(second.generation).toBe(2);
    expect(second.consumer).toMatchObject({ generation: 2, projectId: 'project-b', userId: 'user-b' });
    expect(second.consumer.allocations).toEqual([
      { resourceClass: 'MEMORY_MB', amount: 1024, resourceProvider: { uuid: b.uuid } },
      { resourceClass: 'VCPU', amount: 4, resourceProvider: { uuid: b.uuid } },
    ]);
    expect(await usedOn(a.uuid)).toEqual({ VCPU: 0, MEMORY_MB: 0 });
    expect(await usedOn(b.uuid)).toEqual({ VCPU: 4, MEMORY_MB: 1024 });
    // a lost its allocations (touched), b changed (touched), c untouched.
    expect((await provider(a.uuid)).generation).toBe(a.generation + 2);
    expect((await provider(b.uuid)).generation).toBe(b.generation + 2);
    expect((await provider(c.uuid)).generation).toBe(c.generation);
  });

  it('consumerType is kept when omitted and replaced when given', async () => {
    const host = await hostWith(env, uniqueName('ctype'), { VCPU: 8 });
    const uuid = randomUUID();
    await setOk(consumerInput(uuid, null, { [host.uuid]: { VCPU: 1 } }, { consumerType: 'INSTANCE' }));
    expect((await setOk(consumerInput(uuid, 1, { [host.uuid]: { VCPU: 2 } }))).consumer.consumerType).toBe('INSTANCE');
    expect(
      (await setOk(consumerInput(uuid, 2, { [host.uuid]: { VCPU: 2 } }, { consumerType: 'MIGRATION' }))).consumer
        .consumerType,
    ).toBe('MIGRATION');
  });

  it('an empty allocations list removes the consumer; writing it again starts from null', async () => {
    const host = await hostWith(env, uniqueName('empty'), { VCPU: 8 });
    const uuid = randomUUID();
    await setOk(consumerInput(uuid, null, { [host.uuid]: { VCPU: 3 } }));
    const gone = await setOk(consumerInput(uuid, 1, {}));
    expect(gone).toEqual({ consumerUuid: uuid, generation: null, consumer: null });
    expect(await consumer(uuid)).toBeNull();
    expect(await usedOn(host.uuid)).toEqual({ VCPU: 0 });
    expect((await provider(host.uuid)).generation).toBe(host.generation + 2);
    const stale = await rejected(SET, consumerInput(uuid, 1, { [host.uuid]: { VCPU: 1 } }), 'setAllocations');
    expect(stale).toMatchObject({
      __typename: 'ConsumerGenerationConflict',
      expectedConsumerGeneration: 1,
      actualConsumerGeneration: null,
    });
    expect(await setOk(consumerInput(uuid, null, { [host.uuid]: { VCPU: 1 } }))).toMatchObject({ generation: 1 });
  });

  it('an empty write for a consumer that does not exist is a no-op', async () => {
    const host = await hostWith(env, uniqueName('noop'), { VCPU: 8 });
    const uuid = randomUUID();
    const before = await snapshot(env);
    expect(await setOk(consumerInput(uuid, null, {}))).toEqual({
      consumerUuid: uuid,
      generation: null,
      consumer: null,
    });
    expect(await snapshot(env)).toBe(before);
    expect((await provider(host.uuid)).generation).toBe(host.generation);
  });

  it('a write that reduces an existing over-use is allowed; one that increases it is not', async () => {
    const host = await hostWith(env, uniqueName('overuse'), { VCPU: 8, MEMORY_MB: 1024 });
    const uuid = randomUUID();
    await setOk(consumerInput(uuid, null, { [host.uuid]: { VCPU: 8, MEMORY_MB: 512 } }));
    const generation = (await provider(host.uuid)).generation;
    const shrunk = await run(
      `mutation($input: SetInventoriesInput!) { setInventories(input: $input) { ${ERROR_FIELDS} ... on InventoriesPayload { warnings } } }`,
      {
        providerUuid: host.uuid,
        generation,
        inventories: [
          { resourceClass: 'VCPU', total: 4 },
          { resourceClass: 'MEMORY_MB', total: 1024 },
        ],
      },
      'setInventories',
    );
    expect(shrunk.warnings).toHaveLength(1);

    // 8 → 6 on VCPU (still above capacity 4): allowed. MEMORY_MB unchanged.
    const reduced = await setOk(consumerInput(uuid, 1, { [host.uuid]: { VCPU: 6, MEMORY_MB: 512 } }));
    expect(reduced.generation).toBe(2);
    expect(await usedOn(host.uuid)).toEqual({ VCPU: 6, MEMORY_MB: 512 });
    // Reducing VCPU while growing MEMORY_MB within its capacity: allowed too.
    await setOk(consumerInput(uuid, 2, { [host.uuid]: { VCPU: 5, MEMORY_MB: 1024 } }));
    expect(await usedOn(host.uuid)).toEqual({ VCPU: 5, MEMORY_MB: 1024 });

    const grow = await rejected(
      SET,
      consumerInput(uuid, 3, { [host.uuid]: { VCPU: 6, MEMORY_MB: 1024 } }),
      'setAllocations',
    );
    expect(grow).toMatchObject({
      __typename: 'CapacityExceeded',
      code: 'CAPACITY_EXCEEDED',
      providerUuid: host.uuid,
      resourceClass: 'VCPU',
      requested: 1,
      used: 5,
      capacity: 4,
    });
    const other = await rejected(
      SET,
      consumerInput(randomUUID(), null, { [host.uuid]: { VCPU: 1 } }),
      'setAllocations',
    );
    expect(other).toMatchObject({
      __typename: 'CapacityExceeded',
      resourceClass: 'VCPU',
      requested: 1,
      used: 5,
      capacity: 4,
    });
  });

  it('fills a provider exactly to capacity (with allocation ratio), then refuses one more', async () => {
    const host = await hostWith(env, uniqueName('fill'), { VCPU: { total: 4, allocationRatio: 2.5 } });
    await setOk(consumerInput(randomUUID(), null, { [host.uuid]: { VCPU: 6 } }));
    await setOk(consumerInput(randomUUID(), null, { [host.uuid]: { VCPU: 4 } }));
    expect((await provider(host.uuid)).inventories[0]).toEqual({
      resourceClass: 'VCPU',
      capacity: 10,
      used: 10,
      free: 0,
    });
    const error = await rejected(
      SET,
      consumerInput(randomUUID(), null, { [host.uuid]: { VCPU: 1 } }),
      'setAllocations',
    );
    expect(error).toMatchObject({
      __typename: 'CapacityExceeded',
      providerUuid: host.uuid,
      resourceClass: 'VCPU',
      requested: 1,
      used: 10,
      capacity: 10,
    });
  });

  it('allocates a custom class', async () => {
    const name = `CUSTOM_ALLOC_${randomUUID().slice(0, 8).toUpperCase()}`;
    const created = await run(
      `mutation($input: CreateResourceClassInput!) { createResourceClass(input: $input) { __typename } }`,
      { name },
      'createResourceClass',
    );
    expect(created.__typename).toBe('ResourceClassPayload');
    const host = await hostWith(env, uniqueName('custom'), { [name]: 2 });
    await setOk(consumerInput(randomUUID(), null, { [host.uuid]: { [name]: 2 } }));
    expect(await usedOn(host.uuid)).toEqual({ [name]: 2 });
  });
});

describe('setAllocations: bad input → typed error, nothing changed', () => {
  it('non-uuid consumer → InvalidInput uuid', async () => {
    const host = await hostWith(env, uniqueName('bad-consumer'), { VCPU: 4 });
    for (const bad of ['not-a-uuid', '', '1234', `${randomUUID()}0`, 'g'.repeat(32)]) {
      const error = await rejected(SET, consumerInput(bad, null, { [host.uuid]: { VCPU: 1 } }), 'setAllocations');
      expect(error).toMatchObject({
        __typename: 'InvalidInput',
        code: 'INVALID_INPUT',
        field: 'consumerUuid',
        rule: 'uuid',
      });
    }
  });

  it.each([
    { amount: 0, rule: 'min:1' },
    { amount: -1, rule: 'min:1' },
    { amount: -2147483648, rule: 'min:1' },
    { amount: 2147483648, rule: 'max:2147483647' },
  ])('amount $amount → InvalidInput $rule', async ({ amount, rule }) => {
    const host = await hostWith(env, uniqueName('bad-amount'), { VCPU: 4, MEMORY_MB: 1024 });
    const error = await rejected(
      SET,
      consumerInput(randomUUID(), null, { [host.uuid]: { MEMORY_MB: 128, VCPU: amount } }),
      'setAllocations',
    );
    expect(error).toMatchObject({
      __typename: 'InvalidInput',
      code: 'INVALID_INPUT',
      field: 'allocations[0].resources[1].amount',
      rule,
    });
    expect(error.message).toContain('allocations[0].resources[1].amount');
  });

  it('malformed or unknown provider', async () => {
    const host = await hostWith(env, uniqueName('unknown-provider'), { VCPU: 4 });
    const missing = randomUUID();
    const error = await rejected(
      SET,
      consumerInput(randomUUID(), null, { [host.uuid]: { VCPU: 1 }, [missing]: { VCPU: 1 } }),
      'setAllocations',
    );
    expect(error).toMatchObject({
      __typename: 'NotFound',
      code: 'NOT_FOUND',
      resourceType: 'ResourceProvider',
      identifier: missing,
      field: 'allocations[1].providerUuid',
    });
    const bad = await rejected(
      SET,
      consumerInput(randomUUID(), null, { 'not-a-provider': { VCPU: 1 } }),
      'setAllocations',
    );
    expect(bad).toMatchObject({ __typename: 'InvalidInput', field: 'allocations[0].providerUuid', rule: 'uuid' });
  });

  it('unknown class → NotFound naming the entry; malformed class → InvalidInput', async () => {
    const host = await hostWith(env, uniqueName('unknown-class'), { VCPU: 4 });
    const error = await rejected(
      SET,
      consumerInput(randomUUID(), null, { [host.uuid]: { VCPU: 1, CUSTOM_NEVER_DEFINED: 1 } }),
      'setAllocations',
    );
    expect(error).toMatchObject({
      __typename: 'NotFound',
      code: 'NOT_FOUND',
      resourceType: 'ResourceClass',
      identifier: 'CUSTOM_NEVER_DEFINED',
      field: 'allocations[0].resources[1].resourceClass',
    });
    const bad = await rejected(SET, consumerInput(randomUUID(), null, { [host.uuid]: { vcpu: 1 } }), 'setAllocations');
    expect(bad).toMatchObject({ __typename: 'InvalidInput', field: 'allocations[0].resources[0].resourceClass' });
  });

  it('class without inventory on that provider → InvalidInput inventory-exists', async () => {
    const a = await hostWith(env, uniqueName('no-inv-a'), { VCPU: 4, DISK_GB: 10 });
    const b = await hostWith(env, uniqueName('no-inv-b'), { VCPU: 4 });
    const error = await rejected(
      SET,
      consumerInput(randomUUID(), null, { [a.uuid]: { DISK_GB: 5 }, [b.uuid]: { VCPU: 1, DISK_GB: 5 } }),
      'setAllocations',
    );
    expect(error).toMatchObject({
      __typename: 'InvalidInput',
      code: 'INVALID_INPUT',
      field: 'allocations[1].resources[1].resourceClass',
      rule: 'inventory-exists',
    });
  });

  it('over capacity → CapacityExceeded with requested, used and capacity', async () => {
    const host = await hostWith(env, uniqueName('over'), { VCPU: 4, MEMORY_MB: 1024 });
    await setOk(consumerInput(randomUUID(), null, { [host.uuid]: { VCPU: 3, MEMORY_MB: 100 } }));
    const error = await rejected(
      SET,
      consumerInput(randomUUID(), null, { [host.uuid]: { MEMORY_MB: 100, VCPU: 2 } }),
      'setAllocations',
    );
    expect(error).toMatchObject({
      __typename: 'CapacityExceeded',
      code: 'CAPACITY_EXCEEDED',
      providerUuid: host.uuid,
      resourceClass: 'VCPU',
      requested: 2,
      used: 3,
      capacity: 4,
    });
    const huge = await rejected(
      SET,
      consumerInput(randomUUID(), null, { [host.uuid]: { MEMORY_MB: 5000 } }),
      'setAllocations',
    );
    expect(huge).toMatchObject({
      __typename: 'CapacityExceeded',
      resourceClass: 'MEMORY_MB',
      requested: 5000,
      used: 100,
      capacity: 1024,
    });
  });

  it.each([
    { amount: 1, rule: 'minUnit:2' },
    { amount: 10, rule: 'maxUnit:8' },
    { amount: 3, rule: 'stepSize:2' },
    { amount: 7, rule: 'stepSize:2' },
  ])('amount $amount breaks a unit rule → InvalidInput $rule', async ({ amount, rule }) => {
    const host = await hostWith(env, uniqueName('units'), { VCPU: { total: 64, minUnit: 2, maxUnit: 8, stepSize: 2 } });
    const error = await rejected(
      SET,
      consumerInput(randomUUID(), null, { [host.uuid]: { VCPU: amount } }),
      'setAllocations',
    );
    expect(error).toMatchObject({
      __typename: 'InvalidInput',
      code: 'INVALID_INPUT',
      field: 'allocations[0].resources[0].amount',
      rule,
    });
  });

  it('amounts on the unit grid are accepted', async () => {
    const host = await hostWith(env, uniqueName('units-ok'), {
      VCPU: { total: 64, minUnit: 2, maxUnit: 8, stepSize: 2 },
    });
    for (const amount of [2, 4, 8]) await setOk(consumerInput(randomUUID(), null, { [host.uuid]: { VCPU: amount } }));
    expect(await usedOn(host.uuid)).toEqual({ VCPU: 14 });
  });

  it('the same provider and class twice for one consumer → InvalidInput unique', async () => {
    const host = await hostWith(env, uniqueName('dup-pair'), { VCPU: 4 });
    const input = consumerInput(randomUUID(), null, {});
    input.allocations = [
      { providerUuid: host.uuid, resources: [{ resourceClass: 'VCPU', amount: 1 }] },
      { providerUuid: host.uuid, resources: [{ resourceClass: 'VCPU', amount: 1 }] },
    ];
    const error = await rejected(SET, input, 'setAllocations');
    expect(error).toMatchObject({
      __typename: 'InvalidInput',
      field: 'allocations[1].resources[0].resourceClass',
      rule: 'unique',
    });
  });

  it('empty resources list for a provider → InvalidInput', async () => {
    const host = await hostWith(env, uniqueName('no-resources'), { VCPU: 4 });
    const error = await rejected(SET, consumerInput(randomUUID(), null, { [host.uuid]: {} }), 'setAllocations');
    expect(error).toMatchObject({ __typename: 'InvalidInput', field: 'allocations[0].resources', rule: 'min:1' });
  });

  it('empty projectId / userId → InvalidInput', async () => {
    const host = await hostWith(env, uniqueName('ids'), { VCPU: 4 });
    const noProject = await rejected(
      SET,
      consumerInput(randomUUID(), null, { [host.uuid]: { VCPU: 1 } }, { projectId: '' }),
      'setAllocations',
    );
    expect(noProject).toMatchObject({ __typename: 'InvalidInput', field: 'projectId', rule: 'minLength:1' });
    const noUser = await rejected(
      SET,
      consumerInput(randomUUID(), null, { [host.uuid]: { VCPU: 1 } }, { userId: '' }),
      'setAllocations',
    );
    expect(noUser).toMatchObject({ __typename: 'InvalidInput', field: 'userId', rule: 'minLength:1' });
  });
});

describe('consumer generation', () => {
  it('missing consumerGeneration (field omitted) → InvalidInput required', async () => {
    const host = await hostWith(env, uniqueName('gen-missing'), { VCPU: 4 });
    const fresh = await rejected(
      SET,
      consumerInput(randomUUID(), undefined, { [host.uuid]: { VCPU: 1 } }),
      'setAllocations',
    );
    expect(fresh).toMatchObject({
      __typename: 'InvalidInput',
      code: 'INVALID_INPUT',
      field: 'consumerGeneration',
      rule: 'required',
    });
    const uuid = randomUUID();
    await setOk(consumerInput(uuid, null, { [host.uuid]: { VCPU: 1 } }));
    const existing = await rejected(
      SET,
      consumerInput(uuid, undefined, { [host.uuid]: { VCPU: 2 } }),
      'setAllocations',
    );
    expect(existing).toMatchObject({ __typename: 'InvalidInput', field: 'consumerGeneration', rule: 'required' });
    const inMove = await rejected(
      MOVE,
      { consumers: [consumerInput(uuid, 1, { [host.uuid]: { VCPU: 2 } }), consumerInput(randomUUID(), undefined, {})] },
      'moveAllocations',
    );
    expect(inMove).toMatchObject({
      __typename: 'InvalidInput',
      field: 'consumers[1].consumerGeneration',
      rule: 'required',
    });
  });

  it('non-null generation for a new consumer → ConsumerGenerationConflict (actual null)', async () => {
    const host = await hostWith(env, uniqueName('gen-new'), { VCPU: 4 });
    const uuid = randomUUID();
    for (const generation of [0, 1, 5]) {
      const error = await rejected(
        SET,
        consumerInput(uuid, generation, { [host.uuid]: { VCPU: 1 } }),
        'setAllocations',
      );
      expect(error).toMatchObject({
        __typename: 'ConsumerGenerationConflict',
        code: 'CONSUMER_GENERATION_CONFLICT',
        consumerUuid: uuid,
        expectedConsumerGeneration: generation,
        actualConsumerGeneration: null,
      });
    }
  });

  it('null generation for an existing consumer → ConsumerGenerationConflict (expected null)', async () => {
    const host = await hostWith(env, uniqueName('gen-exists'), { VCPU: 4 });
    const uuid = randomUUID();
    await setOk(consumerInput(uuid, null, { [host.uuid]: { VCPU: 1 } }));
    const error = await rejected(SET, consumerInput(uuid, null, { [host.uuid]: { VCPU: 2 } }), 'setAllocations');
    expect(error).toMatchObject({
      __typename: 'ConsumerGenerationConflict',
      consumerUuid: uuid,
      expectedConsumerGeneration: null,
      actualConsumerGeneration: 1,
    });
    const emptying = await rejected(SET, consumerInput(uuid, null, {}), 'setAllocations');
    expect(emptying).toMatchObject({
      __typename: 'ConsumerGenerationConflict',
      expectedConsumerGeneration: null,
      actualConsumerGeneration: 1,
    });
  });

  it('stale generation → ConsumerGenerationConflict; each write bumps it by 1', async () => {
    const host = await hostWith(env, uniqueName('gen-stale'), { VCPU: 8 });
    const uuid = randomUUID();
    await setOk(consumerInput(uuid, null, { [host.uuid]: { VCPU: 1 } }));
    expect((await setOk(consumerInput(uuid, 1, { [host.uuid]: { VCPU: 2 } }))).generation).toBe(2);
    expect((await setOk(consumerInput(uuid, 2, { [host.uuid]: { VCPU: 2 } }))).generation).toBe(3);
    for (const stale of [0, 1, 2, 4]) {
      const error = await rejected(SET, consumerInput(uuid, stale, { [host.uuid]: { VCPU: 3 } }), 'setAllocations');
      expect(error).toMatchObject({
        __typename: 'ConsumerGenerationConflict',
        consumerUuid: uuid,
        expectedConsumerGeneration: stale,
        actualConsumerGeneration: 3,
      });
    }
    const negative = await rejected(SET, consumerInput(uuid, -1, { [host.uuid]: { VCPU: 3 } }), 'setAllocations');
    expect(negative).toMatchObject({ __typename: 'InvalidInput', field: 'consumerGeneration', rule: 'min:0' });
  });
});

describe('deleteAllocations', () => {
  it('with the right generation removes every allocation and the consumer', async () => {
    const a = await hostWith(env, uniqueName('del-a'), { VCPU: 8, MEMORY_MB: 1024 });
    const b = await hostWith(env, uniqueName('del-b'), { DISK_GB: 100 });
    const uuid = randomUUID();
    await setOk(consumerInput(uuid, null, { [a.uuid]: { VCPU: 2, MEMORY_MB: 256 }, [b.uuid]: { DISK_GB: 20 } }));
    await setOk(consumerInput(uuid, 1, { [a.uuid]: { VCPU: 3, MEMORY_MB: 256 }, [b.uuid]: { DISK_GB: 20 } }));
    const stale = await rejected(DELETE, { consumerUuid: uuid, consumerGeneration: 1 }, 'deleteAllocations');
    expect(stale).toMatchObject({
      __typename: 'ConsumerGenerationConflict',
      consumerUuid: uuid,
      expectedConsumerGeneration: 1,
      actualConsumerGeneration: 2,
    });
    const generations = [(await provider(a.uuid)).generation, (await provider(b.uuid)).generation];

    const payload = await run(DELETE, { consumerUuid: uuid, consumerGeneration: 2 }, 'deleteAllocations');
    expect(payload).toEqual({
      __typename: 'AllocationsPayload',
      consumers: [{ consumerUuid: uuid, generation: null, consumer: null }],
    });
    expect(await consumer(uuid)).toBeNull();
    expect(await usedOn(a.uuid)).toEqual({ VCPU: 0, MEMORY_MB: 0 });
    expect(await usedOn(b.uuid)).toEqual({ DISK_GB: 0 });
    expect((await provider(a.uuid)).generation).toBe(generations[0]! + 1);
    expect((await provider(b.uuid)).generation).toBe(generations[1]! + 1);
  });

  it('unknown consumer → NotFound; malformed → InvalidInput; a second delete → NotFound', async () => {
    const host = await hostWith(env, uniqueName('del-missing'), { VCPU: 8 });
    const missing = randomUUID();
    const error = await rejected(DELETE, { consumerUuid: missing, consumerGeneration: 1 }, 'deleteAllocations');
    expect(error).toMatchObject({
      __typename: 'NotFound',
      code: 'NOT_FOUND',
      resourceType: 'Consumer',
      identifier: missing,
      field: 'consumerUuid',
    });
    const bad = await rejected(DELETE, { consumerUuid: 'nope', consumerGeneration: 1 }, 'deleteAllocations');
    expect(bad).toMatchObject({ __typename: 'InvalidInput', field: 'consumerUuid', rule: 'uuid' });
    const uuid = randomUUID();
    await setOk(consumerInput(uuid, null, { [host.uuid]: { VCPU: 1 } }));
    expect((await run(DELETE, { consumerUuid: uuid, consumerGeneration: 1 }, 'deleteAllocations')).__typename).toBe(
      'AllocationsPayload',
    );
    const again = await rejected(DELETE, { consumerUuid: uuid, consumerGeneration: 1 }, 'deleteAllocations');
    expect(again).toMatchObject({ __typename: 'NotFound', resourceType: 'Consumer' });
  });
});

describe('moveAllocations', () => {
  it('moves an instance to a destination host and gives the source to a migration consumer, atomically', async () => {
    const source = await hostWith(env, uniqueName('src'), { VCPU: 4, MEMORY_MB: 2048 });
    const dest = await hostWith(env, uniqueName('dst'), { VCPU: 4, MEMORY_MB: 2048 });
    const instance = randomUUID();
    const migration = randomUUID();
    await setOk(
      consumerInput(instance, null, { [source.uuid]: { VCPU: 4, MEMORY_MB: 2048 } }, { consumerType: 'INSTANCE' }),
    );
    const sourceGeneration = (await provider(source.uuid)).generation;

    // Source is full: the migration consumer can only take the source allocations in the
    // same write that frees them from the instance.
    const payload = await run(
      MOVE,
      {
        consumers: [
          consumerInput(instance, 1, { [dest.uuid]: { VCPU: 4, MEMORY_MB: 2048 } }),
          consumerInput(
            migration,
            null,
            { [source.uuid]: { VCPU: 4, MEMORY_MB: 2048 } },
            { consumerType: 'MIGRATION' },
          ),
        ],
      },
      'moveAllocations',
    );
    expect(payload.__typename, JSON.stringify(payload)).toBe('AllocationsPayload');
    expect(payload.consumers.map((c) => [c.consumerUuid, c.generation])).toEqual([
      [instance, 2],
      [migration, 1],
    ]);
    expect((await consumer(instance)).allocations.map((a) => a.resourceProvider.uuid)).toEqual([dest.uuid, dest.uuid]);
    expect(await consumer(migration)).toMatchObject({ consumerType: 'MIGRATION', generation: 1 });
    expect(await usedOn(source.uuid)).toEqual({ VCPU: 4, MEMORY_MB: 2048 });
    expect(await usedOn(dest.uuid)).toEqual({ VCPU: 4, MEMORY_MB: 2048 });
    // Source had rows replaced (old rows of the instance, new rows of the migration): touched once.
    expect((await provider(source.uuid)).generation).toBe(sourceGeneration + 1);

    // Confirm the migration: drop the migration consumer.
    const confirm = await run(MOVE, { consumers: [consumerInput(migration, 1, {})] }, 'moveAllocations');
    expect(confirm.consumers).toEqual([{ consumerUuid: migration, generation: null, consumer: null }]);
    expect(await usedOn(source.uuid)).toEqual({ VCPU: 0, MEMORY_MB: 0 });
    expect(await usedOn(dest.uuid)).toEqual({ VCPU: 4, MEMORY_MB: 2048 });
    expect(await consumer(migration)).toBeNull();
  });

  it('a move that fails on one consumer changes nothing for any', async () => {
    const source = await hostWith(env, uniqueName('src-fail'), { VCPU: 4 });
    const dest = await hostWith(env, uniqueName('dst-fail'), { VCPU: 2 });
    const instance = randomUUID();
    await setOk(consumerInput(instance, null, { [source.uuid]: { VCPU: 4 } }));
    const error = await rejected(
      MOVE,
      {
        consumers: [
          consumerInput(randomUUID(), null, { [source.uuid]: { VCPU: 4 } }),
          consumerInput(instance, 1, { [dest.uuid]: { VCPU: 4 } }),
        ],
      },
      'moveAllocations',
    );
    expect(error).toMatchObject({
      __typename: 'CapacityExceeded',
      providerUuid: dest.uuid,
      requested: 4,
      used: 0,
      capacity: 2,
    });
    const conflict = await rejected(
      MOVE,
      {
        consumers: [
          consumerInput(instance, 1, { [dest.uuid]: { VCPU: 2 } }),
          consumerInput(randomUUID(), 3, { [source.uuid]: { VCPU: 4 } }),
        ],
      },
      'moveAllocations',
    );
    expect(conflict).toMatchObject({
      __typename: 'ConsumerGenerationConflict',
      expectedConsumerGeneration: 3,
      actualConsumerGeneration: null,
    });
  });

  it('several consumers whose sum exceeds capacity → CapacityExceeded on the sum', async () => {
    const host = await hostWith(env, uniqueName('sum'), { VCPU: 10, MEMORY_MB: 1000 });
    await setOk(consumerInput(randomUUID(), null, { [host.uuid]: { VCPU: 1 } }));
    const error = await rejected(
      MOVE,
      {
        consumers: [
          consumerInput(randomUUID(), null, { [host.uuid]: { VCPU: 5, MEMORY_MB: 100 } }),
          consumerInput(randomUUID(), null, { [host.uuid]: { VCPU: 4, MEMORY_MB: 100 } }),
          consumerInput(randomUUID(), null, { [host.uuid]: { VCPU: 1 } }),
        ],
      },
      'moveAllocations',
    );
    expect(error).toMatchObject({
      __typename: 'CapacityExceeded',
      providerUuid: host.uuid,
      resourceClass: 'VCPU',
      requested: 10,
      used: 1,
      capacity: 10,
    });
    // Each alone fits, and the sum minus one fits.
    const ok = await run(
      MOVE,
      {
        consumers: [
          consumerInput(randomUUID(), null, { [host.uuid]: { VCPU: 5, MEMORY_MB: 100 } }),
          consumerInput(randomUUID(), null, { [host.uuid]: { VCPU: 4, MEMORY_MB: 100 } }),
        ],
      },
      'moveAllocations',
    );
    expect(ok.__typename).toBe('AllocationsPayload');
    expect(await usedOn(host.uuid)).toEqual({ VCPU: 10, MEMORY_MB: 200 });
  });

  it('bad input inside a move names the consumer index', async () => {
    const host = await hostWith(env, uniqueName('move-bad'), { VCPU: { total: 8, stepSize: 2 } });
    const ok = consumerInput(randomUUID(), null, { [host.uuid]: { VCPU: 2 } });
    const cases: [Record<string, unknown>, Record<string, unknown>][] = [
      [
        consumerInput('nope', null, { [host.uuid]: { VCPU: 2 } }),
        { __typename: 'InvalidInput', field: 'consumers[1].consumerUuid', rule: 'uuid' },
      ],
      [
        consumerInput(randomUUID(), null, { [host.uuid]: { VCPU: 0 } }),
        { __typename: 'InvalidInput', field: 'consumers[1].allocations[0].resources[0].amount', rule: 'min:1' },
      ],
      [
        consumerInput(randomUUID(), null, { [host.uuid]: { VCPU: 3 } }),
        { __typename: 'InvalidInput', field: 'consumers[1].allocations[0].resources[0].amount', rule: 'stepSize:2' },
      ],
      [
        consumerInput(randomUUID(), null, { [host.uuid]: { DISK_GB: 2 } }),
        {
          __typename: 'InvalidInput',
          field: 'consumers[1].allocations[0].resources[0].resourceClass',
          rule: 'inventory-exists',
        },
      ],
      [
        consumerInput(randomUUID(), null, { [host.uuid]: { CUSTOM_NOT_THERE: 2 } }),
        { __typename: 'NotFound', field: 'consumers[1].allocations[0].resources[0].resourceClass' },
      ],
      [
        consumerInput(ok.consumerUuid as string, null, {}),
        { __typename: 'InvalidInput', field: 'consumers[1].consumerUuid', rule: 'unique' },
      ],
    ];
    for (const [second, expected] of cases) {
      const error = await rejected(MOVE, { consumers: [ok, second] }, 'moveAllocations');
      expect(error).toMatchObject(expected);
    }
    const empty = await rejected(MOVE, { consumers: [] }, 'moveAllocations');
    expect(empty).toMatchObject({ __typename: 'InvalidInput', field: 'consumers', rule: 'min:1' });
  });
});

describe('usages', () => {
  it('sums per project, narrowed by user and consumer type', async () => {
    const host = await hostWith(env, uniqueName('usage'), { VCPU: 64, MEMORY_MB: 65536, DISK_GB: 1000 });
    const project = `project-${randomUUID()}`;
    const write = (user: string, type: string | null, resources: Resources) =>
      setOk(
        consumerInput(
          randomUUID(),
          null,
          { [host.uuid]: resources },
          { projectId: project, userId: user, ...(type ? { consumerType: type } : {}) },
        ),
      );
    await write('alice', 'INSTANCE', { VCPU: 2, MEMORY_MB: 2048 });
    await write('alice', 'INSTANCE', { VCPU: 4, MEMORY_MB: 4096, DISK_GB: 40 });
    await write('alice', 'MIGRATION', { VCPU: 1 });
    await write('bob', 'INSTANCE', { VCPU: 8, MEMORY_MB: 1024 });
    await write('bob', null, { DISK_GB: 10 });
    await setOk(
      consumerInput(
        randomUUID(),
        null,
        { [host.uuid]: { VCPU: 16 } },
        { projectId: `other-${randomUUID()}`, userId: 'alice' },
      ),
    );

    const query = `query($projectId: String!, $userId: String, $consumerType: String) {
      usages(projectId: $projectId, userId: $userId, consumerType: $consumerType) { consumerCount usages { resourceClass used } } }`;
    const usages = async (vars: Record<string, unknown>) => {
      const result = await env.gql<{ usages: unknown }>(query, { projectId: project, ...vars });
      expect(result.errors).toBeUndefined();
      return result.data?.usages;
    };
    expect(await usages({})).toEqual({
      consumerCount: 5,
      usages: [
        { resourceClass: 'DISK_GB', used: 50 },
        { resourceClass: 'MEMORY_MB', used: 7168 },
        { resourceClass: 'VCPU', used: 15 },
      ],
    });
    expect(await usages({ userId: 'alice' })).toEqual({
      consumerCount: 3,
      usages: [
        { resourceClass: 'DISK_GB', used: 40 },
        { resourceClass: 'MEMORY_MB', used: 6144 },
        { resourceClass: 'VCPU', used: 7 },
      ],
    });
    expect(await usages({ userId: 'alice', consumerType: 'INSTANCE' })).toEqual({
      consumerCount: 2,
      usages: [
        { resourceClass: 'DISK_GB', used: 40 },
        { resourceClass: 'MEMORY_MB', used: 6144 },
        { resourceClass: 'VCPU', used: 6 },
      ],
    });
    expect(await usages({ consumerType: 'INSTANCE' })).toEqual({
      consumerCount: 3,
      usages: [
        { resourceClass: 'DISK_GB', used: 40 },
        { resourceClass: 'MEMORY_MB', used: 7168 },
        { resourceClass: 'VCPU', used: 14 },
      ],
    });
    expect(await usages({ userId: 'carol' })).toEqual({ consumerCount: 0, usages: [] });
    expect(await usages({ projectId: `nobody-${randomUUID()}` })).toEqual({ consumerCount: 0, usages: [] });

    const bad = await env.gql(query, { projectId: '' });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_INPUT', field: 'projectId' });
  });

  it('ResourceProvider.usages lists every class with inventory, 0 when unused', async () => {
    const host = await hostWith(env, uniqueName('prov-usage'), { VCPU: 8, MEMORY_MB: 1024, DISK_GB: 100 });
    expect(await usedOn(host.uuid)).toEqual({ DISK_GB: 0, MEMORY_MB: 0, VCPU: 0 });
    await setOk(consumerInput(randomUUID(), null, { [host.uuid]: { VCPU: 3 } }));
    await setOk(consumerInput(randomUUID(), null, { [host.uuid]: { VCPU: 2, DISK_GB: 7 } }));
    expect((await provider(host.uuid)).usages).toEqual([
      { resourceClass: 'DISK_GB', used: 7 },
      { resourceClass: 'MEMORY_MB', used: 0 },
      { resourceClass: 'VCPU', used: 5 },
    ]);
  });
});
