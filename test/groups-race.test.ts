/**
 * Grouped claims race for real: many concurrent `claim` calls, each on its own pooled
 * connections, each placing NUMA-isolated groups plus a VF in the NUMA node's subtree — three
 * providers of one tree per claim. Afterwards, in SQL: no over-commit, usage equals the
 * allocation rows, every acknowledged claim holds exactly what it was told and nothing else
 * exists, and NoValidHost came only when the capacity was really gone. Reschedules of
 * multi-provider allocations race too: the move is all or nothing.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { allocationCandidates } from '../src/placement/candidates.js';
import {
  allocationRequestOf,
  claim,
  NoValidHostError,
  reschedule,
  type Selection,
} from '../src/placement/claims/index.js';
import { claimOnHost } from '../src/placement/claims/statement.js';
import { ConsumerGenerationConflictError, RetryLimitExceededError } from '../src/placement/errors.js';
import { VERSION_HEADER } from '../src/versions.js';
import {
  buildWorld,
  createCatalogue,
  type GroupedRequest,
  lines,
  mappingNames,
  type NodeSpec,
  res,
  type World,
} from './support/groups-world.js';
import { createTestEnv, type TestEnv } from './support/harness.js';
import { assertNoOvercommit, assertPlacementInvariants } from './support/invariants.js';
import { assertDatabaseMatchesAcknowledged } from './support/placement-ops.js';
import { bearer, TEST_ADMIN_TOKEN } from './support/test-token.js';

const VCPU_PER_NODE = 8;
const VCPU_PER_GROUP = 2;
/** Each claim takes 2 VCPU from each of a host's two NUMA nodes: 4 claims fill a host. */
const SLOTS_PER_HOST = VCPU_PER_NODE / VCPU_PER_GROUP;

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv(40);
  await createCatalogue(env.db.pool, { traits: ['CUSTOM_PHYSNET1'] });
});
afterAll(async () => env?.close());
beforeEach(async () => {
  await env.sql(
    'TRUNCATE allocations, consumers, inventories, provider_traits, provider_aggregates, resource_providers, aggregates, cells, idempotency_keys CASCADE',
  );
});
afterEach(async () => {
  await assertPlacementInvariants(env);
  await assertNoOvercommit(env);
});

/** A NUMA host: two nodes (VCPU, MEMORY_MB), each with a PHYSNET1 PF of VFs. */
function numaHost(name: string, vcpu = VCPU_PER_NODE, vfs = 8): NodeSpec {
  return {
    name,
    children: [0, 1].map((n) => ({
      name: `${name}_numa${n}`,
      traits: ['HW_NUMA_ROOT'],
      inventories: { VCPU: vcpu, MEMORY_MB: 1024 * vcpu },
      children: [{ name: `${name}_pf${n}`, traits: ['CUSTOM_PHYSNET1'], inventories: { SRIOV_NET_VF: vfs } }],
    })),
  };
}

const REQUEST: GroupedRequest = {
  resources: [],
  groups: [
    { name: 'numa_a', resources: res({ VCPU: VCPU_PER_GROUP, MEMORY_MB: 1024 }), requiredTraits: ['HW_NUMA_ROOT'] },
    { name: 'numa_b', resources: res({ VCPU: VCPU_PER_GROUP, MEMORY_MB: 1024 }), requiredTraits: ['HW_NUMA_ROOT'] },
    { name: 'vf', resources: res({ SRIOV_NET_VF: 1 }), requiredTraits: ['CUSTOM_PHYSNET1'] },
  ],
  groupPolicy: 'ISOLATE',
  sameSubtree: [['numa_a', 'vf']],
};

/** What expectWellPlaced reads: an engine Selection, or one as the GraphQL API returns it. */
interface Placed {
  providerUuid: string;
  mappings: { group: string; providerUuids: string[] }[];
  allocations: { providerUuid: string; resources: { resourceClass: string; amount: number }[] }[];
}

/** The selection's mappings obey the request: both nodes of one host, the VF under numa_a's node. */
function expectWellPlaced(w: World, selection: Placed): void {
  const host = w.name(selection.providerUuid);
  const m = mappingNames(w, selection.mappings);
  expect([m.numa_a![0], m.numa_b![0]].sort()).toEqual([`${host}_numa0`, `${host}_numa1`]);
  expect(m.vf![0]).toBe(m.numa_a![0]!.replace('numa', 'pf'));
  expect(lines(w, selection.allocations)).toEqual(
    [
      `${m.numa_a![0]}/MEMORY_MB=1024`,
      `${m.numa_a![0]}/VCPU=${VCPU_PER_GROUP}`,
      `${m.numa_b![0]}/MEMORY_MB=1024`,
      `${m.numa_b![0]}/VCPU=${VCPU_PER_GROUP}`,
      `${m.vf![0]}/SRIOV_NET_VF=1`,
    ].sort(),
  );
}

