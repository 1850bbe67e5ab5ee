import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { claim, type Selection } from '../src/placement/claims/index.js';
import { transactionStats } from '../src/placement/transactions.js';
import { ERROR_FIELDS, hostWith } from './support/fixtures.js';
import { createTestEnv, type TestEnv, testEnvOn } from './support/harness.js';
import { assertNoOvercommit, assertPlacementInvariants } from './support/invariants.js';

/**
 * A claim of several consumers whose weighed list is overtaken by racers: 14 one-slot hosts,
 * the claim's first page holds 12 of them (2 consumers, no alternates: 2 × 1 + 10), and
 * racing claims fill those 12 between the claim's search and its transaction. Each consumer
 * must go on to the next page by itself: never NoValidHost while hosts with room remain.
 *
 * The gate is the claim's own pool of 2 connections: the test holds one, blocks the claim's
 * search with a table lock, queues for the other, and so holds both when the claim asks for
 * its transaction's connection. The racers run through a second gateway on the same database.
 */
const HOSTS = 14;
const PAGE = 12;
const CLAIM = `mutation($input: ClaimInput!) { claim(input: $input) { ${ERROR_FIELDS}
  ... on NoValidHost { consumerUuid hostsTried }
  ... on ClaimPayload { selections { consumerUuid providerUuid hostsTried } } } }`;

interface World {
  env: TestEnv;
  racers: TestEnv;
  cls: string;
  hosts: string[];
}

let world: World | undefined;
afterEach(async () => {
  if (!world) return;
  await world.racers.close();
  await world.env.close();
  world = undefined;
});

async function build(): Promise<World> {
  const env = await createTestEnv(2);
  const racers = await testEnvOn(env.url, 16);
  const cls = `CUSTOM_PAGE_${randomUUID().slice(0, 8).toUpperCase()}`;
  await racers.gql(`mutation { createResourceClass(input: {name: "${cls}"}) { __typename } }`);
  const hosts: string[] = [];
  // Equal hosts: the weigher breaks ties on the uuid, so page 1 is hosts 1..12.
  for (let n = 1; n <= HOSTS; n++) {
    const uuid = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
    hosts.push((await hostWith(racers, `page-host-${n}`, { [cls]: 1 }, { uuid })).uuid);
  }
  world = { env, racers, cls, hosts };
  return world;
}

function claimInput(w: World, consumers: number) {
  return {
    consumers: Array.from({ length: consumers }, () => ({ consumerUuid: randomUUID(), projectId: 'p', userId: 'u' })),
    request: { resources: [{ resourceClass: w.cls, amount: 1 }] },
    alternates: 0,
  };
}

async function until(condition: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (await condition()) return;
    await sleep(5);
  }
  throw new Error(`never happened: ${what}`);
}

/**
 * Starts `start` (a claim on w.env) and returns once its search is done and it waits for
 * the connection of its transaction, with `release` to let it go on.
 */
async function holdBetweenSearchAndClaim<T>(w: World, start: () => Promise<T>) {
  const pool = w.env.db.pool;
  const held: pg.PoolClient[] = [await pool.connect()];
  const lock = held[0] as pg.PoolClient;
  await lock.query('BEGIN');
  await lock.query('LOCK TABLE inventories IN ACCESS EXCLUSIVE MODE');
  const result = start();
  result.catch(() => undefined);
  const blocked = async () =>
    (
      await w.racers.sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      )
    )[0]?.n === 1;
  await until(blocked, "the claim's search waits for the table lock");
  // Queued before the claim's search ends, so its connection comes to the test next.
  const second = pool.connect();
  await until(() => pool.waitingCount === 1, 'the test waits for the second connection');
  await lock.query('COMMIT');
  held.push(await second);
  await until(() => pool.waitingCount === 1, "the claim's transaction waits for a connection");
  return {
    result,
    release: () => {
      for (const client of held) client.release();
    },
  };
}

