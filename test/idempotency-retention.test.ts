import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PURGE_BATCH_SQL, purgeExpiredKeys, scheduleKeyPurge } from '../src/placement/claims/index.js';
import { ERROR_FIELDS, hostWith } from './support/fixtures.js';
import { createTestEnv, type TestEnv } from './support/harness.js';
import { assertPlacementInvariants } from './support/invariants.js';

/**
 * Idempotency keys are kept for a retention period (IDEMPOTENCY_RETENTION_HOURS, default
 * 24), then purged in small batches that never hold anything a claim waits for; a replay of
 * a purged key runs as a new request.
 */
let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => env?.close());

const CLAIM = `mutation($input: ClaimInput!) { claim(input: $input) { ${ERROR_FIELDS}
  ... on ClaimPayload { selections { consumerUuid providerUuid consumerGeneration hostsTried } } } }`;

/** Keys `prefix-0..n-1`, created `hoursAgo` hours ago. */
async function storeKeys(prefix: string, n: number, hoursAgo: number): Promise<void> {
  await env.sql(
    `INSERT INTO idempotency_keys (key, operation, request_hash, response, created_at)
     SELECT $1 || '-' || i, 'claim', 'h', '[]'::jsonb, now() - make_interval(hours => $3)
       FROM generate_series(0, $2 - 1) AS i`,
    [prefix, n, hoursAgo],
  );
}

async function keysLike(prefix: string): Promise<number> {
  const [row] = await env.sql<{ n: number }>(`SELECT count(*)::int AS n FROM idempotency_keys WHERE key LIKE $1`, [
    `${prefix}-%`,
  ]);
  return row?.n ?? 0;
}

/** The claim answer as CLAIM selects it: a payload's selections, or a typed error's fields. */
interface ClaimAnswer {
  __typename: string;
  selections?: { consumerUuid: string; providerUuid: string; consumerGeneration: number; hostsTried: number }[];
}

async function claimOf(input: Record<string, unknown>): Promise<ClaimAnswer> {
  const result = await env.gql<{ claim: ClaimAnswer }>(CLAIM, { input });
  expect(result.errors).toBeUndefined();
  if (!result.data) throw new Error(`claim answered no data: ${JSON.stringify(result)}`);
  return result.data.claim;
}

/** A fresh class on `hosts` hosts of `slots` slots each, and claim inputs for it. */
async function world(hosts: number, slots: number) {
  const cls = `CUSTOM_KEEP_${randomUUID().slice(0, 8).toUpperCase()}`;
  await env.gql(`mutation { createResourceClass(input: {name: "${cls}"}) { __typename } }`);
  for (let n = 0; n < hosts; n++) await hostWith(env, `${cls}-${n}`, { [cls]: slots });
  return (idempotencyKey: string, consumerUuid: string = randomUUID()) => ({
    consumers: [{ consumerUuid, projectId: 'p', userId: 'u' }],
    request: { resources: [{ resourceClass: cls, amount: 1 }] },
    alternates: 1,
    idempotencyKey,
  });
}