const consumer = () => ({ consumerUuid: randomUUID(), projectId: 'race', userId: 'race' });

type Outcome = { kind: 'ok'; selection: Selection } | { kind: 'noValidHost' } | { kind: 'retryLimit' };

async function outcomeOf(call: () => Promise<Selection[]>): Promise<Outcome> {
  try {
    const [selection] = await call();
    return { kind: 'ok', selection: selection! };
  } catch (error) {
    if (error instanceof NoValidHostError) return { kind: 'noValidHost' };
    if (error instanceof RetryLimitExceededError) return { kind: 'retryLimit' };
    throw error;
  }
}

describe('grouped claims racing for the same trees', () => {
  /**
   * `claimers` claim REQUEST until NoValidHost (then once more, which must fail too); afterwards exactly
   * `slots` claims sit on every host, each whole, and no host can take another.
   */
  async function raceUntilFull(hosts: NodeSpec[], claimers: number, slots: number, scarce: string): Promise<void> {
    const w = await buildWorld(env.db.pool, hosts);
    const successes: Selection[] = [];
    const failed: string[] = [];
    let retryLimits = 0;
    let afterNoValidHost = 0;
    const claimer = async () => {
      for (let attempt = 0; attempt < 60; attempt++) {
        const c = consumer();
        const outcome = await outcomeOf(() =>
          claim(env.db, { consumers: [c], request: REQUEST, alternates: 1, hostSubsetSize: hosts.length }),
        );
        if (outcome.kind === 'ok') {
          successes.push(outcome.selection);
          continue;
        }
        failed.push(c.consumerUuid);
        if (outcome.kind === 'retryLimit') {
          retryLimits++;
          continue;
        }
        // Usage only grows while claimers run: once NoValidHost is right, it stays right.
        const again = consumer();
        const next = await outcomeOf(() => claim(env.db, { consumers: [again], request: REQUEST, alternates: 0 }));
        if (next.kind === 'ok') {
          afterNoValidHost++;
          successes.push(next.selection);
        } else failed.push(again.consumerUuid);
        return;
      }
      throw new Error('a claimer never saw NoValidHost');
    };
    await Promise.all(Array.from({ length: claimers }, claimer));
    console.info(
      `[groups race, ${scarce} binding] ${successes.length} claims, ${failed.length} refusals (${retryLimits} RetryLimitExceeded)`,
    );
    expect(afterNoValidHost, 'a claim succeeded after NoValidHost: capacity was not gone').toBe(0);
    expect(successes).toHaveLength(hosts.length * slots);
    for (const s of successes) expectWellPlaced(w, s);
    const perHost = new Map<string, number>();
    for (const s of successes) perHost.set(s.providerUuid, (perHost.get(s.providerUuid) ?? 0) + 1);
    expect([...perHost.values()]).toEqual(Array(hosts.length).fill(slots));
    await assertDatabaseMatchesAcknowledged(
      env,
      new Map(successes.map((s) => [s.consumerUuid, { generation: s.consumerGeneration, allocations: s.allocations }])),
      failed,
    );
    // Nothing is left for the request: the scarce class is used up everywhere.
    expect(await allocationCandidates(env.db.pool, { request: REQUEST })).toEqual([]);
    const [free] = await env.sql<{ free: number }>(
      `SELECT sum(i.capacity - i.used)::int AS free FROM inventories i JOIN resource_classes rc ON rc.id = i.resource_class_id
        WHERE rc.name = $1`,
      [scarce],
    );
    expect(free!.free).toBe(0);
  }

  it('32 claimers on 4 NUMA hosts: exactly the capacity is claimed, each claim whole, NoValidHost only once it is gone', async () => {
    await raceUntilFull(
      Array.from({ length: 4 }, (_, h) => numaHost(`h${h}`)),
      32,
      SLOTS_PER_HOST,
      'VCPU',
    );
  });

  it("one VF per NUMA node: the second claim on a host must flip its NUMA groups so the VF stays in numa_a's subtree", async () => {
    // Each host takes 2 claims: the first puts numa_a (and the VF) on one node, the second on the other.
    await raceUntilFull(
      Array.from({ length: 4 }, (_, h) => numaHost(`v${h}`, VCPU_PER_NODE, 1)),
      24,
      2,
      'SRIOV_NET_VF',
    );
  });

  it('two claims at once on one host with room for both (one VF per NUMA node): both succeed, the second with the NUMA groups flipped', async () => {
    // Both searches see the same best assignment; the second claim must not give up the host
    // when that assignment was just taken, since the flipped one fits.
    const refusedWithRoom: string[] = [];
    for (let round = 0; round < 8; round++) {
      await env.sql(
        'TRUNCATE allocations, consumers, inventories, provider_traits, provider_aggregates, resource_providers, aggregates CASCADE',
      );
      const w = await buildWorld(env.db.pool, [numaHost('solo', VCPU_PER_NODE, 1)]);
      const outcomes = await Promise.all(
        [consumer(), consumer()].map((c) =>
          outcomeOf(() => claim(env.db, { consumers: [c], request: REQUEST, alternates: 0 })),
        ),
      );
      const placed = outcomes.flatMap((o) => (o.kind === 'ok' ? [o.selection] : []));
      for (const s of placed) expectWellPlaced(w, s);
      if (placed.length < 2) refusedWithRoom.push(`round ${round}: ${outcomes.map((o) => o.kind).join(', ')}`);
      await assertPlacementInvariants(env);
    }
    expect(refusedWithRoom, 'rounds where a claim was refused while the host had room for it').toEqual([]);
  });

  it('a grouped claim predicate-locks its own rows, never a whole heap page or relation its neighbours share', async () => {
    // Cause of claims on unrelated hosts failing each other: PostgreSQL had promoted the
    // claim's row locks on a host's 3 providers and 5 inventories to page (or, after a
    // sequential scan, relation) locks. The claim pool and the server settings prevent both.
    const w = await buildWorld(
      env.db.pool,
      Array.from({ length: 8 }, (_, h) => numaHost(`own${h}`)),
    );
    const [candidate] = await allocationCandidates(env.db.pool, { request: REQUEST, limit: 1 });
    expect(candidate && w.name(candidate.rootUuid)).toMatch(/^own/);
    const classIds = new Map(
      (await env.sql<{ name: string; id: number }>('SELECT name, id FROM resource_classes')).map((r) => [r.name, r.id]),
    );
    const client = await env.db.claimPool.connect();
    try {
      await client.query('BEGIN');
      const outcome = await claimOnHost({ inside: client }, consumer(), allocationRequestOf(candidate!), classIds);
      expect(outcome).toBe('claimed');
      const coarse = await env.sql<{ relname: string; locktype: string }>(
        `SELECT c.relname, l.locktype FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
          WHERE l.mode = 'SIReadLock' AND c.relkind = 'r' AND l.locktype <> 'tuple' ORDER BY 1`,
      );
      expect(coarse).toEqual([]);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  it('8 claimers each on its own host share nothing: every claim succeeds, no RetryLimitExceeded, then NoValidHost', async () => {
    const HOSTS = 8;
    const w = await buildWorld(
      env.db.pool,
      Array.from({ length: HOSTS }, (_, h) => numaHost(`own${h}`)),
    );
    const outcomes: Outcome[] = [];
    const acknowledged: Selection[] = [];
    const failed: string[] = [];
    await Promise.all(
      Array.from({ length: HOSTS }, async (_, h) => {
        const own = w.uuid(`own${h}`);
        for (let n = 0; n <= SLOTS_PER_HOST; n++) {
          const c = consumer();
          const outcome = await outcomeOf(() =>
            claim(env.db, { consumers: [c], request: REQUEST, alternates: 0, candidates: [own] }),
          );
          outcomes.push(outcome);
          if (outcome.kind === 'ok') {
            expect(outcome.selection.providerUuid).toBe(own);
            expectWellPlaced(w, outcome.selection);
            acknowledged.push(outcome.selection);
          } else failed.push(c.consumerUuid);
          // the last one finds its host full
          expect(outcome.kind, `claim ${n} on own${h}`).toBe(n < SLOTS_PER_HOST ? 'ok' : 'noValidHost');
        }
      }),
    );
    expect(outcomes.filter((o) => o.kind === 'retryLimit')).toEqual([]);
    expect(acknowledged).toHaveLength(HOSTS * SLOTS_PER_HOST);
    await assertDatabaseMatchesAcknowledged(
      env,
      new Map(
        acknowledged.map((s) => [s.consumerUuid, { generation: s.consumerGeneration, allocations: s.allocations }]),
      ),
      failed,
    );
  });
});

describe('reschedule of a multi-provider allocation, racing', () => {
  /** Each host's candidate for REQUEST, as a reschedule alternate. */
  async function alternatesByHost(w: World) {
    const found = await allocationCandidates(env.db.pool, { request: REQUEST, limit: 1000 });
    return new Map(
      found.map((c) => [
        w.name(c.rootUuid),
        { providerUuid: c.rootUuid, allocations: allocationRequestOf(c), mappings: c.mappings },
      ]),
    );
  }

  /** Total usage of every provider of host `name`'s tree. */
  async function treeUsage(w: World, name: string): Promise<number> {
    const [row] = await env.sql<{ used: number }>(
      `SELECT coalesce(sum(i.used), 0)::int AS used FROM inventories i JOIN resource_providers p ON p.id = i.provider_id
        WHERE p.root_provider_id = (SELECT id FROM resource_providers WHERE uuid = $1)`,
      [w.uuid(name)],
    );
    return row!.used;
  }

  async function claimOn(w: World, host: string): Promise<Selection> {
    const [selection] = await claim(env.db, {
      consumers: [consumer()],
      request: REQUEST,
      alternates: 0,
      candidates: [w.uuid(host)],
    });
    return selection!;
  }

  it('two reschedules of one consumer at once: exactly one moves it whole, the other is a generation conflict', async () => {
    for (let round = 0; round < 4; round++) {
      await env.sql(
        'TRUNCATE allocations, consumers, inventories, provider_traits, provider_aggregates, resource_providers, aggregates CASCADE',
      );
      const w = await buildWorld(env.db.pool, [numaHost('src'), numaHost('left'), numaHost('right')]);
      const placed = await claimOn(w, 'src');
      const alternates = await alternatesByHost(w);
      const move = (target: string) =>
        reschedule(env.db.pool, {
          consumerUuid: placed.consumerUuid,
          consumerGeneration: placed.consumerGeneration,
          alternates: [alternates.get(target)!],
        }).then(
          (selection) => ({ target, selection }),
          (error: unknown) => {
            if (error instanceof ConsumerGenerationConflictError) return { target, conflict: true as const };
            throw error;
          },
        );
      const results = await Promise.all([move('left'), move('right')]);
      const moved = results.filter((r) => 'selection' in r);
      expect(moved, JSON.stringify(results)).toHaveLength(1);
      expect(results.filter((r) => 'conflict' in r)).toHaveLength(1);
      const winner = moved[0]!.target;
      const loser = winner === 'left' ? 'right' : 'left';
      const selection = (moved[0] as { selection: Selection }).selection;
      expect(selection.mappings).toEqual(alternates.get(winner)!.mappings);
      await assertDatabaseMatchesAcknowledged(
        env,
        new Map([
          [placed.consumerUuid, { generation: selection.consumerGeneration, allocations: selection.allocations }],
        ]),
        [],
      );
      expect(lines(w, selection.allocations)).toEqual(lines(w, alternates.get(winner)!.allocations));
      expect(await treeUsage(w, 'src')).toBe(0);
      expect(await treeUsage(w, loser)).toBe(0);
      expect(await treeUsage(w, winner)).toBe(2 * (VCPU_PER_GROUP + 1024) + 1);
      await assertPlacementInvariants(env);
    }
  });

  it('two consumers rescheduled at once onto a tree with room for one: one lands there, the other on its next alternate, both old trees freed', async () => {
    for (let round = 0; round < 4; round++) {
      await env.sql(
        'TRUNCATE allocations, consumers, inventories, provider_traits, provider_aggregates, resource_providers, aggregates CASCADE',
      );
      // `narrow` has 2 VCPU per node: one claim fills it.
      const w = await buildWorld(env.db.pool, [
        numaHost('a'),
        numaHost('b'),
        numaHost('narrow', VCPU_PER_GROUP),
        numaHost('spare_a'),
        numaHost('spare_b'),
      ]);
      const alternates = await alternatesByHost(w);
      const first = await claimOn(w, 'a');
      const second = await claimOn(w, 'b');
      const move = (placed: Selection, spare: string) =>
        reschedule(env.db.pool, {
          consumerUuid: placed.consumerUuid,
          consumerGeneration: placed.consumerGeneration,
          alternates: [alternates.get('narrow')!, alternates.get(spare)!],
        });
      const [one, two] = await Promise.all([move(first, 'spare_a'), move(second, 'spare_b')]);
      const landed = [one, two].map((s) => w.name(s.providerUuid));
      // exactly one takes `narrow`; the other goes on to its own spare
      expect([
        ['narrow', 'spare_b'],
        ['spare_a', 'narrow'],
      ]).toContainEqual(landed);
      for (const s of [one, two]) {
        const target = w.name(s.providerUuid);
        expect(s.mappings).toEqual(alternates.get(target)!.mappings);
        expect(s.hostsTried).toBe(target === 'narrow' ? 1 : 2);
      }
      await assertDatabaseMatchesAcknowledged(
        env,
        new Map(
          [one, two].map((s) => [s.consumerUuid, { generation: s.consumerGeneration, allocations: s.allocations }]),
        ),
        [],
      );
      expect(await treeUsage(w, 'a')).toBe(0);
      expect(await treeUsage(w, 'b')).toBe(0);
      await assertPlacementInvariants(env);
      await assertNoOvercommit(env);
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe('grouped claims racing over HTTP (GraphQL 1.3, a real gateway on a socket)', () => {
  const CLAIM = `mutation($input: ClaimInput!) { claim(input: $input) { __typename
    ... on NoValidHost { consumerUuid hostsTried }
    ... on ClaimPayload { selections { consumerUuid consumerGeneration providerUuid
        allocations { providerUuid resources { resourceClass amount } }
        mappings { group providerUuids } } }
    ... on Error { code message } } }`;

  interface HttpSelection extends Placed {
    consumerUuid: string;
    consumerGeneration: number;
  }
  interface ClaimAnswer {
    __typename: string;
    selections?: HttpSelection[];
    [field: string]: unknown;
  }

  it('24 clients claim grouped allocations on 3 NUMA hosts: the capacity exactly, each claim whole, no over-commit', async () => {
    const HOSTS = 3;
    const CLIENTS = 24;
    // 1.3 is released: a default gateway serves it.
    const http = await createTestEnv({ poolMax: 40 });
    const server = createServer(http.gateway);
    try {
      await createCatalogue(http.db.pool, { traits: ['CUSTOM_PHYSNET1'] });
      const w = await buildWorld(
        http.db.pool,
        Array.from({ length: HOSTS }, (_, h) => numaHost(`web${h}`)),
      );
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
      const post = async (input: unknown): Promise<ClaimAnswer> => {
        const response = await fetch(endpoint, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/graphql-response+json',
            [VERSION_HEADER]: '1.3',
            ...bearer(TEST_ADMIN_TOKEN),
          },
          body: JSON.stringify({ query: CLAIM, variables: { input } }),
        });
        expect(response.status).toBe(200);
        const body = (await response.json()) as { data?: { claim: ClaimAnswer }; errors?: unknown[] };
        expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
        return body.data!.claim;
      };
      const acknowledged: HttpSelection[] = [];
      const refused: string[] = [];
      const kinds: Record<string, number> = {};
      let afterNoValidHost = 0;
      await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          let sawNoValidHost = false;
          for (let attempt = 0; attempt < 40; attempt++) {
            const c = consumer();
            const answer = await post({ consumers: [c], request: REQUEST, alternates: 1, hostSubsetSize: HOSTS });
            kinds[answer.__typename] = (kinds[answer.__typename] ?? 0) + 1;
            if (answer.__typename === 'ClaimPayload') {
              if (sawNoValidHost) afterNoValidHost++;
              acknowledged.push(answer.selections![0]!);
              continue;
            }
            refused.push(c.consumerUuid);
            expect(['NoValidHost', 'RetryLimitExceeded'], JSON.stringify(answer)).toContain(answer.__typename);
            if (answer.__typename === 'NoValidHost') {
              if (sawNoValidHost) return;
              sawNoValidHost = true; // one more try: it must be refused too
            }
          }
          throw new Error('a client never saw NoValidHost');
        }),
      );
      console.info(`[groups http race] ${JSON.stringify(kinds)}`);
      expect(afterNoValidHost, 'a claim succeeded after NoValidHost: capacity was not gone').toBe(0);
      expect(acknowledged).toHaveLength(HOSTS * SLOTS_PER_HOST);
      for (const s of acknowledged) expectWellPlaced(w, s);
      await assertDatabaseMatchesAcknowledged(
        http,
        new Map(
          acknowledged.map((s) => [s.consumerUuid, { generation: s.consumerGeneration, allocations: s.allocations }]),
        ),
        refused,
      );
      await assertPlacementInvariants(http);
      await assertNoOvercommit(http);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await http.close();
    }
  });
});
