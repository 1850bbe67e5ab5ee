import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostWith } from './support/fixtures.js';
import { type GatewayProcess, type HttpResult, postGraphQL, startGatewayProcess } from './support/gateway-process.js';
import { createTestEnv, type TestEnv } from './support/harness.js';
import { assertPlacementInvariants } from './support/invariants.js';
import { CLAIM } from './support/placement-ops.js';
import { lockTable, sessionsWaitingForLock, untilSessionsWaitingForLock } from './support/table-lock.js';

/**
 * REQUEST_DEADLINE_MS over real HTTP, with statements made slow for real (the test locks
 * `allocations`) and no statement timeout to fall back on: past the deadline the running
 * statements are cancelled in PostgreSQL (no session is left waiting), requests still
 * waiting for a connection give up, every one gets the retryable DATABASE_TIMEOUT, nothing is
 * written, and the pool's connections serve the next requests.
 */

let env: TestEnv;
let gateway: GatewayProcess;
const DEADLINE_MS = 1_000;
const POOL = 2;

beforeAll(async () => {
  env = await createTestEnv(4);
  await hostWith(env, 'deadline-host', { VCPU: 64 });
  gateway = await startGatewayProcess({
    databaseUrl: env.url,
    env: {
      REQUEST_DEADLINE_MS: String(DEADLINE_MS),
      DB_STATEMENT_TIMEOUT_MS: '0',
      DB_POOL_MAX: String(POOL),
      DB_ACQUIRE_TIMEOUT_MS: '60000',
    },
  });
});

afterAll(async () => {
  await gateway?.stop();
  await env?.close();
});

function claimInput() {
  return {
    consumers: [{ consumerUuid: randomUUID(), projectId: 'deadline', userId: 'deadline' }],
    request: { resources: [{ resourceClass: 'VCPU', amount: 1 }] },
    alternates: 0,
    idempotencyKey: `deadline-${randomUUID()}`,
  };
}

function expectDeadline(result: HttpResult, what: string): void {
  const error = result.body.errors?.[0];
  expect(error?.extensions?.code, `${what}: ${JSON.stringify(result.body)}`).toBe('DATABASE_TIMEOUT');
  expect(error?.extensions?.retryable, what).toBe(true);
  expect(result.status, what).toBe(503);
  expect(result.headers.get('retry-after'), what).toBe('1');
}

describe('REQUEST_DEADLINE_MS', () => {
  it('statements past the deadline are cancelled, waiting requests give up, nothing is written, and the pool serves on', async () => {
    const inputs = Array.from({ length: 2 }, claimInput);
    const read = '{ resourceProviders(first: 1) { edges { node { allocations(first: 1) { totalCount } } } } }';
    const lock = await lockTable(env.url, 'allocations');
    let results: HttpResult[];
    let waitingAfter: number;
    const start = performance.now();
    try {
      // Two claims and two Prisma reads on a pool of two: two run and block, two wait for a connection.
      results = await Promise.all([
        ...inputs.map((input) => postGraphQL(gateway.url, CLAIM, { input })),
        postGraphQL(gateway.url, read),
        postGraphQL(gateway.url, read),
      ]);
      waitingAfter = await sessionsWaitingForLock(env);
    } finally {
      await lock.release();
    }
    const elapsed = performance.now() - start;
    for (const [i, result] of results.entries()) expectDeadline(result, `request ${i}`);
    // Cancelled in PostgreSQL, not merely abandoned: no statement of the gateway still waits on the lock.
    expect(waitingAfter).toBe(0);
    // Generous bound: without the deadline these would wait for the lock (held until now) without end.
    expect(elapsed).toBeLessThan(DEADLINE_MS * 10);
    for (const input of inputs) {
      expect(await env.sql('SELECT 1 FROM consumers WHERE uuid = $1', [input.consumers[0]!.consumerUuid])).toEqual([]);
      expect(await env.sql('SELECT 1 FROM idempotency_keys WHERE key = $1', [input.idempotencyKey])).toEqual([]);
    }

    // The connections went back to the pool: more requests than it holds all succeed.
    const again = await Promise.all(
      inputs.map((input) => postGraphQL<{ claim: { __typename: string } }>(gateway.url, CLAIM, { input })),
    );
    for (const result of again)
      expect(result.body.data?.claim.__typename, JSON.stringify(result.body)).toBe('ClaimPayload');
    const reads = await Promise.all(Array.from({ length: POOL * 2 }, () => postGraphQL(gateway.url, read)));
    for (const result of reads) expect(result.body.errors, JSON.stringify(result.body)).toBeUndefined();
    await assertPlacementInvariants(env);
  });

  it('a request inside its deadline is untouched while another one times out', async () => {
    const lock = await lockTable(env.url, 'allocations');
    try {
      const blocked = postGraphQL(gateway.url, CLAIM, { input: claimInput() });
      await untilSessionsWaitingForLock(env, 1);
      // Cells do not touch the locked table: this read and its deadline are its own.
      const cells = await postGraphQL<{ cells: { totalCount: number } }>(
        gateway.url,
        '{ cells(first: 1) { totalCount } }',
      );
      expect(cells.body.data?.cells.totalCount, JSON.stringify(cells.body)).toBe(0);
      expectDeadline(await blocked, 'the blocked claim');
    } finally {
      await lock.release();
    }
  });
});
