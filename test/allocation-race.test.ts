import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { transactionStats } from '../src/placement/transactions.js';
import { ERROR_FIELDS, hostWith } from './support/fixtures.js';
import { createTestEnv, type TestEnv } from './support/harness.js';
import { assertNoOvercommit, assertPlacementInvariants } from './support/invariants.js';
import { bearer, TEST_ADMIN_TOKEN } from './support/test-token.js';

/**
 * Real races: a node:http server on the gateway, many concurrent POSTs over real sockets,
 * the engine on a pool of 20 PostgreSQL connections. Afterwards the invariants are checked
 * in SQL, not through the API.
 */
let env: TestEnv;
let server: Server;
let endpoint: string;

beforeAll(async () => {
  env = await createTestEnv(20);
  server = createServer(env.gateway);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await env?.close();
});

afterEach(async () => {
  await assertNoOvercommit(env);
  await assertPlacementInvariants(env);
});

const PAYLOAD = `${ERROR_FIELDS} ... on RetryLimitExceeded { attempts retryable }
  ... on AllocationsPayload { consumers { consumerUuid generation } }`;
const SET = `mutation($input: SetAllocationsInput!) { setAllocations(input: $input) { ${PAYLOAD} } }`;
const DELETE = `mutation($input: DeleteAllocationsInput!) { deleteAllocations(input: $input) { ${PAYLOAD} } }`;
const UPSERT = `mutation($input: UpsertInventoryInput!) { upsertInventory(input: $input) {
  ${ERROR_FIELDS} ... on InventoriesPayload { resourceProvider { generation } } } }`;

/**
 * What these races read from a write's answer: an AllocationsPayload's consumers, an
 * InventoriesPayload's generation, a CapacityExceeded's figures, InvalidInput's rule, or other
 * typed errors (compared whole).
 */
interface Payload {
  __typename: string;
  consumers: { consumerUuid: string; generation: number }[];
  resourceClass: string;
  requested: number;
  used: number;
  capacity: number;
  rule?: string;
  resourceProvider: { generation: number };
  [field: string]: unknown;
}

/** One POST over HTTP; returns the mutation's payload. */
async function post(query: string, input: unknown, field: string): Promise<Payload> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      ...bearer(TEST_ADMIN_TOKEN),
    },
    body: JSON.stringify({ query, variables: { input } }),
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { data?: Record<string, Payload>; errors?: unknown[] };
  expect(body.errors).toBeUndefined();
  return body.data![field] as Payload;
}

interface Outcome {
  payload: Payload;
  retryLimitHits: number;
}

/**
 * Posts, and re-posts while the server answers RetryLimitExceeded (a typed error that says
 * "retryable": the client's business). Counts how often that happened.
 */
async function postRetrying(query: string, input: unknown, field: string): Promise<Outcome> {
  let retryLimitHits = 0;
  for (;;) {
    const payload = await post(query, input, field);
    if (payload.__typename !== 'RetryLimitExceeded') return { payload, retryLimitHits };
    expect(payload).toMatchObject({ code: 'RETRY_LIMIT_EXCEEDED', retryable: true });
    retryLimitHits++;
    if (retryLimitHits > 20) return { payload, retryLimitHits };
  }
}

/**
 * Counts the answers by type. Plain writes queue on the rows they lock, so even on one hot
 * row none gives up: every race here must see zero RetryLimitExceeded.
 */
function tally(outcomes: Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { payload } of outcomes) counts[payload.__typename] = (counts[payload.__typename] ?? 0) + 1;
  counts.retryLimitHits = outcomes.reduce((sum, o) => sum + o.retryLimitHits, 0);
  expect(counts.retryLimitHits, 'RetryLimitExceeded answers').toBe(0);
  return counts;
}

async function usageOf(providerUuid: string): Promise<Record<string, { used: number; capacity: number }>> {
  const rows = await env.sql<{ name: string; used: number; capacity: number }>(
    `SELECT rc.name, i.used, i.capacity FROM inventories i
       JOIN resource_providers p ON p.id = i.provider_id JOIN resource_classes rc ON rc.id = i.resource_class_id
      WHERE p.uuid = $1`,
    [providerUuid],
  );
  return Object.fromEntries(rows.map((r) => [r.name, { used: r.used, capacity: r.capacity }]));
}

