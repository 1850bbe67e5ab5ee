import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostWith } from './support/fixtures.js';
import { type GatewayProcess, type HttpResult, postGraphQL, startGatewayProcess } from './support/gateway-process.js';
import { createTestEnv, type TestEnv } from './support/harness.js';
import { assertNoOvercommit, assertPlacementInvariants } from './support/invariants.js';
import { CLAIM, type SelectionOut } from './support/placement-ops.js';
import { bearer, TEST_ADMIN_TOKEN } from './support/test-token.js';

/**
 * A slow database and an exhausted pool, made real: the test holds an ACCESS EXCLUSIVE lock
 * on `allocations`, so every gateway statement that touches the table waits. Requests must
 * then fail after the configured timeouts with clear retryable errors instead of piling up,
 * and a gateway at its in-flight bound must refuse more work at once.
 */

let env: TestEnv;
/** Two connections, 300 ms to get one, 3 s per statement. */
let slow: GatewayProcess;
/** Three GraphQL requests at a time; no statement timeout, so blocked requests stay blocked. */
let bounded: GatewayProcess;
const STATEMENT_TIMEOUT_MS = 3_000;

beforeAll(async () => {
  env = await createTestEnv(4);
  await hostWith(env, 'slow-host', { VCPU: 64 });
  [slow, bounded] = await Promise.all([
    startGatewayProcess({
      databaseUrl: env.url,
      env: { DB_POOL_MAX: '2', DB_ACQUIRE_TIMEOUT_MS: '300', DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS) },
    }),
    startGatewayProcess({ databaseUrl: env.url, env: { MAX_INFLIGHT_REQUESTS: '3', DB_STATEMENT_TIMEOUT_MS: '0' } }),
  ]);
});

afterAll(async () => {
  await Promise.all([slow?.stop(), bounded?.stop()]);
  await env?.close();
});

/** Holds ACCESS EXCLUSIVE on `allocations` in an open transaction until released. */
async function lockAllocations(): Promise<{ release(): Promise<void> }> {
  const client = new pg.Client({ connectionString: env.url });
  await client.connect();
  await client.query('BEGIN');
  await client.query('LOCK TABLE allocations IN ACCESS EXCLUSIVE MODE');
  return {
    async release() {
      await client.query('ROLLBACK');
      await client.end();
    },
  };
}