/** Rejects when `work` has not settled in 10 s: it waits for something the test holds. */
function within10s<T>(work: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    work,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${what}: no answer in 10 s`)), 10_000).unref(),
    ),
  ]);
}

describe('idempotency key retention', () => {
  it('the purge deletes every key older than the retention, in batches, and keeps younger ones', async () => {
    await storeKeys('old', 1250, 25);
    await storeKeys('young', 10, 23);
    expect(await purgeExpiredKeys(env.db.pool, 24, 100)).toBe(1250);
    expect(await keysLike('old')).toBe(0);
    expect(await keysLike('young')).toBe(10);
    // A shorter retention takes the younger ones too.
    expect(await purgeExpiredKeys(env.db.pool, 1)).toBe(10);
    expect(await keysLike('young')).toBe(0);
  });

  it('the schedule purges once at start and on demand, and stop waits for a running purge', async () => {
    await storeKeys('scheduled', 700, 48);
    const schedule = scheduleKeyPurge(env.db.pool, { retentionHours: 24, intervalMs: 3_600_000 });
    try {
      await schedule.runNow();
      expect(await keysLike('scheduled')).toBe(0);
      await storeKeys('scheduled-again', 3, 30);
      expect(await schedule.runNow()).toBe(3);
    } finally {
      await schedule.stop();
    }
    // Stopped: asked again, it deletes nothing.
    await storeKeys('after-stop', 2, 30);
    expect(await schedule.runNow()).toBe(0);
    expect(await keysLike('after-stop')).toBe(2);
    await purgeExpiredKeys(env.db.pool, 24);
  });

  it('a purge batch held open blocks no keyed claim, and its replay', async () => {
    const input = await world(2, 10);
    await storeKeys('held', 300, 30);
    const purger = await env.db.pool.connect();
    try {
      await purger.query('BEGIN');
      const batch = await purger.query(PURGE_BATCH_SQL, [24 * 3600, 500]);
      expect(batch.rowCount).toBe(300);
      // The batch's row locks are held: a keyed claim and its replay still answer at once.
      const claimInput = input(`beside-purge-${randomUUID()}`);
      const first = await within10s(claimOf(claimInput), 'keyed claim beside an open purge batch');
      expect(first.__typename).toBe('ClaimPayload');
      expect(await within10s(claimOf(claimInput), 'replay beside an open purge batch')).toEqual(first);
      await purger.query('COMMIT');
    } finally {
      purger.release();
    }
    expect(await keysLike('held')).toBe(0);
    await assertPlacementInvariants(env);
  });

  it('a purge running through thousands of keys while keyed claims race: every claim answers, only old keys go', async () => {
    const input = await world(4, 10);
    await storeKeys('racing-old', 5000, 30);
    const keys = Array.from({ length: 16 }, (_, i) => `racing-new-${i}-${randomUUID()}`);
    const [purged, answers] = await Promise.all([
      purgeExpiredKeys(env.db.pool, 24, 250),
      Promise.all(keys.map((key) => claimOf(input(key)))),
    ]);
    expect(purged).toBe(5000);
    expect(answers.map((a) => a.__typename)).toEqual(keys.map(() => 'ClaimPayload'));
    expect(await keysLike('racing-old')).toBe(0);
    const stored = await env.sql<{ key: string }>('SELECT key FROM idempotency_keys WHERE key = ANY($1)', [keys]);
    expect(stored.map((r) => r.key).sort()).toEqual([...keys].sort());
    await assertPlacementInvariants(env);
  });

  it('a replay of an expired (purged) key runs as a new request', async () => {
    const input = await world(2, 10);
    const key = `expiring-${randomUUID()}`;
    const first = input(key);
    expect((await claimOf(first)).__typename).toBe('ClaimPayload');
    await env.sql(`UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = $1`, [key]);
    await purgeExpiredKeys(env.db.pool, 24);
    // The same request again is a new claim for a consumer that exists now.
    expect(await claimOf(first)).toMatchObject({
      __typename: 'ConsumerGenerationConflict',
      consumerUuid: first.consumers[0]?.consumerUuid,
      actualConsumerGeneration: 1,
    });
    // The key is free: another request may use it.
    const other = input(key);
    const answer = await claimOf(other);
    expect(answer.selections).toMatchObject([{ consumerUuid: other.consumers[0]?.consumerUuid }]);
    await assertPlacementInvariants(env);
  });

  it("a replay after the consumer was deleted answers the original claim (stored answers describe the call, not today's state)", async () => {
    const input = await world(1, 10);
    const claimInput = input(`stale-${randomUUID()}`);
    const first = await claimOf(claimInput);
    const consumerUuid = claimInput.consumers[0]?.consumerUuid;
    const deleted = await env.gql<{ deleteAllocations: { __typename: string } }>(
      `mutation($input: DeleteAllocationsInput!) { deleteAllocations(input: $input) { __typename } }`,
      { input: { consumerUuid, consumerGeneration: 1 } },
    );
    expect(deleted.data?.deleteAllocations.__typename).not.toMatch(/Error|Conflict|NotFound/);
    expect(await env.sql('SELECT 1 FROM consumers WHERE uuid = $1', [consumerUuid])).toEqual([]);
    expect(await claimOf(claimInput)).toEqual(first);
    expect(await env.sql('SELECT 1 FROM consumers WHERE uuid = $1', [consumerUuid])).toEqual([]);
  });
});
