import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostWith } from './support/fixtures.js';
import { type GatewayProcess, postGraphQL, startGatewayProcesses } from './support/gateway-process.js';
import { createTestEnv, type TestEnv } from './support/harness.js';
import { assertNoOvercommit, assertPlacementInvariants } from './support/invariants.js';
import {
  type AlternateOut,
  assertDatabaseMatchesAcknowledged,
  CLAIM,
  type ProviderAllocation,
  RESCHEDULE,
  SET_ALLOCATIONS,
  type SelectionOut,
} from './support/placement-ops.js';

/**
 * Scale-out: three gateway processes on one PostgreSQL, schedulers racing claim,
 * reschedule and setAllocations through all of them over HTTP (round-robin). Each
 * consumer belongs to one worker, which applies its writes in order, so what the clients
 * were told adds up to one exact expected state; the database must hold exactly that.
 */

const GATEWAYS = 3;
const HOSTS = 5;
// Each host takes 8 claims of 2 VCPU + 2048 MB: 40 in all, fewer than the first wave asks for.
const HOST_INVENTORY = { VCPU: 16, MEMORY_MB: 16384 };
const CLAIM_RESOURCES = [
  { resourceClass: 'VCPU', amount: 2 },
  { resourceClass: 'MEMORY_MB', amount: 2048 },
];
const WORKERS = 12;
const FIRST_WAVE_CLAIMS = 4; // per worker: 48 claims for 40 places
const MIXED_OPS = 20; // per worker, after the first wave

let env: TestEnv;
let gateways: GatewayProcess[] = [];
const hosts: string[] = [];

beforeAll(async () => {
  env = await createTestEnv(4);
  for (let i = 0; i < HOSTS; i++) hosts.push((await hostWith(env, `race-host-${i}`, HOST_INVENTORY)).uuid);
  gateways = await startGatewayProcesses(GATEWAYS, { databaseUrl: env.url, env: { DB_POOL_MAX: '8' } });
});

afterAll(async () => {
  await Promise.all(gateways.map((g) => g.stop()));
  await env?.close();
});