/** Waits until `count` sessions of this database are waiting for a lock (the gateway's blocked statements). */
async function sessionsWaitingForLock(count: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const [row] = await env.sql<{ waiting: number }>(
      `SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    if (row!.waiting >= count) return;
    if (Date.now() > deadline) throw new Error(`only ${row!.waiting} sessions waiting for a lock, expected ${count}`);
    await sleep(20);
  }
}

// A project nobody claims for: its answer stays the same whatever the other tests write.
const USAGES = '{ usages(projectId: "nobody") { consumerCount } }';

function errorOf(result: HttpResult): { code: unknown; retryable: unknown; message: string } {
  const error = result.body.errors?.[0];
  return { code: error?.extensions?.code, retryable: error?.extensions?.retryable, message: error?.message ?? '' };
}

function expectRetryable(result: HttpResult, code: string, what: string): void {
  const error = errorOf(result);
  expect(error.code, `${what}: ${JSON.stringify(result.body)}`).toBe(code);
  expect(error.retryable, what).toBe(true);
  expect(result.status, what).toBe(503);
  expect(result.headers.get('retry-after'), what).toBe('1');
}

function claimInput(key: string) {
  return {
    consumers: [{ consumerUuid: randomUUID(), projectId: 'slow', userId: 'slow' }],
    request: { resources: [{ resourceClass: 'VCPU', amount: 1 }] },
    alternates: 0,
    idempotencyKey: key,
  };
}

describe('statement timeout (DB_STATEMENT_TIMEOUT_MS)', () => {
  it('a claim stuck behind a lock is cancelled with DATABASE_TIMEOUT, writes nothing, and succeeds on retry once the lock is gone', async () => {
    const key = `slow-${randomUUID()}`;
    const input = claimInput(key);
    const consumerUuid = input.consumers[0]!.consumerUuid;
    const lock = await lockAllocations();
    let timedOut: HttpResult;
    try {
      timedOut = await postGraphQL(slow.url, CLAIM, { input });
      // A Prisma-served read (a provider's allocations) is cancelled the same way.
      const read = await postGraphQL(
        slow.url,
        '{ resourceProviders(first: 1) { edges { node { allocations(first: 1) { totalCount } } } } }',
      );
      expectRetryable(read, 'DATABASE_TIMEOUT', 'a Prisma read behind the lock');
    } finally {
      await lock.release();
    }
    expectRetryable(timedOut, 'DATABASE_TIMEOUT', 'a claim behind the lock');
    expect(errorOf(timedOut).message).toMatch(/time limit/);
    expect(await env.sql('SELECT 1 FROM consumers WHERE uuid = $1', [consumerUuid])).toEqual([]);
    expect(await env.sql('SELECT 1 FROM idempotency_keys WHERE key = $1', [key])).toEqual([]);

    const retried = await postGraphQL<{ claim: { __typename: string; selections?: SelectionOut[] } }>(slow.url, CLAIM, {
      input,
    });
    expect(retried.body.data?.claim.__typename, JSON.stringify(retried.body)).toBe('ClaimPayload');
    await assertNoOvercommit(env);
    await assertPlacementInvariants(env);
  });
});

describe('pool exhausted (DB_POOL_MAX, DB_ACQUIRE_TIMEOUT_MS)', () => {
  it('with both connections stuck, further requests fail with DATABASE_BUSY after the acquire timeout instead of queueing; readiness says so; all recovers', async () => {
    const lock = await lockAllocations();
    let stuck: HttpResult[];
    try {
      const stuckRequests = [postGraphQL(slow.url, USAGES), postGraphQL(slow.url, USAGES)];
      await sessionsWaitingForLock(2); // both pooled connections are now waiting for the lock
      let stuckAnswered = false;
      void Promise.all(stuckRequests).then(() => (stuckAnswered = true));
      const queued = await Promise.all(Array.from({ length: 4 }, () => postGraphQL(slow.url, USAGES)));
      const ready = await fetch(`${slow.url}/ready`);
      // Answered while the lock is still held: they did not wait for the stuck ones.
      expect(stuckAnswered).toBe(false);
      for (const [i, result] of queued.entries()) expectRetryable(result, 'DATABASE_BUSY', `queued request ${i}`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ ready: false, code: 'DATABASE_BUSY' });
      stuck = await Promise.all(stuckRequests);
    } finally {
      await lock.release();
    }
    // The stuck ones end at the statement timeout (a request may hold both connections, then the other queued).
    const codes = stuck.map((r) => errorOf(r).code);
    expect(codes, JSON.stringify(stuck.map((r) => r.body))).toContain('DATABASE_TIMEOUT');
    for (const result of stuck) expect(['DATABASE_TIMEOUT', 'DATABASE_BUSY']).toContain(errorOf(result).code);
    for (const result of stuck) expect(result.status).toBe(503);

    const after = await postGraphQL(slow.url, USAGES);
    expect(after.body).toEqual({ data: { usages: { consumerCount: 0 } } });
    expect((await fetch(`${slow.url}/ready`)).status).toBe(200);
  });
});

describe('in-flight bound (MAX_INFLIGHT_REQUESTS)', () => {
  /** Three requests stuck behind the lock fill the bound; returns them and the lock. */
  async function fillBound(): Promise<{ stuck: Promise<HttpResult>[]; lock: { release(): Promise<void> } }> {
    const lock = await lockAllocations();
    const stuck = Array.from({ length: 3 }, () => postGraphQL(bounded.url, USAGES));
    await sessionsWaitingForLock(3);
    return { stuck, lock };
  }

  it('past the bound a request gets 503 SERVER_BUSY + Retry-After at once; health and metrics answer, readiness says SATURATED', async () => {
    const { stuck, lock } = await fillBound();
    try {
      const refused = await postGraphQL(bounded.url, '{ __typename }');
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(refused.body.errors?.[0]?.extensions).toEqual({ code: 'SERVER_BUSY', retryable: true });
      expect(refused.body.errors?.[0]?.message).toMatch(/limit of 3 requests in flight/);
      expect((await fetch(`${bounded.url}/health`)).status).toBe(200);
      // A load balancer stops sending work here while the bound is full (src/http/readiness.ts).
      const ready = await fetch(`${bounded.url}/ready`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ ready: false, code: 'SATURATED' });
      expect((await fetch(`${bounded.url}/metrics`)).status).toBe(200);
    } finally {
      await lock.release();
    }
    for (const result of await Promise.all(stuck))
      expect(result.body).toEqual({ data: { usages: { consumerCount: 0 } } });
    expect((await fetch(`${bounded.url}/ready`)).status).toBe(200);
  });

  it('every way a request can end gives its place back: the bound admits exactly three again afterwards', async () => {
    const post = (body: string, token: string | null = TEST_ADMIN_TOKEN) =>
      fetch(`${bounded.url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json',
          ...(token === null ? {} : bearer(token)),
        },
        body,
      });
    const requests = [
      () => post(JSON.stringify({ query: '{ __typename }' }), null), // no token
      () => post('{"query": "{ __typename }"'), // malformed JSON
      () => post(JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(1_100_000) } })), // too large
      () => post(JSON.stringify({ query: '{ nope(' })), // parse error
      () => post(JSON.stringify({ query: '{ noSuchField }' })), // validation error
      () => post(JSON.stringify({ query: 'mutation { createTrait(input: { name: "lower" }) { __typename } }' })), // typed error
      () => fetch(`${bounded.url}/graphql`, { headers: { accept: 'text/html' } }), // GraphiQL
      ...Array.from({ length: 10 }, () => () => post(JSON.stringify({ query: '{ __typename }' }))),
    ];
    // One after another: each must be admitted, so a leaked place would show as a 503 here or below.
    const statuses: number[] = [];
    for (const request of requests) {
      const response = await request();
      await response.text();
      statuses.push(response.status);
    }
    expect(statuses).toEqual([401, 400, 413, 400, 400, 200, 200, ...Array(10).fill(200)]);

    const { stuck, lock } = await fillBound(); // all three admitted (each reached the database)
    try {
      expect((await postGraphQL(bounded.url, '{ __typename }')).status).toBe(503);
    } finally {
      await lock.release();
    }
    for (const result of await Promise.all(stuck)) expect(result.status).toBe(200);
    expect((await postGraphQL(bounded.url, '{ __typename }')).body).toEqual({ data: { __typename: 'Query' } });
  });
});
