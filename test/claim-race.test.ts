import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { transactionStats } from '../src/placement/transactions.js';
import { ERROR_FIELDS, hostWith } from './support/fixtures.js';
import { createTestEnv, type TestEnv } from './support/harness.js';
import { assertNoOvercommit, assertPlacementInvariants } from './support/invariants.js';
import { bearer, TEST_ADMIN_TOKEN } from './support/test-token.js';

/**
 * Real claim races: a node:http server on the gateway, concurrent claimers POSTing `claim`
 * over real sockets until the capacity is gone. Each scenario runs on its own fresh
 * database; afterwards the invariants are checked in SQL, not through the API.
 */

const CLAIMERS = 32;
const VCPU_PER_HOST = 8;
const MEMORY_PER_HOST = 8192;
const VCPU_PER_CLAIM = 2;
const MEMORY_PER_CLAIM = 1024;
const SLOTS_PER_HOST = VCPU_PER_HOST / VCPU_PER_CLAIM; // VCPU is the binding class: 4 per host
const ALTERNATES = 3;
const MAX_CLAIMS_PER_CLAIMER = 60;
const MAX_RETRY_LIMIT_PER_CLAIMER = 20;
const TIME_CAP_MS = 15_000;

const CLAIM = `mutation($input: ClaimInput!) { claim(input: $input) {
  ${ERROR_FIELDS}
  ... on RetryLimitExceeded { attempts retryable }
  ... on NoValidHost { consumerUuid hostsTried }
  ... on ClaimPayload { selections { consumerUuid consumerGeneration providerUuid cellUuid hostsTried
      allocations { providerUuid resources { resourceClass amount } }
      alternates { providerUuid cellUuid allocationRequest { providerUuid resources { resourceClass amount } } } } } } }`;

interface Race {
  env: TestEnv;
  server: Server;
  endpoint: string;
  hosts: { uuid: string; cell: string }[];
}

async function startRace(hostCount: number, cellCount: number): Promise<Race> {
  const env = await createTestEnv(40);
  const cells: string[] = [];
  for (let c = 0; c < cellCount; c++) {
    const result = await env.gql<{ createCell: { cell: { uuid: string } } }>(
      `mutation($input: CreateCellInput!) { createCell(input: $input) { ${ERROR_FIELDS} ... on CellPayload { cell { uuid } } } }`,
      {
        input: { name: `race-cell-${c}` },
      },
    );
    cells.push(result.data!.createCell.cell.uuid);
  }
  const hosts: Race['hosts'] = [];
  for (let h = 0; h < hostCount; h++) {
    const cell = cells[h % cellCount]!;
    const host = await hostWith(
      env,
      `race-host-${h}`,
      { VCPU: VCPU_PER_HOST, MEMORY_MB: MEMORY_PER_HOST },
      { cellUuid: cell },
    );
    hosts.push({ uuid: host.uuid, cell });
  }
  const server = createServer(env.gateway);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  return { env, server, endpoint, hosts };
}

async function stopRace(race: Race): Promise<void> {
  await new Promise<void>((resolve) => race.server.close(() => resolve()));
  await race.env.close();
}

interface Amounts {
  providerUuid: string;
  resources: { resourceClass: string; amount: number }[];
}

/** One selection as CLAIM selects it. */
interface Selection {
  consumerUuid: string;
  consumerGeneration: number;
  providerUuid: string;
  cellUuid: string | null;
  hostsTried: number;
  allocations: Amounts[];
  alternates: { providerUuid: string; cellUuid: string | null; allocationRequest: Amounts[] }[];
}

/**
 * What the race reads from a claim's answer: a ClaimPayload's selections, NoValidHost's hosts
 * tried, or another typed error (compared whole).
 */
interface ClaimAnswer {
  __typename: string;
  selections: Selection[];
  hostsTried: string[];
  [field: string]: unknown;
}

async function postClaim(endpoint: string, input: unknown): Promise<ClaimAnswer> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      ...bearer(TEST_ADMIN_TOKEN),
    },
    body: JSON.stringify({ query: CLAIM, variables: { input } }),
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { data?: { claim: ClaimAnswer }; errors?: unknown[] };
  expect(body.errors).toBeUndefined();
  return body.data!.claim;
}

