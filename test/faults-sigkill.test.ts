import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostWith } from './support/fixtures.js';
import { type GatewayProcess, postGraphQL, startGatewayProcess } from './support/gateway-process.js';
import { createTestEnv, type TestEnv } from './support/harness.js';
import { assertNoOvercommit, assertPlacementInvariants } from './support/invariants.js';
import {
  allocationLines,
  assertDatabaseMatchesAcknowledged,
  CLAIM,
  type SelectionOut,
} from './support/placement-ops.js';

/**
 * A gateway process killed with SIGKILL while claims are in flight through it: no
 * shutdown, no rollback from the gateway's side. Each interrupted claim is retried with
 * its idempotency key on another gateway. Exactly one claim per key may exist afterwards,
 * and nothing half-written.
 */

const CLAIMS = 40;
const RESOURCES = [
  { resourceClass: 'VCPU', amount: 1 },
  { resourceClass: 'MEMORY_MB', amount: 512 },
];

let env: TestEnv;
let victim: GatewayProcess;
let survivor: GatewayProcess;

beforeAll(async () => {
  env = await createTestEnv(4);
  // Room for every claim: an interrupted claim must never fail for capacity on retry.
  for (let i = 0; i < 6; i++) await hostWith(env, `kill-host-${i}`, { VCPU: 64, MEMORY_MB: 65536 });
  [victim, survivor] = await Promise.all([
    // Small pools for forty concurrent claims: when the kill comes, some claims are inside
    // a transaction, some are committing, the rest are queued in the gateway.
    startGatewayProcess({ databaseUrl: env.url, env: { DB_POOL_MAX: '2' } }),
    startGatewayProcess({ databaseUrl: env.url }),
  ]);
});

afterAll(async () => {
  await Promise.all([victim?.stop(), survivor?.stop()]);
  await env?.close();
});

interface PlannedClaim {
  key: string;
  consumerUuid: string;
  input: Record<string, unknown>;
}

type ClaimOutcome = { acknowledged: SelectionOut } | { interrupted: string };

/** Set once the kill is sent: from then on a dropped connection to the victim is the expected interruption. */
let victimKilled: Promise<void> | undefined;

async function claimVia(gateway: GatewayProcess, claim: PlannedClaim): Promise<ClaimOutcome> {
  try {
    const result = await postGraphQL<{ claim: { __typename: string; selections?: SelectionOut[] } }>(
      gateway.url,
      CLAIM,
      { input: claim.input },
    );
    const payload = result.body.data?.claim;
    if (payload?.__typename !== 'ClaimPayload') throw new Error(`claim ${claim.key}: ${JSON.stringify(result.body)}`);
    return { acknowledged: payload.selections![0]! };
  } catch (error) {
    // The connection dropped with the process: the client cannot know whether it committed.
    if (gateway !== victim || !victimKilled) throw error;
    await victimKilled;
    return { interrupted: String((error as Error).cause ?? error) };
  }
}

describe('a gateway killed with SIGKILL mid-claims', () => {
  it('every interrupted claim retried with its key on another gateway: exactly one claim per key, nothing half-written', async () => {
    const planned: PlannedClaim[] = Array.from({ length: CLAIMS }, (_, i) => {
      const consumerUuid = randomUUID();
      const key = `sigkill-${i}-${randomUUID()}`;
      return {
        key,
        consumerUuid,
        input: {
          consumers: [{ consumerUuid, projectId: 'kill', userId: 'kill' }],
          request: { resources: RESOURCES },
          alternates: 1,
          idempotencyKey: key,
        },
      };
    });

    // All claims go to the victim at once; it is killed as soon as the third is answered.
    let answered = 0;
    const outcomes = await Promise.all(
      planned.map(async (claim) => {
        const outcome = await claimVia(victim, claim);
        if ('acknowledged' in outcome && ++answered === 3) victimKilled = victim.kill('SIGKILL');
        return outcome;
      }),
    );
    await victimKilled;
    expect(victim.child.signalCode).toBe('SIGKILL');
    const acknowledged = planned.filter((_, i) => 'acknowledged' in outcomes[i]!);
    const interrupted = planned.filter((_, i) => 'interrupted' in outcomes[i]!);
    expect(acknowledged.length).toBeGreaterThanOrEqual(3);
    expect(interrupted.length, 'claims cut off by the kill').toBeGreaterThan(0);

    // Nothing half-written right after the kill: what committed, committed whole.
    await assertPlacementInvariants(env);

    // Retry every claim on the survivor with the same key, twice at once (two impatient
    // clients): both retries get one answer, and an answered claim's replay repeats it.
    const final = new Map<string, SelectionOut>();
    await Promise.all(
      planned.map(async (claim, i) => {
        const retries = await Promise.all([claimVia(survivor, claim), claimVia(survivor, claim)]);
        const answers = retries.map((r) => {
          if (!('acknowledged' in r)) throw new Error(`retry of ${claim.key} failed: ${r.interrupted}`);
          return r.acknowledged;
        });
        expect(answers[1], `both retries of ${claim.key}`).toEqual(answers[0]);
        const first = outcomes[i]!;
        if ('acknowledged' in first) expect(answers[0], `replay of ${claim.key}`).toEqual(first.acknowledged);
        expect(answers[0]!.consumerUuid).toBe(claim.consumerUuid);
        final.set(claim.consumerUuid, answers[0]!);
      }),
    );

    // One stored answer per key (the key is the table's primary key), naming that key's consumer.
    const keys = await env.sql<{ key: string; consumer: string }>(
      `SELECT key, response -> 0 ->> 'consumerUuid' AS consumer FROM idempotency_keys WHERE key = ANY($1) ORDER BY key COLLATE "C"`,
      [planned.map((c) => c.key)],
    );
    expect(keys).toEqual(
      planned.map((c) => ({ key: c.key, consumer: c.consumerUuid })).sort((a, b) => (a.key < b.key ? -1 : 1)),
    );
    // Each consumer holds exactly one claim's allocations (not two), and no other consumer exists.
    for (const selection of final.values())
      expect(allocationLines(selection.allocations)).toHaveLength(RESOURCES.length);
    await assertDatabaseMatchesAcknowledged(
      env,
      new Map([...final].map(([uuid, s]) => [uuid, { generation: s.consumerGeneration, allocations: s.allocations }])),
      [],
    );
    await assertNoOvercommit(env);
    await assertPlacementInvariants(env);
    expect(survivor.exited(), survivor.output()).toBe(false);
  });
});
