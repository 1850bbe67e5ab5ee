import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostWith } from './support/fixtures.js';
import { type GatewayProcess, type HttpResult, postGraphQL, startGatewayProcess } from './support/gateway-process.js';
import { createTestEnv, type TestEnv } from './support/harness.js';
import { assertPlacementInvariants } from './support/invariants.js';
import { CLAIM } from './support/placement-ops.js';
import { lockTable, untilSessionsWaitingForLock } from './support/table-lock.js';
import { bearer } from './support/test-token.js';

/**
 * One caller flooding a gateway with requests that hold database connections (made slow for
 * real: the test locks the `aggregates` table their reads need, and claims do not touch)
 * must not stop another caller's claim. With PER_CALLER_MAX_IN_FLIGHT the flood holds at
 * most its budget of connections and the rest of it is refused at once with 429; without a
 * budget (the control gateway) the same flood takes the whole pool and the claim fails.
 */

let env: TestEnv;
/** Pool of 4, a caller may have 2 requests in flight. */
let budgeted: GatewayProcess;
/** The same pool, no effective per-caller budget. */
let unbudgeted: GatewayProcess;
const POOL = 4;
const BUDGET = 2;

beforeAll(async () => {
  env = await createTestEnv(4);
  await hostWith(env, 'budget-host', { VCPU: 1000 });
  flooder = bearer(await env.createToken('READER'));
  scheduler = bearer(await env.createToken('SCHEDULER'));
  another = bearer(await env.createToken('READER'));
  const common = {
    DB_POOL_MAX: String(POOL),
    DB_ACQUIRE_TIMEOUT_MS: '1000',
    DB_STATEMENT_TIMEOUT_MS: '0',
    REQUEST_DEADLINE_MS: '60000',
  };
  [budgeted, unbudgeted] = await Promise.all([
    startGatewayProcess({ databaseUrl: env.url, env: { ...common, PER_CALLER_MAX_IN_FLIGHT: String(BUDGET) } }),
    startGatewayProcess({ databaseUrl: env.url, env: { ...common, PER_CALLER_MAX_IN_FLIGHT: '1000' } }),
  ]);
});

afterAll(async () => {
  await Promise.all([budgeted?.stop(), unbudgeted?.stop()]);
  await env?.close();
});

const FLOOD_QUERY = '{ aggregates(first: 1) { totalCount } }';
// Real tokens: the budget is per credential, and only an authenticated request reaches it.
let flooder: Record<string, string>;
let scheduler: Record<string, string>;
let another: Record<string, string>;

function claim(url: string): Promise<HttpResult<{ claim: { __typename: string } }>> {
  const input = {
    consumers: [{ consumerUuid: randomUUID(), projectId: 'fair', userId: 'fair' }],
    request: { resources: [{ resourceClass: 'VCPU', amount: 1 }] },
    alternates: 0,
  };
  return postGraphQL(url, CLAIM, { input }, { headers: scheduler });
}

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const start = performance.now();
  const result = await work();
  return { result, ms: performance.now() - start };
}

describe('PER_CALLER_MAX_IN_FLIGHT', () => {
  it('a flood from one credential holds at most its budget; the rest get 429 CALLER_BUSY; another caller still claims', async () => {
    const alone = await timed(() => claim(budgeted.url));
    expect(alone.result.body.data?.claim.__typename, JSON.stringify(alone.result.body)).toBe('ClaimPayload');

    const lock = await lockTable(env.url, 'aggregates');
    let flood: Promise<HttpResult>[] = [];
    try {
      flood = Array.from({ length: 20 }, () => postGraphQL(budgeted.url, FLOOD_QUERY, undefined, { headers: flooder }));
      // Exactly the budget reaches the database; the rest is answered at once.
      await untilSessionsWaitingForLock(env, BUDGET);
      const during = await timed(() => claim(budgeted.url));
      expect(during.result.body.data?.claim.__typename, JSON.stringify(during.result.body)).toBe('ClaimPayload');
      // Generous: the claim waited for nothing the flood holds (the bench measures latency).
      expect(during.ms).toBeLessThan(Math.max(5_000, alone.ms * 20));
      // A second credential of the same client is a caller of its own.
      const other = postGraphQL(budgeted.url, FLOOD_QUERY, undefined, { headers: another });
      await untilSessionsWaitingForLock(env, BUDGET + 1);
      flood.push(other);
    } finally {
      await lock.release();
    }
    const results = await Promise.all(flood);
    const refused = results.filter((r) => r.status === 429);
    const served = results.filter((r) => r.status === 200);
    expect(served).toHaveLength(BUDGET + 1);
    expect(refused).toHaveLength(20 - BUDGET);
    for (const r of refused) {
      expect(r.body.errors?.[0]?.extensions).toEqual({ code: 'CALLER_BUSY', retryable: true });
      expect(r.headers.get('retry-after')).toBe('1');
    }
    await assertPlacementInvariants(env);
  });

  it('control: without a budget the same flood takes the whole pool and the claim fails with DATABASE_BUSY', async () => {
    const lock = await lockTable(env.url, 'aggregates');
    let flood: Promise<HttpResult>[] = [];
    let during: HttpResult<{ claim: { __typename: string } }>;
    try {
      flood = Array.from({ length: 20 }, () =>
        postGraphQL(unbudgeted.url, FLOOD_QUERY, undefined, { headers: flooder }),
      );
      await untilSessionsWaitingForLock(env, POOL);
      during = await claim(unbudgeted.url);
    } finally {
      await lock.release();
    }
    expect(during.body.errors?.[0]?.extensions?.code, JSON.stringify(during.body)).toBe('DATABASE_BUSY');
    await Promise.all(flood);
  });
});
