import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writeConsumerAllocations } from '../src/placement/allocations.js';
import { claim, NoValidHostError } from '../src/placement/claims/index.js';
import { CapacityExceededError, RetryLimitExceededError } from '../src/placement/errors.js';
import { setInventories } from '../src/placement/inventories.js';
import { createProvider } from '../src/placement/providers.js';
import { createTestEnv, type TestEnv } from './support/harness.js';
import { assertNoOvercommit, assertPlacementInvariants } from './support/invariants.js';

/**
 * Plain writes (READ COMMITTED, row locks) and claims (one SERIALIZABLE statement) on the
 * same hosts at once. A plain write waits for a host a claim holds and then sees what the
 * claim committed; a claim that meets a row a plain write changed since its snapshot gets
 * a serialization failure and retries. So plain writes are not starved, and nothing is
 * over-committed: checked in SQL afterwards.
 */
let env: TestEnv;

beforeAll(async () => {
  env = await createTestEnv(40);
});
afterAll(async () => {
  await env?.close();
});
afterEach(async () => {
  await assertPlacementInvariants(env);
  await assertNoOvercommit(env);
});

async function hosts(count: number, vcpu: number): Promise<string[]> {
  const prefix = randomUUID().slice(0, 8);
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const provider = await createProvider(env.db.pool, { name: `mixed-${prefix}-${i}` });
      await setInventories(env.db.pool, {
        providerUuid: provider.uuid,
        generation: 0,
        inventories: [{ resourceClass: 'VCPU', total: vcpu }],
      });
      return provider.uuid;
    }),
  );
}

const shuffled = <T>(list: T[]): T[] =>
  list
    .map((item) => ({ item, key: Math.random() }))
    .sort((a, b) => a.key - b.key)
    .map((e) => e.item);

type Outcome = 'ok' | 'capacity' | 'noValidHost' | 'retryLimit';

async function outcomeOf(write: () => Promise<unknown>): Promise<Outcome> {
  try {
    await write();
    return 'ok';
  } catch (error) {
    if (error instanceof CapacityExceededError) return 'capacity';
    if (error instanceof NoValidHostError) return 'noValidHost';
    if (error instanceof RetryLimitExceededError) return 'retryLimit';
    throw error;
  }
}

const count = (outcomes: Outcome[]) =>
  outcomes.reduce<Record<string, number>>((c, o) => Object.assign(c, { [o]: (c[o] ?? 0) + 1 }), {});

/** 64 claimers and 16 plain writers on the same hosts; returns every outcome of each kind. */
async function mixedRace(hostUuids: string[], claimsEach: number, writesEach: number) {
  const claimOutcomes: Outcome[] = [];
  const writeOutcomes: Outcome[] = [];
  const claimers = Array.from({ length: 64 }, async () => {
    for (let n = 0; n < claimsEach; n++) {
      claimOutcomes.push(
        await outcomeOf(() =>
          claim(env.db, {
            consumers: [{ consumerUuid: randomUUID(), projectId: 'claims', userId: 'claims' }],
            request: { resources: [{ resourceClass: 'VCPU', amount: 1 }] },
            alternates: 0,
            candidates: shuffled(hostUuids),
          }),
        ),
      );
    }
  });
  const writers = Array.from({ length: 16 }, async (_, w) => {
    for (let n = 0; n < writesEach; n++) {
      writeOutcomes.push(
        await outcomeOf(() =>
          writeConsumerAllocations(env.db.pool, {
            consumerUuid: randomUUID(),
            consumerGeneration: null,
            projectId: 'writes',
            userId: `writer-${w}`,
            allocations: [
              {
                providerUuid: hostUuids[(w + n) % hostUuids.length]!,
                resources: [{ resourceClass: 'VCPU', amount: 1 }],
              },
            ],
          }),
        ),
      );
    }
  });
  await Promise.all([...claimers, ...writers]);
  return { claims: count(claimOutcomes), writes: count(writeOutcomes) };
}

async function usedByProject(): Promise<Record<string, number>> {
  const rows = await env.sql<{ project: string; used: number }>(
    `SELECT c.project_id AS project, sum(a.used)::bigint AS used FROM consumers c JOIN allocations a ON a.consumer_id = c.id
      GROUP BY c.project_id`,
  );
  return Object.fromEntries(rows.map((r) => [r.project, r.used]));
}

describe('plain writes while claims run on the same hosts', () => {
  it('with room for all: every plain write succeeds at the first call, and so does every claim that was not contended', async () => {
    const before = await usedByProject();
    const hostUuids = await hosts(8, 1000);
    const { claims, writes } = await mixedRace(hostUuids, 4, 8);
    console.info(`[mixed] room for all: claims ${JSON.stringify(claims)}, plain writes ${JSON.stringify(writes)}`);
    expect(writes).toEqual({ ok: 128 });
    // Claims may meet true contention (64 claimers on 8 hosts) and say so; nothing else.
    expect(Object.keys(claims).every((k) => k === 'ok' || k === 'retryLimit')).toBe(true);
    const after = await usedByProject();
    expect((after.writes ?? 0) - (before.writes ?? 0)).toBe(128);
    expect((after.claims ?? 0) - (before.claims ?? 0)).toBe(claims.ok);
  });

  it('with room for fewer than asked: no over-commit, and every success is counted exactly', async () => {
    const hostUuids = await hosts(4, 30);
    const { claims, writes } = await mixedRace(hostUuids, 2, 4);
    console.info(
      `[mixed] 120 VCPU for 192 asks: claims ${JSON.stringify(claims)}, plain writes ${JSON.stringify(writes)}`,
    );
    expect(writes.retryLimit ?? 0).toBe(0);
    const [row] = await env.sql<{ used: number; capacity: number }>(
      `SELECT sum(i.used)::bigint AS used, sum(i.capacity)::bigint AS capacity FROM inventories i
         JOIN resource_providers p ON p.id = i.provider_id WHERE p.uuid = ANY($1::uuid[])`,
      [hostUuids],
    );
    expect(row!.used).toBe((claims.ok ?? 0) + (writes.ok ?? 0));
    expect(row!.used).toBeLessThanOrEqual(120);
    // Refusals happen only once the hosts are (nearly) full: the space was not lost.
    if ((claims.noValidHost ?? 0) + (writes.capacity ?? 0) > 0) expect(row!.used).toBeGreaterThanOrEqual(117);
  });
});