/** Small seeded PRNG (mulberry32), so a failing interleaving of choices can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface LiveConsumer {
  generation: number;
  allocations: ProviderAllocation[];
  alternates: AlternateOut[];
}

describe(`${GATEWAYS} gateway processes on one database`, () => {
  it('racing claim, reschedule and setAllocations: the database holds exactly what clients were told, nothing over-committed', async () => {
    const seed = Number(process.env.RACE_SEED ?? Date.now() % 1_000_000);
    const random = prng(seed);
    let turn = 0;
    const served = new Map<string, number>();
    const live = new Map<string, LiveConsumer>();
    const absent = new Set<string>(); // failed creations and consumers removed by a write
    const outcomes = new Map<string, number>();
    const unexpected: string[] = [];
    const count = (what: string) => outcomes.set(what, (outcomes.get(what) ?? 0) + 1);

    /** One mutation through the next gateway; anything but a typed answer is unexpected here (no faults). */
    async function mutate<T>(
      query: string,
      input: Record<string, unknown>,
      field: string,
    ): Promise<T & { __typename: string; code?: string }> {
      const gateway = gateways[turn++ % gateways.length]!;
      served.set(gateway.url, (served.get(gateway.url) ?? 0) + 1);
      const result = await postGraphQL<Record<string, unknown>>(
        gateway.url,
        query,
        { input },
        { signal: AbortSignal.timeout(30_000) },
      );
      const payload = result.body.data?.[field] as (T & { __typename: string; code?: string }) | undefined;
      if (result.status !== 200 || result.body.errors || !payload) {
        throw new Error(
          `${field} via ${gateway.url}: HTTP ${result.status} ${JSON.stringify(result.body).slice(0, 500)}`,
        );
      }
      return payload;
    }

    async function claimNew(owned: string[]): Promise<void> {
      const consumerUuid = randomUUID();
      const answer = await mutate<{ selections?: SelectionOut[] }>(
        CLAIM,
        {
          consumers: [{ consumerUuid, projectId: 'race', userId: 'race' }],
          request: { resources: CLAIM_RESOURCES },
          alternates: 2,
        },
        'claim',
      );
      count(`claim:${answer.__typename}`);
      if (answer.__typename === 'ClaimPayload') {
        const selection = answer.selections![0]!;
        live.set(consumerUuid, {
          generation: selection.consumerGeneration,
          allocations: selection.allocations,
          alternates: selection.alternates,
        });
        owned.push(consumerUuid);
      } else if (answer.__typename === 'NoValidHost' || answer.__typename === 'RetryLimitExceeded') {
        absent.add(consumerUuid);
      } else unexpected.push(`claim → ${answer.__typename}: ${answer.code}`);
    }

    /** setAllocations for a consumer that does not exist yet, on a random host (another writer racing the claims). */
    async function createDirect(owned: string[]): Promise<void> {
      const consumerUuid = randomUUID();
      const allocations = [{ providerUuid: hosts[Math.floor(random() * hosts.length)]!, resources: CLAIM_RESOURCES }];
      const answer = await mutate<{ consumers?: { generation: number | null }[] }>(
        SET_ALLOCATIONS,
        { consumerUuid, consumerGeneration: null, projectId: 'race', userId: 'race', allocations },
        'setAllocations',
      );
      count(`create:${answer.__typename}`);
      if (answer.__typename === 'AllocationsPayload') {
        live.set(consumerUuid, { generation: answer.consumers![0]!.generation!, allocations, alternates: [] });
        owned.push(consumerUuid);
      } else if (answer.__typename === 'CapacityExceeded' || answer.__typename === 'RetryLimitExceeded') {
        absent.add(consumerUuid);
      } else unexpected.push(`create → ${answer.__typename}: ${answer.code}`);
    }

    /** Resize on the same host(s), or (one time in five) remove every allocation. */
    async function resizeOrRemove(consumerUuid: string): Promise<void> {
      const current = live.get(consumerUuid)!;
      const remove = random() < 0.2;
      const vcpu = 1 + Math.floor(random() * 4);
      const allocations = remove
        ? []
        : current.allocations.map((a) => ({
            providerUuid: a.providerUuid,
            resources: a.resources.map((r) =>
              r.resourceClass === 'VCPU' ? { resourceClass: 'VCPU', amount: vcpu } : r,
            ),
          }));
      const answer = await mutate<{ consumers?: { generation: number | null }[] }>(
        SET_ALLOCATIONS,
        { consumerUuid, consumerGeneration: current.generation, projectId: 'race', userId: 'race', allocations },
        'setAllocations',
      );
      count(`${remove ? 'remove' : 'resize'}:${answer.__typename}`);
      if (answer.__typename === 'AllocationsPayload') {
        const generation = answer.consumers![0]!.generation;
        if (generation === null) {
          live.delete(consumerUuid);
          absent.add(consumerUuid);
        } else live.set(consumerUuid, { ...current, generation, allocations });
      } else if (answer.__typename !== 'CapacityExceeded' && answer.__typename !== 'RetryLimitExceeded') {
        unexpected.push(`setAllocations → ${answer.__typename}: ${answer.code}`);
      }
    }

    /** Hand the alternates back: the consumer moves to the first that fits, or loses its allocations. */
    async function reschedule(consumerUuid: string): Promise<void> {
      const current = live.get(consumerUuid)!;
      const answer = await mutate<{ selection?: SelectionOut }>(
        RESCHEDULE,
        {
          consumerUuid,
          consumerGeneration: current.generation,
          alternates: current.alternates.map((a) => ({
            providerUuid: a.providerUuid,
            allocations: a.allocationRequest,
          })),
        },
        'reschedule',
      );
      count(`reschedule:${answer.__typename}`);
      if (answer.__typename === 'ReschedulePayload') {
        const selection = answer.selection!;
        live.set(consumerUuid, {
          generation: selection.consumerGeneration,
          allocations: selection.allocations,
          alternates: selection.alternates,
        });
      } else if (answer.__typename === 'NoValidHost') {
        live.delete(consumerUuid);
        absent.add(consumerUuid);
      } else if (answer.__typename !== 'RetryLimitExceeded') {
        unexpected.push(`reschedule → ${answer.__typename}: ${answer.code}`);
      }
    }

    async function worker(): Promise<void> {
      const owned: string[] = [];
      for (let i = 0; i < FIRST_WAVE_CLAIMS; i++) await claimNew(owned);
      for (let i = 0; i < MIXED_OPS; i++) {
        const mine = owned.filter((uuid) => live.has(uuid));
        const pick = mine[Math.floor(random() * mine.length)];
        const dice = random();
        if (!pick || dice < 0.25) await claimNew(owned);
        else if (dice < 0.35) await createDirect(owned);
        else if (dice < 0.65 && live.get(pick)!.alternates.length > 0) await reschedule(pick);
        else await resizeOrRemove(pick);
      }
    }

    await Promise.all(Array.from({ length: WORKERS }, () => worker()));

    const context = `seed ${seed} (RACE_SEED=${seed} replays the choices); outcomes ${JSON.stringify(Object.fromEntries(outcomes))}`;
    console.log(`[multi-gateway] ${context}`);
    expect(unexpected, context).toEqual([]);
    // The race was real: capacity ran out for some claims, and every kind of write got through.
    expect(outcomes.get('claim:NoValidHost') ?? 0, context).toBeGreaterThan(0);
    for (const kind of [
      'claim:ClaimPayload',
      'reschedule:ReschedulePayload',
      'resize:AllocationsPayload',
      'create:AllocationsPayload',
    ]) {
      expect(outcomes.get(kind) ?? 0, `${kind}; ${context}`).toBeGreaterThan(0);
    }
    // Every gateway took its share, and none fell over.
    expect([...served.values()].length).toBe(GATEWAYS);
    for (const g of gateways) expect(g.exited(), g.output()).toBe(false);

    await assertNoOvercommit(env);
    await assertPlacementInvariants(env);
    await assertDatabaseMatchesAcknowledged(env, live, absent);
  });
});