/** Hosts that could still take one more claim right now (used only grows during a race). */
async function hostsWithRoom(env: TestEnv): Promise<number> {
  const [row] = await env.sql<{ n: number }>(
    `SELECT count(*)::int AS n FROM resource_providers p
      WHERE EXISTS (SELECT 1 FROM inventories i JOIN resource_classes rc ON rc.id = i.resource_class_id
                     WHERE i.provider_id = p.id AND rc.name = 'VCPU' AND i.used + $1 <= i.capacity)
        AND EXISTS (SELECT 1 FROM inventories i JOIN resource_classes rc ON rc.id = i.resource_class_id
                     WHERE i.provider_id = p.id AND rc.name = 'MEMORY_MB' AND i.used + $2 <= i.capacity)`,
    [VCPU_PER_CLAIM, MEMORY_PER_CLAIM],
  );
  return row!.n;
}

interface Success {
  consumerUuid: string;
  selection: Selection;
}

interface RaceResult {
  successes: Success[];
  noValidHost: string[];
  /** NoValidHost answers after which SQL still showed a host with room: spurious. */
  spuriousNoValidHost: { consumerUuid: string; roomAfter: number; hostsTried: string[] }[];
  retryLimitExceeded: number;
  unexpected: ClaimAnswer[];
  /** Consumers whose claim never got a definite answer (time or loop cap). */
  abandoned: string[];
  serverRetries: number;
  durationMs: number;
}

async function runClaimers(race: Race, options: RaceOptions): Promise<RaceResult> {
  const result: RaceResult = {
    successes: [],
    noValidHost: [],
    spuriousNoValidHost: [],
    retryLimitExceeded: 0,
    unexpected: [],
    abandoned: [],
    serverRetries: 0,
    durationMs: 0,
  };
  const retriedBefore = transactionStats.retried;
  const started = Date.now();
  const deadline = started + TIME_CAP_MS;
  const claimer = async () => {
    let retryLimitHits = 0;
    for (let i = 0; i < MAX_CLAIMS_PER_CLAIMER && Date.now() < deadline; i++) {
      const consumerUuid = randomUUID();
      const input = {
        consumers: [{ consumerUuid, projectId: 'race-project', userId: 'race-user' }],
        request: {
          resources: [
            { resourceClass: 'VCPU', amount: VCPU_PER_CLAIM },
            { resourceClass: 'MEMORY_MB', amount: MEMORY_PER_CLAIM },
          ],
        },
        alternates: options.alternates ?? ALTERNATES,
        ...(options.weigher ? { weigher: options.weigher } : {}),
        ...(options.hostSubsetSize ? { hostSubsetSize: options.hostSubsetSize } : {}),
      };
      // Retry the same consumer while the server says RetryLimitExceeded (typed, retryable).
      let payload = await postClaim(race.endpoint, input);
      while (
        payload.__typename === 'RetryLimitExceeded' &&
        retryLimitHits < MAX_RETRY_LIMIT_PER_CLAIMER &&
        Date.now() < deadline
      ) {
        expect(payload).toMatchObject({ code: 'RETRY_LIMIT_EXCEEDED', retryable: true });
        result.retryLimitExceeded++;
        retryLimitHits++;
        payload = await postClaim(race.endpoint, input);
      }
      if (payload.__typename === 'ClaimPayload') {
        expect(payload.selections).toHaveLength(1);
        result.successes.push({ consumerUuid, selection: payload.selections[0]! });
        continue;
      }
      if (payload.__typename === 'NoValidHost') {
        expect(payload).toMatchObject({ code: 'NO_VALID_HOST', consumerUuid });
        result.noValidHost.push(consumerUuid);
        // Usage only grows during the race: room seen now existed when the claim was refused.
        const roomAfter = await hostsWithRoom(race.env);
        if (roomAfter > 0) result.spuriousNoValidHost.push({ consumerUuid, roomAfter, hostsTried: payload.hostsTried });
        return;
      }
      if (payload.__typename === 'RetryLimitExceeded') {
        result.retryLimitExceeded++;
        result.abandoned.push(consumerUuid);
        return;
      }
      result.unexpected.push(payload);
      return;
    }
  };
  await Promise.all(Array.from({ length: CLAIMERS }, claimer));
  result.durationMs = Date.now() - started;
  result.serverRetries = transactionStats.retried - retriedBefore;
  return result;
}