/** 12 racing one-consumer claims, each on the claim's first page only: they fill it. */
async function fillFirstPage(w: World): Promise<void> {
  const page = w.hosts.slice(0, PAGE);
  const answers = await Promise.all(
    page.map(async () => {
      const result = await w.racers.gql<{ claim: { __typename: string } }>(CLAIM, {
        input: { ...claimInput(w, 1), candidates: page },
      });
      return result.data?.claim;
    }),
  );
  expect(answers.map((a) => a!.__typename)).toEqual(page.map(() => 'ClaimPayload'));
}

async function assertAllHostsFull(w: World): Promise<void> {
  await assertNoOvercommit(w.racers);
  await assertPlacementInvariants(w.racers);
  const rows = await w.racers.sql<{ uuid: string; used: number; allocated: number }>(
    `SELECT p.uuid, i.used, (SELECT coalesce(sum(a.used), 0)::int FROM allocations a
        WHERE a.provider_id = p.id AND a.resource_class_id = i.resource_class_id) AS allocated
       FROM resource_providers p JOIN inventories i ON i.provider_id = p.id ORDER BY p.uuid`,
  );
  expect(rows).toEqual(w.hosts.map((uuid) => ({ uuid, used: 1, allocated: 1 })));
  const [consumers] = await w.racers.sql<{ n: number }>('SELECT count(*)::int AS n FROM consumers');
  expect(consumers?.n).toBe(HOSTS);
}

describe('a claim of several consumers whose first page was taken by racers', () => {
  it('each consumer pages on by itself: both land on the 2 hosts past the page, never NoValidHost', async () => {
    const w = await build();
    const input = claimInput(w, 2);
    const gate = await holdBetweenSearchAndClaim(w, () => w.env.gql<{ claim: unknown }>(CLAIM, { input }));
    await fillFirstPage(w);
    gate.release();
    const answer = (await gate.result).data?.claim;
    expect(answer).toEqual({
      __typename: 'ClaimPayload',
      selections: [
        { consumerUuid: input.consumers[0]?.consumerUuid, providerUuid: w.hosts[12], hostsTried: PAGE + 1 },
        { consumerUuid: input.consumers[1]?.consumerUuid, providerUuid: w.hosts[13], hostsTried: PAGE + 1 },
      ],
    });
    await assertAllHostsFull(w);
  });

  it('a host that stays busy restarts the transaction with fresh walks (counted as host_busy, not a serialization retry)', async () => {
    const w = await build();
    const input = claimInput(w, 2);
    // A generous budget: the hosts past the page stay locked until the first restart is seen.
    const policy = { maxAttempts: 1000, baseDelayMs: 5, maxDelayMs: 20 };
    const gate = await holdBetweenSearchAndClaim(w, () => claim(w.env.db, input, policy));
    await fillFirstPage(w);
    // Another writer holds the two hosts past the page: busy on both visits of the first walk.
    const holder = await w.racers.db.pool.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT id FROM resource_providers WHERE uuid = ANY($1::uuid[]) FOR UPDATE', [
      w.hosts.slice(PAGE),
    ]);
    const before = { ...transactionStats };
    gate.release();
    await until(() => transactionStats.hostBusy > before.hostBusy, 'the claim restarts on a host that stayed busy');
    await holder.query('COMMIT');
    holder.release();
    const selections: Selection[] = await gate.result;
    expect(selections.map((s) => [s.consumerUuid, s.providerUuid])).toEqual([
      [input.consumers[0]?.consumerUuid, w.hosts[12]],
      [input.consumers[1]?.consumerUuid, w.hosts[13]],
    ]);
    // The restarts are host_busy, not serialization failures, in the counters and on /metrics.
    expect(transactionStats.retried).toBe(before.retried);
    const metrics = await (await w.env.gateway.fetch('http://localhost/metrics')).text();
    const hostBusy = metrics.split('\n').find((l) => l.startsWith('placement_transactions{outcome="host_busy"}'));
    expect(Number(hostBusy?.split(' ').pop())).toBeGreaterThanOrEqual(1);
    await assertAllHostsFull(w);
  });
});
