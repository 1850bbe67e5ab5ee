import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setProviderAggregates } from '../src/placement/aggregates.js';
import { deleteAllocations, writeAllocations, writeConsumerAllocations } from '../src/placement/allocations.js';
import { RetryLimitExceededError } from '../src/placement/errors.js';
import { deleteInventory, setInventories, upsertInventory } from '../src/placement/inventories.js';
import { createProvider, updateProvider } from '../src/placement/providers.js';
import { setProviderTraits } from '../src/placement/traits.js';
import { transactionStats } from '../src/placement/transactions.js';
import { createTestEnv, type TestEnv } from './support/harness.js';
import { assertNoOvercommit, assertPlacementInvariants } from './support/invariants.js';

/**
 * Writers that share no row must never fail, whatever the engine shares underneath them
 * (index pages, relations, sequences). Each writer below works on its own providers, its
 * own consumers and its own project, concurrently with the others on a pool of 40
 * connections, on a fresh (small) database: where SERIALIZABLE predicate locks are
 * relation-wide. Every write must succeed at the first attempt: no RetryLimitExceeded
 * and no retry inside the server either.
 */
let env: TestEnv;

beforeAll(async () => {
  env = await createTestEnv(40);
});
afterAll(async () => {
  await env?.close();
});
afterEach(async () => {
  await assertNoOvercommit(env);
  await assertPlacementInvariants(env);
});

interface Host {
  uuid: string;
  generation: number;
}

async function host(name: string, inventories = [{ resourceClass: 'VCPU', total: 100_000 }]): Promise<Host> {
  const provider = await createProvider(env.db.pool, { name });
  const { provider: after } = await setInventories(env.db.pool, {
    providerUuid: provider.uuid,
    generation: 0,
    inventories,
  });
  return { uuid: after.uuid, generation: after.generation };
}

const tag = () => randomUUID().slice(0, 8);

/**
 * Runs `writers` concurrent loops of `writes` calls each; counts RetryLimitExceeded answers
 * and the server's own serialization retries during the run. Any other error fails the test.
 */
async function race(
  writers: number,
  writes: number,
  write: (writer: number, n: number) => Promise<unknown>,
): Promise<{ retryLimitExceeded: number; serverRetries: number; done: number }> {
  const retriedBefore = transactionStats.retried;
  let retryLimitExceeded = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      for (let n = 0; n < writes; n++) {
        try {
          await write(writer, n);
          done++;
        } catch (error) {
          if (!(error instanceof RetryLimitExceededError)) throw error;
          retryLimitExceeded++;
        }
      }
    }),
  );
  return { retryLimitExceeded, serverRetries: transactionStats.retried - retriedBefore, done };
}

function expectNoConflicts(label: string, outcome: Awaited<ReturnType<typeof race>>, writes: number): void {
  console.info(`[disjoint] ${label}: ${JSON.stringify(outcome)}`);
  expect(outcome).toEqual({ retryLimitExceeded: 0, serverRetries: 0, done: writes });
}

