import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from './support/harness.js';
import { assertPlacementInvariants } from './support/invariants.js';

/**
 * importPlacementState (API 1.4) on its own, on a gateway as `npm start` serves it: each batch atomic, typed refusals naming the
 * batch and field, generations set as given, the source's allocations copied without the fit
 * rule, custom catalogue removal refused while in use, ADMIN's import audited.
 */

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv({ poolMax: 4 });
});
afterAll(async () => env?.close());

const MUTATION = `mutation($input: ImportPlacementStateInput!) {
  importPlacementState(input: $input) {
    __typename
    ... on ImportPlacementStatePayload { dryRun batches changes { action kind id detail } }
    ... on Error { code message }
    ... on InvalidInput { field rule }
    ... on NotFound { resourceType identifier field }
    ... on InUse { resourceType identifier reason }
  }
}`;

interface Result {
  __typename: string;
  code?: string;
  field?: string;
  rule?: string;
  identifier?: string;
  changes?: { action: string; kind: string; id: string; detail: string }[];
}

async function importState(batches: unknown[], dryRun = false): Promise<Result> {
  const result = await env.gql<{ importPlacementState: Result }>(MUTATION, { input: { batches, dryRun } }, '1.4');
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return result.data!.importPlacementState;
}

const provider = (uuid: string, name: string, extra: Record<string, unknown> = {}) => ({
  uuid,
  name,
  generation: 5,
  inventories: [
    { resourceClass: 'VCPU', total: 4, reserved: 0, minUnit: 1, maxUnit: 4, stepSize: 1, allocationRatio: 1 },
  ],
  traits: [],
  aggregates: [],
  ...extra,
});

const count = async (table: string) => (await env.sql<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]!.n;