async function assertAfterRace(race: Race, result: RaceResult): Promise<void> {
  const { env, hosts } = race;
  const capacitySlots = hosts.length * SLOTS_PER_HOST;

  expect(result.unexpected).toEqual([]);
  expect(result.abandoned).toEqual([]);
  // Someone saw the end of the capacity, and no refusal happened while room remained.
  expect(result.noValidHost.length).toBeGreaterThan(0);
  expect(result.spuriousNoValidHost).toEqual([]);
  expect(await hostsWithRoom(env)).toBe(0);
  // Exactly what capacity allowed was claimed.
  expect(result.successes).toHaveLength(capacitySlots);

  // No inventory over-committed; every counter equals its allocation rows; search copies current.
  await assertNoOvercommit(env);
  await assertPlacementInvariants(env);
  const totals = await env.sql<{ name: string; used: number }>(
    `SELECT rc.name, sum(i.used)::bigint AS used FROM inventories i JOIN resource_classes rc ON rc.id = i.resource_class_id GROUP BY rc.name ORDER BY rc.name`,
  );
  expect(totals).toEqual([
    { name: 'MEMORY_MB', used: capacitySlots * MEMORY_PER_CLAIM },
    { name: 'VCPU', used: capacitySlots * VCPU_PER_CLAIM },
  ]);

  // Every acknowledged claim's consumer has exactly its rows, on the host it was told.
  const rows = await env.sql<{ consumer: string; provider: string; name: string; used: number; generation: number }>(
    `SELECT c.uuid AS consumer, p.uuid AS provider, rc.name, a.used, c.generation
       FROM allocations a JOIN consumers c ON c.id = a.consumer_id JOIN resource_providers p ON p.id = a.provider_id
       JOIN resource_classes rc ON rc.id = a.resource_class_id ORDER BY c.uuid, rc.name`,
  );
  const byConsumer = new Map<string, typeof rows>();
  for (const row of rows) byConsumer.set(row.consumer, [...(byConsumer.get(row.consumer) ?? []), row]);
  const hostCell = new Map(hosts.map((h) => [h.uuid, h.cell]));
  for (const { consumerUuid, selection } of result.successes) {
    expect(selection.consumerUuid).toBe(consumerUuid);
    expect(selection.consumerGeneration).toBe(1);
    expect(selection.hostsTried).toBeGreaterThanOrEqual(1);
    expect(selection.cellUuid).toBe(hostCell.get(selection.providerUuid));
    expect(selection.allocations).toEqual([
      {
        providerUuid: selection.providerUuid,
        resources: [
          { resourceClass: 'VCPU', amount: VCPU_PER_CLAIM },
          { resourceClass: 'MEMORY_MB', amount: MEMORY_PER_CLAIM },
        ],
      },
    ]);
    expect(byConsumer.get(consumerUuid)).toEqual([
      {
        consumer: consumerUuid,
        provider: selection.providerUuid,
        name: 'MEMORY_MB',
        used: MEMORY_PER_CLAIM,
        generation: 1,
      },
      { consumer: consumerUuid, provider: selection.providerUuid, name: 'VCPU', used: VCPU_PER_CLAIM, generation: 1 },
    ]);
    // Alternates: at most N, same cell as the chosen host, never the chosen host, no repeats.
    expect(selection.alternates.length).toBeLessThanOrEqual(ALTERNATES);
    const seen = new Set<string>();
    for (const alternate of selection.alternates) {
      expect(alternate.providerUuid).not.toBe(selection.providerUuid);
      expect(seen.has(alternate.providerUuid)).toBe(false);
      seen.add(alternate.providerUuid);
      expect(alternate.cellUuid).toBe(selection.cellUuid);
      expect(hostCell.get(alternate.providerUuid)).toBe(selection.cellUuid);
      expect(alternate.allocationRequest).toEqual([
        {
          providerUuid: alternate.providerUuid,
          resources: [
            { resourceClass: 'VCPU', amount: VCPU_PER_CLAIM },
            { resourceClass: 'MEMORY_MB', amount: MEMORY_PER_CLAIM },
          ],
        },
      ]);
    }
  }
  // Exactly the acknowledged consumers exist: none for refused claims, none unacknowledged.
  expect(new Set(byConsumer.keys())).toEqual(new Set(result.successes.map((s) => s.consumerUuid)));
  const [{ n }] = (await env.sql<{ n: number }>('SELECT count(*)::int AS n FROM consumers')) as [{ n: number }];
  expect(n).toBe(capacitySlots);
  const failed = await env.sql('SELECT uuid FROM consumers WHERE uuid = ANY($1::uuid[])', [result.noValidHost]);
  expect(failed).toEqual([]);
  // Each host is full: exactly SLOTS_PER_HOST claims landed on it.
  const perHost = new Map<string, number>();
  for (const { selection } of result.successes)
    perHost.set(selection.providerUuid, (perHost.get(selection.providerUuid) ?? 0) + 1);
  expect([...perHost.values()].every((count) => count === SLOTS_PER_HOST)).toBe(true);
  expect(perHost.size).toBe(hosts.length);
}