async function allocationRows(consumerUuid: string): Promise<{ name: string; used: number }[]> {
  return env.sql(
    `SELECT rc.name, a.used FROM allocations a JOIN consumers c ON c.id = a.consumer_id
       JOIN resource_classes rc ON rc.id = a.resource_class_id WHERE c.uuid = $1 ORDER BY rc.name`,
    [consumerUuid],
  );
}

const newConsumer = (
  consumerUuid: string,
  providerUuid: string,
  resources: Record<string, number>,
  consumerGeneration: number | null = null,
) => ({
  consumerUuid,
  consumerGeneration,
  projectId: 'race-project',
  userId: 'race-user',
  allocations: [
    {
      providerUuid,
      resources: Object.entries(resources).map(([resourceClass, amount]) => ({ resourceClass, amount })),
    },
  ],
});

describe('allocation races over HTTP', () => {
  it('16 writers × 20 new consumers, each on its own provider and project: all succeed at the first call', async () => {
    const hosts = await Promise.all(
      Array.from({ length: 16 }, (_, i) => hostWith(env, `own-${i}-${randomUUID().slice(0, 8)}`, { VCPU: 1000 })),
    );
    const retriedBefore = transactionStats.retried;
    const outcomes = (
      await Promise.all(
        hosts.map(async (host, w) => {
          const mine: Outcome[] = [];
          for (let n = 0; n < 20; n++) {
            const consumer = { ...newConsumer(randomUUID(), host.uuid, { VCPU: 1 }), projectId: `own-project-${w}` };
            mine.push(await postRetrying(SET, consumer, 'setAllocations'));
          }
          return mine;
        }),
      )
    ).flat();
    const counts = tally(outcomes);
    const serverRetries = transactionStats.retried - retriedBefore;
    console.info(`[race] 16 disjoint writers × 20: ${JSON.stringify(counts)}, server-side retries: ${serverRetries}`);
    expect(counts).toEqual({ AllocationsPayload: 320, retryLimitHits: 0 });
    expect(serverRetries).toBe(0);
    for (const host of hosts) expect((await usageOf(host.uuid)).VCPU!.used).toBe(20);
  });

  it('40 new consumers race for a provider that fits 10: exactly 10 win, the rest get CapacityExceeded', async () => {
    const host = await hostWith(env, `race-${randomUUID().slice(0, 8)}`, { VCPU: 10, MEMORY_MB: 1000 });
    const consumers = Array.from({ length: 40 }, () => randomUUID());
    const retriedBefore = transactionStats.retried;
    const outcomes = await Promise.all(
      consumers.map((uuid) =>
        postRetrying(SET, newConsumer(uuid, host.uuid, { VCPU: 1, MEMORY_MB: 100 }), 'setAllocations'),
      ),
    );
    const serverRetries = transactionStats.retried - retriedBefore;
    const counts = tally(outcomes);
    console.info(
      `[race] 40 × (1 VCPU, 100 MB) on 10/1000: ${JSON.stringify(counts)}, server-side serialization retries: ${serverRetries}`,
    );

    expect(counts.AllocationsPayload).toBe(10);
    expect(counts.CapacityExceeded).toBe(30);
    expect(Object.keys(counts).sort()).toEqual(['AllocationsPayload', 'CapacityExceeded', 'retryLimitHits']);

    expect(await usageOf(host.uuid)).toEqual({
      VCPU: { used: 10, capacity: 10 },
      MEMORY_MB: { used: 1000, capacity: 1000 },
    });
    for (const [index, { payload }] of outcomes.entries()) {
      const rows = await allocationRows(consumers[index]!);
      if (payload.__typename === 'AllocationsPayload') {
        expect(payload.consumers).toEqual([{ consumerUuid: consumers[index], generation: 1 }]);
        expect(rows).toEqual([
          { name: 'MEMORY_MB', used: 100 },
          { name: 'VCPU', used: 1 },
        ]);
      } else {
        expect(payload).toMatchObject({
          code: 'CAPACITY_EXCEEDED',
          providerUuid: host.uuid,
          requested: expect.any(Number),
          capacity: expect.any(Number),
        });
        expect(payload.used + payload.requested).toBeGreaterThan(payload.capacity);
        expect(rows).toEqual([]);
      }
    }
    const [{ n }] = (await env.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM consumers WHERE uuid = ANY($1::uuid[])`,
      [consumers],
    )) as [{ n: number }];
    expect(n).toBe(10);
  });

  it('mixed sizes on two providers: no over-commit, and every rejected request still does not fit', async () => {
    const a = await hostWith(env, `mixed-a-${randomUUID().slice(0, 8)}`, { VCPU: 16, MEMORY_MB: 4096 });
    const b = await hostWith(env, `mixed-b-${randomUUID().slice(0, 8)}`, { DISK_GB: 100 });
    const requests = Array.from({ length: 60 }, (_, i) => ({
      uuid: randomUUID(),
      vcpu: 1 + (i % 3),
      memory: 128 * (1 + (i % 5)),
      disk: 5 + (i % 4) * 5,
    }));
    const outcomes = await Promise.all(
      requests.map((r) =>
        postRetrying(
          SET,
          {
            consumerUuid: r.uuid,
            consumerGeneration: null,
            projectId: 'race-project',
            userId: 'race-user',
            allocations: [
              {
                providerUuid: a.uuid,
                resources: [
                  { resourceClass: 'VCPU', amount: r.vcpu },
                  { resourceClass: 'MEMORY_MB', amount: r.memory },
                ],
              },
              { providerUuid: b.uuid, resources: [{ resourceClass: 'DISK_GB', amount: r.disk }] },
            ],
          },
          'setAllocations',
        ),
      ),
    );
    const counts = tally(outcomes);
    console.info(`[race] 60 mixed requests on 16 VCPU / 4096 MB / 100 GB: ${JSON.stringify(counts)}`);
    expect(
      Object.keys(counts)
        .filter((k) => k !== 'retryLimitHits')
        .sort(),
    ).toEqual(['AllocationsPayload', 'CapacityExceeded']);

    const won = requests.filter((_, i) => outcomes[i]!.payload.__typename === 'AllocationsPayload');
    const finalUsage = { ...(await usageOf(a.uuid)), ...(await usageOf(b.uuid)) };
    expect(finalUsage.VCPU!.used).toBe(won.reduce((s, r) => s + r.vcpu, 0));
    expect(finalUsage.MEMORY_MB!.used).toBe(won.reduce((s, r) => s + r.memory, 0));
    expect(finalUsage.DISK_GB!.used).toBe(won.reduce((s, r) => s + r.disk, 0));
    for (const [index, r] of requests.entries()) {
      const { payload } = outcomes[index]!;
      const rows = await allocationRows(r.uuid);
      if (payload.__typename === 'AllocationsPayload') {
        expect(rows).toEqual([
          { name: 'DISK_GB', used: r.disk },
          { name: 'MEMORY_MB', used: r.memory },
          { name: 'VCPU', used: r.vcpu },
        ]);
        continue;
      }
      expect(rows).toEqual([]);
      // Usage only grew during the race, so a request refused then must still not fit now
      // on the class it was refused for: no false rejections.
      const amount = { VCPU: r.vcpu, MEMORY_MB: r.memory, DISK_GB: r.disk }[
        payload.resourceClass as 'VCPU' | 'MEMORY_MB' | 'DISK_GB'
      ];
      expect(payload.requested).toBe(amount);
      const final = finalUsage[payload.resourceClass]!;
      expect(final.used + amount).toBeGreaterThan(final.capacity);
    }
  });

  it('20 replace-writes on one consumer with the same generation: exactly one wins', async () => {
    const host = await hostWith(env, `replace-${randomUUID().slice(0, 8)}`, { VCPU: 100 });
    const uuid = randomUUID();
    const created = await post(SET, newConsumer(uuid, host.uuid, { VCPU: 1 }), 'setAllocations');
    expect(created.consumers).toEqual([{ consumerUuid: uuid, generation: 1 }]);

    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        postRetrying(SET, newConsumer(uuid, host.uuid, { VCPU: i + 2 }, 1), 'setAllocations'),
      ),
    );
    const counts = tally(outcomes);
    console.info(`[race] 20 replace-writes at generation 1: ${JSON.stringify(counts)}`);
    expect(counts.AllocationsPayload).toBe(1);
    expect(counts.ConsumerGenerationConflict).toBe(19);
    const winner = outcomes.findIndex((o) => o.payload.__typename === 'AllocationsPayload');
    expect(outcomes[winner]!.payload.consumers).toEqual([{ consumerUuid: uuid, generation: 2 }]);
    for (const { payload } of outcomes) {
      if (payload.__typename === 'ConsumerGenerationConflict') {
        expect(payload).toMatchObject({
          code: 'CONSUMER_GENERATION_CONFLICT',
          consumerUuid: uuid,
          expectedConsumerGeneration: 1,
          actualConsumerGeneration: 2,
        });
      }
    }
    expect(await allocationRows(uuid)).toEqual([{ name: 'VCPU', used: winner + 2 }]);
    expect(await usageOf(host.uuid)).toEqual({ VCPU: { used: winner + 2, capacity: 100 } });
    const [row] = await env.sql('SELECT generation FROM consumers WHERE uuid = $1', [uuid]);
    expect(row!.generation).toBe(2);
  });

  it('20 writes creating the same new consumer (generation null): exactly one wins', async () => {
    const host = await hostWith(env, `create-${randomUUID().slice(0, 8)}`, { VCPU: 100 });
    const uuid = randomUUID();
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        postRetrying(SET, newConsumer(uuid, host.uuid, { VCPU: i + 1 }), 'setAllocations'),
      ),
    );
    const counts = tally(outcomes);
    console.info(`[race] 20 creates of one consumer: ${JSON.stringify(counts)}`);
    expect(counts.AllocationsPayload).toBe(1);
    expect(counts.ConsumerGenerationConflict).toBe(19);
    for (const { payload } of outcomes) {
      if (payload.__typename === 'ConsumerGenerationConflict') {
        expect(payload).toMatchObject({ expectedConsumerGeneration: null, actualConsumerGeneration: 1 });
      }
    }
    const winner = outcomes.findIndex((o) => o.payload.__typename === 'AllocationsPayload');
    expect(await allocationRows(uuid)).toEqual([{ name: 'VCPU', used: winner + 1 }]);
    expect((await usageOf(host.uuid)).VCPU!.used).toBe(winner + 1);
  });

  it('10 deletes of one consumer with the same generation: exactly one wins', async () => {
    const host = await hostWith(env, `delete-${randomUUID().slice(0, 8)}`, { VCPU: 10 });
    const uuid = randomUUID();
    await post(SET, newConsumer(uuid, host.uuid, { VCPU: 4 }), 'setAllocations');
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () =>
        postRetrying(DELETE, { consumerUuid: uuid, consumerGeneration: 1 }, 'deleteAllocations'),
      ),
    );
    const counts = tally(outcomes);
    console.info(`[race] 10 deletes of one consumer: ${JSON.stringify(counts)}`);
    expect(counts.AllocationsPayload).toBe(1);
    // The losers either saw the consumer gone (NotFound) or lost on its generation.
    expect((counts.NotFound ?? 0) + (counts.ConsumerGenerationConflict ?? 0)).toBe(9);
    expect(await allocationRows(uuid)).toEqual([]);
    expect((await usageOf(host.uuid)).VCPU!.used).toBe(0);
  });

  it('20 inventory upserts at the same provider generation: exactly one wins', async () => {
    const host = await hostWith(env, `inv-${randomUUID().slice(0, 8)}`, { VCPU: 10 });
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        post(
          UPSERT,
          { providerUuid: host.uuid, generation: host.generation, inventory: { resourceClass: 'VCPU', total: 11 + i } },
          'upsertInventory',
        ),
      ),
    );
    const won = outcomes.filter((p) => p.__typename === 'InventoriesPayload');
    expect(won).toHaveLength(1);
    expect(won[0]!.resourceProvider.generation).toBe(host.generation + 1);
    for (const p of outcomes) {
      if (p.__typename !== 'InventoriesPayload')
        expect(p).toMatchObject({
          __typename: 'GenerationConflict',
          expected: host.generation,
          actual: host.generation + 1,
        });
    }
    const winner = outcomes.findIndex((p) => p.__typename === 'InventoriesPayload');
    expect((await usageOf(host.uuid)).VCPU!.capacity).toBe(11 + winner);
  });

  it('allocations racing inventory shrinks keep the counters exact and never over-commit at write time', async () => {
    const host = await hostWith(env, `shrink-${randomUUID().slice(0, 8)}`, { VCPU: 40 });
    const consumers = Array.from({ length: 30 }, () => randomUUID());
    // An inventory writer that keeps lowering total (re-reading the generation on conflict),
    // then restores it so that the over-commit check after the test applies.
    const shrinker = (async () => {
      const results: string[] = [];
      for (const total of [35, 30, 25, 20, 40]) {
        for (;;) {
          const [row] = await env.sql('SELECT generation FROM resource_providers WHERE uuid = $1', [host.uuid]);
          const payload = await post(
            UPSERT,
            { providerUuid: host.uuid, generation: row!.generation, inventory: { resourceClass: 'VCPU', total } },
            'upsertInventory',
          );
          if (payload.__typename === 'InventoriesPayload') {
            results.push(`total ${total}`);
            break;
          }
          expect(payload.__typename).toBe('GenerationConflict');
        }
      }
      return results;
    })();
    const outcomes = await Promise.all(
      consumers.map((uuid) => postRetrying(SET, newConsumer(uuid, host.uuid, { VCPU: 2 }), 'setAllocations')),
    );
    expect(await shrinker).toHaveLength(5);
    const counts = tally(outcomes);
    console.info(`[race] 30 × 2 VCPU vs shrinking inventory 40→20: ${JSON.stringify(counts)}`);
    expect(
      Object.keys(counts)
        .filter((k) => k !== 'retryLimitHits')
        .every((k) => k === 'AllocationsPayload' || k === 'CapacityExceeded'),
    ).toBe(true);
    const usage = (await usageOf(host.uuid)).VCPU!;
    expect(usage.used).toBe(2 * (counts.AllocationsPayload ?? 0));
    // Every success fitted the capacity in force when it committed, which was at most 40.
    expect(usage.used).toBeLessThanOrEqual(40);
    for (const [index, uuid] of consumers.entries()) {
      expect((await allocationRows(uuid)).length).toBe(
        outcomes[index]!.payload.__typename === 'AllocationsPayload' ? 1 : 0,
      );
    }
  });

  it.each([{ removerFirst: true }, { removerFirst: false }])(
    'removing a class while allocations for it race in (remover first: $removerFirst): the removal or the allocations win, never both',
    async ({ removerFirst }) => {
      const host = await hostWith(env, `remove-${randomUUID().slice(0, 8)}`, { VCPU: 20, MEMORY_MB: 1000 });
      const consumers = Array.from({ length: 10 }, () => randomUUID());
      const remove = async () => {
        for (;;) {
          const [row] = await env.sql('SELECT generation FROM resource_providers WHERE uuid = $1', [host.uuid]);
          const payload = await post(
            `mutation($input: DeleteInventoryInput!) { deleteInventory(input: $input) { ${ERROR_FIELDS} ... on InventoriesPayload { warnings } } }`,
            { providerUuid: host.uuid, generation: row!.generation, resourceClass: 'VCPU' },
            'deleteInventory',
          );
          if (payload.__typename !== 'GenerationConflict') return payload;
        }
      };
      const remover = removerFirst ? remove() : undefined;
      const allocating = Promise.all(
        consumers.map((uuid) =>
          postRetrying(SET, newConsumer(uuid, host.uuid, { VCPU: 1, MEMORY_MB: 10 }), 'setAllocations'),
        ),
      );
      const removal = await (remover ?? remove());
      const outcomes = await allocating;
      const counts = tally(outcomes);
      console.info(
        `[race] 10 allocations vs deleteInventory(VCPU): removal ${removal.__typename}, allocations ${JSON.stringify(counts)}`,
      );
      const won = counts.AllocationsPayload ?? 0;
      if (removal.__typename === 'InventoriesPayload') {
        // An allocation committed before the removal would have made it InUse; so all came
        // after it, and found no VCPU inventory.
        expect(won).toBe(0);
        expect(
          outcomes.every((o) => o.payload.__typename === 'InvalidInput' && o.payload.rule === 'inventory-exists'),
        ).toBe(true);
        expect(await usageOf(host.uuid)).toEqual({ MEMORY_MB: { used: 0, capacity: 1000 } });
      } else {
        expect(removal).toMatchObject({ __typename: 'InUse', code: 'IN_USE', identifier: `${host.uuid}/VCPU` });
        // The removal was refused, so VCPU stayed throughout and all 10 fit (capacity 20).
        expect(won).toBe(10);
        expect((await usageOf(host.uuid)).VCPU!.used).toBe(10);
      }
    },
  );

  it('none of the races above deadlocked (lock order: consumers, providers, inventories)', async () => {
    // Backends publish their statistics shortly after going idle.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const [row] = await env.sql('SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()');
    expect(row!.deadlocks).toBe(0);
  });
});
