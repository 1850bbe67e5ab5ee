import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostWith } from './support/fixtures.js';
import { type GatewayProcess, type HttpResult, postGraphQL, startGatewayProcess } from './support/gateway-process.js';
import type { TestEnv } from './support/harness.js';
import { testEnvOn } from './support/harness.js';
import { assertNoOvercommit, assertPlacementInvariants } from './support/invariants.js';
import { type OwnPostgres, startOwnPostgres } from './support/own-postgres.js';
import { assertDatabaseMatchesAcknowledged, CLAIM, type SelectionOut } from './support/placement-ops.js';

/**
 * PostgreSQL stopped and restarted under load, on a server of this test's own. The gateway
 * process keeps running: while the database is away every request fails with a clear,
 * retryable error (never a masked "Unexpected error."), readiness says so, and once the
 * database is back the same process serves again without a restart.
 */

const WORKERS = 6;
const RESOURCES = [{ resourceClass: 'VCPU', amount: 1 }];
const DATABASE_FAULTS = ['DATABASE_UNAVAILABLE', 'DATABASE_BUSY', 'DATABASE_TIMEOUT'];

let postgres: OwnPostgres;
let env: TestEnv;
let gateway: GatewayProcess;

beforeAll(async () => {
  postgres = await startOwnPostgres();
  env = await testEnvOn(postgres.url);
  for (let i = 0; i < 4; i++) await hostWith(env, `restart-host-${i}`, { VCPU: 1_000_000 });
  gateway = await startGatewayProcess({
    databaseUrl: postgres.url,
    env: { DB_POOL_MAX: '4', DB_ACQUIRE_TIMEOUT_MS: '2000' },
  });
});

afterAll(async () => {
  await gateway?.stop();
  await env?.close();
  await postgres?.destroy();
});

type Phase = 'up' | 'stopping' | 'down' | 'restarting' | 'back';

interface Attempt {
  key: string;
  input: Record<string, unknown>;
  consumerUuid: string;
  /** The phase when the request was sent, and when its answer came. */
  sent: Phase;
  answered: Phase;
  status: number;
  retryAfter: string | null;
  selection?: SelectionOut;
  error?: { message: string; code?: unknown; retryable?: unknown };
}