function report(label: string, race: Race, result: RaceResult): void {
  console.info(
    `[claim-race] ${label}: ${race.hosts.length} hosts × ${SLOTS_PER_HOST} slots, ${CLAIMERS} claimers: ` +
      `successes ${result.successes.length}, NoValidHost ${result.noValidHost.length} (spurious ${result.spuriousNoValidHost.length}), ` +
      `RetryLimitExceeded ${result.retryLimitExceeded}, server serialization retries ${result.serverRetries}, ` +
      `max hostsTried ${Math.max(0, ...result.successes.map((s) => s.selection.hostsTried))}, ${result.durationMs} ms`,
  );
}

/** RetryLimitExceeded answers per scenario (the claimers re-posted them), checked last. */
const retryLimitByScenario: Record<string, number> = {};

interface RaceOptions {
  weigher?: 'SPREAD' | 'PACK';
  hostSubsetSize?: number;
  alternates?: number;
}

async function scenario(label: string, hosts: number, options: RaceOptions): Promise<void> {
  const race = await startRace(hosts, 2);
  try {
    const result = await runClaimers(race, options);
    report(label, race, result);
    retryLimitByScenario[label] = result.retryLimitExceeded;
    await assertAfterRace(race, result);
  } finally {
    await stopRace(race);
  }
}

describe('claim races over HTTP', () => {
  it('SPREAD: 32 claimers on 20 hosts in 2 cells claim exactly the 80 slots, then all get NoValidHost', async () => {
    await scenario('SPREAD', 20, {});
  });

  it('hot spot with hostSubsetSize 5: 32 claimers on 5 hosts claim exactly the 20 slots', async () => {
    await scenario('hot spot, hostSubsetSize 5', 5, { hostSubsetSize: 5 });
  });

  it('PACK: 32 claimers all aiming at the fullest host still claim exactly the 80 slots', async () => {
    await scenario('PACK', 20, { weigher: 'PACK' });
  });

  it('more free hosts than one page of the weighed list (11): racers that exhaust their page go on to the next, never NoValidHost while room remains', async () => {
    await scenario('SPREAD, 40 hosts, page of 11', 40, { alternates: 0 });
  });

  it('no claim in the races above answered RetryLimitExceeded', () => {
    expect(Object.keys(retryLimitByScenario)).toHaveLength(4);
    expect(retryLimitByScenario).toEqual({
      SPREAD: 0,
      'hot spot, hostSubsetSize 5': 0,
      PACK: 0,
      'SPREAD, 40 hosts, page of 11': 0,
    });
  });
});

describe('claims of several consumers racing over HTTP', () => {
  it('8 claimers each placing 2 consumers per claim on their own 2 hosts (nothing shared): 4 claims each, then NoValidHost; zero RetryLimitExceeded', async () => {
    const race = await startRace(16, 2);
    try {
      const owned = Array.from({ length: 8 }, (_, i) => race.hosts.slice(2 * i, 2 * i + 2).map((h) => h.uuid));
      const claimsPerClaimer = SLOTS_PER_HOST; // each claim takes one slot on each of the 2 hosts
      const answers = await Promise.all(
        owned.map(async (candidates) => {
          const got: string[] = [];
          for (let i = 0; i <= claimsPerClaimer; i++) {
            const consumers = [randomUUID(), randomUUID()].map((consumerUuid) => ({
              consumerUuid,
              projectId: 'race-project',
              userId: 'race-user',
            }));
            const payload = await postClaim(race.endpoint, {
              consumers,
              request: {
                resources: [
                  { resourceClass: 'VCPU', amount: VCPU_PER_CLAIM },
                  { resourceClass: 'MEMORY_MB', amount: MEMORY_PER_CLAIM },
                ],
              },
              alternates: 1,
              candidates,
            });
            got.push(payload.__typename);
            if (payload.__typename === 'ClaimPayload')
              expect(new Set(payload.selections.map((s: { providerUuid: string }) => s.providerUuid))).toEqual(
                new Set(candidates),
              );
          }
          return got;
        }),
      );
      const expected = [...Array.from({ length: claimsPerClaimer }, () => 'ClaimPayload'), 'NoValidHost'];
      expect(answers).toEqual(owned.map(() => expected));
      expect(await hostsWithRoom(race.env)).toBe(0);
      await assertNoOvercommit(race.env);
      await assertPlacementInvariants(race.env);
      const [consumers] = await race.env.sql<{ n: number }>('SELECT count(*)::int AS n FROM consumers');
      expect(consumers?.n).toBe(race.hosts.length * SLOTS_PER_HOST);
    } finally {
      await stopRace(race);
    }
  });
});