describe('writers that share nothing never conflict', () => {
  it('16 setAllocations writers × 20 new consumers, each on its own provider and project', async () => {
    const hosts = await Promise.all(Array.from({ length: 16 }, (_, i) => host(`alloc-${i}-${tag()}`)));
    const outcome = await race(16, 20, (w) =>
      writeConsumerAllocations(env.db.pool, {
        consumerUuid: randomUUID(),
        consumerGeneration: null,
        projectId: `project-${w}`,
        userId: `user-${w}`,
        allocations: [{ providerUuid: hosts[w]!.uuid, resources: [{ resourceClass: 'VCPU', amount: 1 }] }],
      }),
    );
    expectNoConflicts('setAllocations', outcome, 320);
    const rows = await env.sql<{ uuid: string; used: number }>(
      `SELECT p.uuid, i.used FROM inventories i JOIN resource_providers p ON p.id = i.provider_id WHERE p.uuid = ANY($1::uuid[])`,
      [hosts.map((h) => h.uuid)],
    );
    expect(rows.map((r) => r.used)).toEqual(hosts.map(() => 20));
  });

  it('8 clients create 40 providers each and set their inventories', async () => {
    const prefix = tag();
    const outcome = await race(8, 40, async (w, n) => {
      const provider = await createProvider(env.db.pool, { name: `new-${prefix}-${w}-${n}` });
      await setInventories(env.db.pool, {
        providerUuid: provider.uuid,
        generation: provider.generation,
        inventories: [
          { resourceClass: 'VCPU', total: 8 + n },
          { resourceClass: 'MEMORY_MB', total: 1024 },
        ],
      });
    });
    expectNoConflicts('createProvider + setInventories', outcome, 320);
    const [row] = await env.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM inventories i JOIN resource_providers p ON p.id = i.provider_id WHERE p.name LIKE $1`,
      [`new-${prefix}-%`],
    );
    expect(row!.n).toBe(640);
  });

  it('12 writers move their own instance between their own two hosts (moveAllocations), then delete it', async () => {
    const pairs = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => [
        await host(`move-a-${i}-${tag()}`),
        await host(`move-b-${i}-${tag()}`),
      ]),
    );
    const instances = pairs.map(() => randomUUID());
    const generations: number[] = pairs.map(() => 0);
    const outcome = await race(12, 15, async (w, n) => {
      const [a, b] = pairs[w]!;
      const target = n % 2 === 0 ? a! : b!;
      const [written] = await writeAllocations(env.db.pool, {
        consumers: [
          {
            consumerUuid: instances[w]!,
            consumerGeneration: n === 0 ? null : generations[w]!,
            projectId: `project-${w}`,
            userId: `user-${w}`,
            allocations: [{ providerUuid: target.uuid, resources: [{ resourceClass: 'VCPU', amount: 2 }] }],
          },
        ],
      });
      generations[w] = written!.generation!;
    });
    expectNoConflicts('moveAllocations', outcome, 180);
    const deleted = await race(12, 1, (w) =>
      deleteAllocations(env.db.pool, { consumerUuid: instances[w]!, consumerGeneration: generations[w]! }),
    );
    expectNoConflicts('deleteAllocations', deleted, 12);
  });

  it('12 writers each rewrite their own provider: inventories, traits, aggregates, name', async () => {
    const hosts = await Promise.all(Array.from({ length: 12 }, (_, i) => host(`own-${i}-${tag()}`)));
    const generation = hosts.map((h) => h.generation);
    const steps = [
      async (w: number, n: number) =>
        (
          await upsertInventory(env.db.pool, {
            providerUuid: hosts[w]!.uuid,
            generation: generation[w]!,
            inventory: { resourceClass: 'DISK_GB', total: 100 + n },
          })
        ).provider.generation,
      async (w: number) =>
        (
          await deleteInventory(env.db.pool, {
            providerUuid: hosts[w]!.uuid,
            generation: generation[w]!,
            resourceClass: 'DISK_GB',
          })
        ).provider.generation,
      async (w: number, n: number) =>
        (
          await setProviderTraits(env.db.pool, {
            providerUuid: hosts[w]!.uuid,
            generation: generation[w]!,
            traits: n % 4 === 2 ? ['HW_CPU_X86_AVX2'] : ['HW_CPU_X86_AVX2', 'STORAGE_DISK_SSD'],
          })
        ).generation,
      async (w: number) =>
        (
          await setProviderAggregates(env.db.pool, {
            providerUuid: hosts[w]!.uuid,
            generation: generation[w]!,
            aggregates: [randomUUID(), randomUUID()],
          })
        ).generation,
      async (w: number, n: number) =>
        (
          await updateProvider(env.db.pool, {
            uuid: hosts[w]!.uuid,
            generation: generation[w]!,
            name: `own-${w}-renamed-${n}-${tag()}`,
          })
        ).generation,
    ];
    const outcome = await race(12, 25, async (w, n) => {
      generation[w] = await steps[n % steps.length]!(w, n);
    });
    expectNoConflicts(
      'upsert/deleteInventory, setProviderTraits, setProviderAggregates, updateResourceProvider',
      outcome,
      300,
    );
  });
});