function claimInput(): { key: string; consumerUuid: string; input: Record<string, unknown> } {
  const consumerUuid = randomUUID();
  const key = `restart-${consumerUuid}`;
  return {
    key,
    consumerUuid,
    input: {
      consumers: [{ consumerUuid, projectId: 'restart', userId: 'restart' }],
      request: { resources: RESOURCES },
      alternates: 0,
      idempotencyKey: key,
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls GET /ready until it answers `status`; returns that response's body. */
async function readyBecomes(status: number, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${gateway.url}/ready`);
    const body = await response.text();
    if (response.status === status) return body;
    if (Date.now() > deadline) throw new Error(`GET /ready stayed ${response.status} (${body}), expected ${status}`);
    await sleep(100);
  }
}

function expectRetryableDatabaseError(result: HttpResult, what: string): void {
  const error = result.body.errors?.[0];
  expect(error?.extensions?.code, `${what}: ${JSON.stringify(result.body)}`).toBe('DATABASE_UNAVAILABLE');
  expect(error?.extensions?.retryable, what).toBe(true);
  expect(error?.message, what).not.toBe('Unexpected error.');
  expect(result.status, what).toBe(503);
  expect(result.headers.get('retry-after'), what).toBe('1');
}

describe('PostgreSQL restarted under load', () => {
  it('requests fail retryably while it is away, readiness follows it, the same gateway process recovers, invariants hold', async () => {
    let phase: Phase = 'up';
    const attempts: Attempt[] = [];
    let loadRunning = true;

    const worker = async () => {
      while (loadRunning) {
        const planned = claimInput();
        const sent = phase;
        const result = await postGraphQL<{ claim: { __typename: string; selections?: SelectionOut[] } }>(
          gateway.url,
          CLAIM,
          { input: planned.input },
        );
        const error = result.body.errors?.[0];
        attempts.push({
          ...planned,
          sent,
          answered: phase,
          status: result.status,
          retryAfter: result.headers.get('retry-after'),
          selection:
            result.body.data?.claim?.__typename === 'ClaimPayload' ? result.body.data.claim.selections![0] : undefined,
          error: error
            ? { message: error.message, code: error.extensions?.code, retryable: error.extensions?.retryable }
            : undefined,
        });
        // While the database is away, failures come back at once; do not spin.
        if (error) await sleep(20);
      }
    };
    const load = Array.from({ length: WORKERS }, () => worker());

    await sleep(1_000);
    phase = 'stopping';
    await postgres.stop();
    phase = 'down';

    // Readiness reports the fault; new claims and queries fail retryably, with 503 + Retry-After.
    const notReady = await readyBecomes(503, 10_000);
    expect(JSON.parse(notReady)).toEqual({ ready: false, code: 'DATABASE_UNAVAILABLE' });
    expectRetryableDatabaseError(
      await postGraphQL(gateway.url, CLAIM, { input: claimInput().input }),
      'a claim while the database is down',
    );
    // A Prisma-served query takes the other driver path; it must be recognised too.
    expectRetryableDatabaseError(
      await postGraphQL(gateway.url, '{ cells(first: 1) { totalCount } }'),
      'a query while the database is down',
    );
    await sleep(1_000); // load keeps hitting the stopped database

    phase = 'restarting';
    await postgres.restart();
    await readyBecomes(200, 30_000);
    phase = 'back';
    await sleep(1_000);
    loadRunning = false;
    await load;

    // The same process, never restarted.
    expect(gateway.exited(), gateway.output()).toBe(false);

    const summary = JSON.stringify(
      attempts.reduce<Record<string, number>>((acc, a) => {
        const k = `${a.sent}->${a.answered}:${a.selection ? 'claimed' : String(a.error?.code ?? a.status)}`;
        acc[k] = (acc[k] ?? 0) + 1;
        return acc;
      }, {}),
    );
    // Every answer is a claim or a retryable database error: nothing masked, nothing else.
    const unclear = attempts.filter(
      (a) =>
        !a.selection &&
        !(
          DATABASE_FAULTS.includes(String(a.error?.code)) &&
          a.error?.retryable === true &&
          a.status === 503 &&
          a.retryAfter === '1'
        ),
    );
    expect(
      unclear.map((a) => ({ sent: a.sent, status: a.status, error: a.error })),
      summary,
    ).toEqual([]);
    // Requests sent while the database was down all failed; claims succeeded before and after.
    const sentWhileDown = attempts.filter((a) => a.sent === 'down' && a.answered === 'down');
    expect(sentWhileDown.length, summary).toBeGreaterThan(0);
    expect(
      sentWhileDown.filter((a) => a.selection),
      summary,
    ).toEqual([]);
    expect(attempts.filter((a) => a.sent === 'up' && a.selection).length, summary).toBeGreaterThan(0);
    expect(attempts.filter((a) => a.sent === 'back' && a.selection).length, summary).toBeGreaterThan(0);

    // Clients retry every failed claim with its key: each ends claimed exactly once.
    const claimed = new Map<string, SelectionOut>();
    for (const attempt of attempts) {
      let selection = attempt.selection;
      if (!selection) {
        const retried = await postGraphQL<{ claim: { __typename: string; selections?: SelectionOut[] } }>(
          gateway.url,
          CLAIM,
          { input: attempt.input },
        );
        expect(retried.body.data?.claim?.__typename, JSON.stringify(retried.body)).toBe('ClaimPayload');
        selection = retried.body.data!.claim.selections![0]!;
      }
      claimed.set(attempt.consumerUuid, selection);
    }
    await assertDatabaseMatchesAcknowledged(
      env,
      new Map(
        [...claimed].map(([uuid, s]) => [uuid, { generation: s.consumerGeneration, allocations: s.allocations }]),
      ),
      [],
    );
    await assertNoOvercommit(env);
    await assertPlacementInvariants(env);
  });
});