describe('importPlacementState', () => {
  it('is absent from the versions before 1.4', async () => {
    const result = await env.gql(MUTATION, { input: { batches: [] } }, '1.3');
    expect(result.errors?.map((e) => e.message).join(' ')).toMatch(/Unknown type "ImportPlacementStateInput"/);
  });

  it('commits batch by batch: a refused batch leaves the ones before it and writes nothing itself', async () => {
    const host = randomUUID();
    const consumer = randomUUID();
    const consumersBefore = await count('consumers');
    const result = await importState([
      { providers: [provider(host, 'atomic-host')] },
      {
        consumers: [
          {
            uuid: consumer,
            projectId: 'p',
            userId: 'u',
            generation: 3,
            allocations: [
              { providerUuid: host, resourceClass: 'VCPU', used: 1 },
              { providerUuid: host, resourceClass: 'MEMORY_MB', used: 512 },
            ],
          },
        ],
      },
    ]);
    expect(result).toMatchObject({
      __typename: 'InvalidInput',
      field: 'batches[1].consumers[0].allocations[1].resourceClass',
      rule: 'inventory-exists',
    });
    const [row] = await env.sql<{ generation: number }>('SELECT generation FROM resource_providers WHERE uuid = $1', [
      host,
    ]);
    expect(row?.generation).toBe(5);
    expect(await count('consumers')).toBe(consumersBefore);
    const [used] = await env.sql<{ used: number }>(
      'SELECT i.used::int AS used FROM inventories i JOIN resource_providers p ON p.id = i.provider_id WHERE p.uuid = $1',
      [host],
    );
    expect(used?.used).toBe(0);
  });

  it('names a parent that is not there yet (providers go parents first)', async () => {
    const parent = randomUUID();
    const result = await importState([
      { providers: [provider(randomUUID(), 'orphan', { parentProviderUuid: parent })] },
    ]);
    expect(result).toMatchObject({
      __typename: 'NotFound',
      identifier: parent,
      field: 'batches[0].providers[0].parentProviderUuid',
    });
  });

  it('sets generations as given and copies an allocation the inventory no longer fits', async () => {
    const host = randomUUID();
    const consumer = randomUUID();
    const result = await importState([
      {
        providers: [
          provider(host, 'overcommitted-host', {
            generation: 42,
            inventories: [
              { resourceClass: 'VCPU', total: 2, reserved: 0, minUnit: 1, maxUnit: 1, stepSize: 1, allocationRatio: 1 },
            ],
          }),
        ],
        consumers: [
          {
            uuid: consumer,
            projectId: 'p',
            userId: 'u',
            consumerType: 'INSTANCE',
            generation: 7,
            allocations: [{ providerUuid: host, resourceClass: 'VCPU', used: 3 }],
          },
        ],
      },
    ]);
    expect(result.__typename).toBe('ImportPlacementStatePayload');
    const read = await env.gql<{
      resourceProvider: { generation: number; inventories: { used: number; capacity: number }[] };
      consumer: { generation: number; consumerType: string };
    }>(
      `query($host: String!, $consumer: String!) {
        resourceProvider(uuid: $host) { generation inventories { used capacity } }
        consumer(uuid: $consumer) { generation consumerType }
      }`,
      { host, consumer },
      '1.3',
    );
    expect(read.data).toEqual({
      resourceProvider: { generation: 42, inventories: [{ used: 3, capacity: 2 }] },
      consumer: { generation: 7, consumerType: 'INSTANCE' },
    });
    await assertPlacementInvariants(env);
  });

  it('a dry run reports what a run would change and rolls back, later batches seeing earlier ones', async () => {
    const parent = randomUUID();
    const child = randomUUID();
    const before = await count('resource_providers');
    const result = await importState(
      [
        { traits: ['CUSTOM_DRY'] },
        { providers: [provider(parent, 'dry-parent', { traits: ['CUSTOM_DRY'] })] },
        { providers: [provider(child, 'dry-child', { parentProviderUuid: parent })] },
      ],
      true,
    );
    expect(result.changes).toEqual([
      { action: 'CREATE', kind: 'TRAIT', id: 'CUSTOM_DRY', detail: '' },
      { action: 'CREATE', kind: 'PROVIDER', id: parent, detail: 'dry-parent' },
      { action: 'CREATE', kind: 'PROVIDER', id: child, detail: 'dry-child' },
    ]);
    expect(await count('resource_providers')).toBe(before);
    expect(await env.sql("SELECT 1 FROM traits WHERE name = 'CUSTOM_DRY'")).toEqual([]);
  });

  it('refuses to remove a custom trait a provider still carries, and audits what it did', async () => {
    const host = randomUUID();
    await importState([
      { traits: ['CUSTOM_KEPT_BUSY'] },
      { providers: [provider(host, 'busy-host', { traits: ['CUSTOM_KEPT_BUSY'] })] },
    ]);
    const result = await importState([{ pruneCatalogue: { keepResourceClasses: [], keepTraits: [] } }]);
    expect(result).toMatchObject({ __typename: 'InUse', identifier: 'CUSTOM_KEPT_BUSY' });
    const events = await env.sql<{ n: number }>(
      "SELECT count(*)::int AS n FROM audit_events WHERE operation = 'importPlacementState' AND $1 = ANY(provider_uuids)",
      [host],
    );
    expect(events[0]?.n).toBe(1);
  });
});

describe('importPlacementState removals by uuid range', () => {
  it('removes the stale ones inside the range only, a stale provider with its subtree wherever its uuids fall', async () => {
    const parent = '00000000-0000-4000-8000-0000000000a1';
    const child = 'ffffffff-0000-4000-8000-0000000000a2';
    const kept = '00000000-0000-4000-8000-0000000000a3';
    const outside = 'ffffffff-0000-4000-8000-0000000000a4';
    await importState([
      {
        providers: [
          provider(parent, 'range-parent'),
          provider(child, 'range-child', { parentProviderUuid: parent }),
          provider(kept, 'range-kept'),
          provider(outside, 'range-outside'),
        ],
      },
    ]);
    const result = await importState([
      {
        prune: {
          keepProviders: [kept],
          keepConsumers: [],
          fromUuid: '00000000-0000-4000-8000-000000000000',
          toUuid: '00000000-0000-4000-8000-0000000000ff',
        },
      },
    ]);
    expect(result.__typename).toBe('ImportPlacementStatePayload');
    const removed = result.changes!.filter((c) => c.action === 'REMOVE').map((c) => c.id);
    expect(removed.sort()).toEqual([parent, child].sort());
    const left = await env.sql<{ uuid: string }>('SELECT uuid FROM resource_providers WHERE uuid = ANY($1::uuid[])', [
      [parent, child, kept, outside],
    ]);
    expect(left.map((r) => r.uuid).sort()).toEqual([kept, outside].sort());
    await assertPlacementInvariants(env);
  });
});
