/**
 * The REST candidates' host prefilter (src/placement/rest-candidates/prefilter.ts): in a
 * world with trees and sharing providers the unnumbered group's rare required traits and
 * member_of narrow the engine's host search. The answers stay Placement's (differential
 * against the real Placement 8.0), the prefilter keeps exactly the roots that meet its
 * necessary condition, and a rare trait among a few thousand hosts takes one host search
 * where the same request without it walks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedNumaWorld } from '../bench/numa.js';
import { STANDARD_TRAIT_SHARING } from '../src/placement/catalogue.js';
import { createCustom } from '../src/placement/catalogue-entries.js';
import { placementCandidates } from '../src/placement/rest-candidates/index.js';
import { unnumberedRoots } from '../src/placement/rest-candidates/prefilter.js';
import type { CandidateGroup, CandidateRequest } from '../src/placement/rest-candidates/request.js';
import { setProviderTraits } from '../src/placement/traits.js';
import { withClient } from '../src/placement/transactions.js';
import { uuidOf, type WorldSpec } from './support/candidate-world.js';
import { candidatesSides, type Json } from './support/candidates-sides.js';
import { createTestEnv, type TestEnv } from './support/harness.js';

const VCPU_MEM = { VCPU: { total: 8 }, MEMORY_MB: { total: 4096 } };

/** NUMA trees (traits on PFs and on a root), flat hosts, two sharing disk pools (one with a trait), a forbidden trait. */
const WORLD: WorldSpec = {
  customTraits: [
    'CUSTOM_PHYSNET_A',
    'CUSTOM_PHYSNET_B',
    'CUSTOM_RARE',
    'CUSTOM_FAST',
    'CUSTOM_BAD',
    'CUSTOM_NOWHERE',
    'CUSTOM_SOLO',
  ],
  providers: [
    { name: 't1', aggregates: ['aggP'] },
    { name: 't1-n0', parent: 't1', inventories: VCPU_MEM, traits: ['HW_NUMA_ROOT'] },
    { name: 't1-n1', parent: 't1', inventories: VCPU_MEM, traits: ['HW_NUMA_ROOT'] },
    { name: 't1-pf0', parent: 't1-n0', inventories: { SRIOV_NET_VF: { total: 4 } }, traits: ['CUSTOM_PHYSNET_A'] },
    { name: 't1-pf1', parent: 't1-n1', inventories: { SRIOV_NET_VF: { total: 4 } }, traits: ['CUSTOM_PHYSNET_B'] },
    { name: 't2', aggregates: ['aggQ'], traits: ['CUSTOM_RARE'] },
    { name: 't2-n0', parent: 't2', inventories: VCPU_MEM, traits: ['HW_NUMA_ROOT'] },
    {
      name: 't2-pf0',
      parent: 't2-n0',
      inventories: { SRIOV_NET_VF: { total: 4 } },
      traits: ['CUSTOM_PHYSNET_B', 'CUSTOM_BAD'],
    },
    { name: 'f1', inventories: { ...VCPU_MEM, DISK_GB: { total: 100 } }, aggregates: ['aggG'] },
    { name: 'f2', inventories: VCPU_MEM, aggregates: ['aggP'] },
    { name: 'f3', inventories: VCPU_MEM, aggregates: ['aggQ'], traits: ['CUSTOM_BAD'] },
    { name: 'f4', inventories: { ...VCPU_MEM, DISK_GB: { total: 50 } }, traits: ['CUSTOM_RARE'] },
    {
      name: 'poolP',
      inventories: { DISK_GB: { total: 1000 } },
      traits: [STANDARD_TRAIT_SHARING, 'CUSTOM_FAST'],
      aggregates: ['aggP'],
    },
    {
      name: 'poolQ',
      inventories: { DISK_GB: { total: 1000 } },
      traits: [STANDARD_TRAIT_SHARING],
      aggregates: ['aggQ'],
    },
    // a pool that reaches t3 only through its child's aggregate (the engine's host search cannot find t3)
    { name: 't3' },
    { name: 't3-n0', parent: 't3', inventories: VCPU_MEM, aggregates: ['aggC'], traits: ['CUSTOM_SOLO'] },
    {
      name: 'poolC',
      inventories: { DISK_GB: { total: 1000 } },
      traits: [STANDARD_TRAIT_SHARING],
      aggregates: ['aggC'],
    },
  ],
  allocations: [{ consumer: 'vm1', allocations: { 't1-n0': { VCPU: 6 }, poolP: { DISK_GB: 900 } } }],
};

const CASES: [query: string, version: string][] = [
  // a rare trait on a child (PF), on a sharing provider, on a root
  ['resources=VCPU:1,SRIOV_NET_VF:1&required=CUSTOM_PHYSNET_A', '1.39'],
  ['resources=VCPU:1,DISK_GB:10&required=CUSTOM_FAST', '1.39'],
  ['resources=VCPU:1,DISK_GB:200&required=CUSTOM_FAST', '1.39'],
  ['resources=VCPU:1,MEMORY_MB:128&required=CUSTOM_RARE', '1.39'],
  ['resources=VCPU:1,DISK_GB:10&required=CUSTOM_RARE', '1.39'],
  // a rare trait on a child whose root's disk comes from a pool anchored through that child only
  ['resources=VCPU:1,DISK_GB:10&required=CUSTOM_SOLO', '1.39'],
  // any-of lists, several lists, a trait no provider has
  ['resources=VCPU:1,DISK_GB:10&required=in:CUSTOM_FAST,CUSTOM_RARE', '1.39'],
  ['resources=VCPU:1&required=in:CUSTOM_PHYSNET_A,CUSTOM_RARE&required=HW_NUMA_ROOT', '1.39'],
  ['resources=VCPU:1,SRIOV_NET_VF:1&required=CUSTOM_PHYSNET_B,CUSTOM_RARE', '1.39'],
  ['resources=VCPU:1&required=CUSTOM_NOWHERE', '1.39'],
  // forbidden traits beside a rare one
  ['resources=VCPU:1,SRIOV_NET_VF:1&required=CUSTOM_RARE,!CUSTOM_BAD', '1.39'],
  ['resources=VCPU:1,SRIOV_NET_VF:1&required=CUSTOM_PHYSNET_B&required=!CUSTOM_BAD', '1.39'],
  // member_of: on the root, on a child's root, on a sharing provider, any-of, with a trait
  ['resources=VCPU:1,DISK_GB:10&member_of={aggP}', '1.39'],
  ['resources=VCPU:1&member_of=in:{aggQ},{aggG}', '1.39'],
  ['resources=VCPU:1,DISK_GB:10&member_of={aggQ}&required=!CUSTOM_BAD', '1.39'],
  ['resources=VCPU:1,DISK_GB:10&member_of={aggP}&required=CUSTOM_FAST', '1.39'],
  ['resources=VCPU:1&member_of={aggP}&member_of={aggQ}', '1.39'],
  ['resources=VCPU:1&member_of=!{aggP}&required=CUSTOM_RARE', '1.39'],
  // limits
  ['resources=VCPU:1,DISK_GB:10&required=in:CUSTOM_FAST,CUSTOM_RARE&limit=1', '1.39'],
  ['resources=VCPU:1,SRIOV_NET_VF:1&required=CUSTOM_PHYSNET_B&limit=2', '1.39'],
  // numbered groups and root_required beside the prefilter
  ['resources=VCPU:1,SRIOV_NET_VF:1&required=CUSTOM_PHYSNET_A&resources1=MEMORY_MB:128&group_policy=none', '1.39'],
  [
    'resources=VCPU:1&required=CUSTOM_RARE&resources_vf=SRIOV_NET_VF:1&required_vf=CUSTOM_PHYSNET_B&group_policy=none',
    '1.39',
  ],
  ['resources=VCPU:1,SRIOV_NET_VF:1&required=CUSTOM_PHYSNET_B&root_required=CUSTOM_RARE', '1.39'],
  ['resources=VCPU:1,SRIOV_NET_VF:1&required=CUSTOM_PHYSNET_B&root_required=!CUSTOM_RARE', '1.39'],
  ['resources=VCPU:1&required=CUSTOM_RARE&in_tree={t2}', '1.39'],
  // before nested-aware answers (1.29) and before any-of (1.39)
  ['resources=VCPU:1,DISK_GB:10&required=CUSTOM_FAST', '1.28'],
  ['resources=VCPU:1,MEMORY_MB:128&required=CUSTOM_RARE', '1.28'],
  ['resources=VCPU:1,DISK_GB:10&member_of={aggP}', '1.24'],
];

/** Order-free form: each request's rows and mappings sorted, the requests sorted, summaries' traits sorted. */
function normalize(body: Json): { requests: string[]; summaries: string } {
  const b = body as { allocation_requests: Json[]; provider_summaries: { [uuid: string]: { [k: string]: Json } } };
  const stable = (value: Json): Json => {
    if (Array.isArray(value))
      return value.map(stable).sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, stable(value[k]!)]),
    );
  };
  return {
    requests: b.allocation_requests.map((r) => JSON.stringify(stable(r))).sort(),
    summaries: JSON.stringify(stable(b.provider_summaries)),
  };
}

describe('prefiltered candidates against the real Placement (trees and sharing providers)', () => {
  const sides = candidatesSides(WORLD);

  it.each(CASES)('%s @%s', async (rawQuery, version) => {
    const query = rawQuery.replace(/\{(\w+)\}/g, (_, label: string) => uuidOf(label));
    const [theirs, ours] = await sides.ask(query, version);
    expect(ours.status).toBe(theirs.status);
    expect(theirs.status).toBe(200);
    const limit = new URLSearchParams(query).get('limit');
    if (limit === null) {
      expect(normalize(ours.body)).toEqual(normalize(theirs.body));
      return;
    }
    // With a limit: as many requests as Placement gives, each one of Placement's full answer.
    const full = normalize((await sides.askPlacement(query.replace(/&limit=\d+/, ''), version)).body);
    const mine = normalize(ours.body).requests;
    expect(mine).toHaveLength(normalize(theirs.body).requests.length);
    for (const r of mine) expect(full.requests).toContain(r);
  });

  describe('the prefilter', () => {
    /** Every root meeting the necessary condition, from the whole database read in one statement. */
    async function expectedRoots(lists: { traits?: string[][]; aggregates?: string[][] }): Promise<number[]> {
      const providers = await sides
        .env()
        .sql<{ id: number; uuid: string; root: number; traits: string[]; aggs: string[] }>(
          `SELECT p.id, p.uuid, p.root_provider_id AS root,
                ARRAY(SELECT t.name FROM provider_traits pt JOIN traits t ON t.id = pt.trait_id WHERE pt.provider_id = p.id) AS traits,
                ARRAY(SELECT a.uuid::text FROM provider_aggregates pa JOIN aggregates a ON a.id = pa.aggregate_id WHERE pa.provider_id = p.id) AS aggs
           FROM resource_providers p`,
        );
      // A provider's candidates at root R: R's tree, and sharing providers in an aggregate with a member of R's tree.
      const reaches = (p: (typeof providers)[number], root: number) =>
        p.root === root ||
        (p.traits.includes(STANDARD_TRAIT_SHARING) &&
          providers.some((m) => m.root === root && m.aggs.some((a) => p.aggs.includes(a))));
      const roots = providers.filter((p) => p.id === p.root);
      return roots
        .filter((r) =>
          [
            ...(lists.traits ?? []).map(
              (list) => (p: (typeof providers)[number]) => p.traits.some((t) => list.includes(t)),
            ),
            ...(lists.aggregates ?? []).map(
              (list) => (p: (typeof providers)[number]) => p.aggs.some((a) => list.includes(a)),
            ),
          ].every((has) => providers.some((p) => has(p) && reaches(p, r.id))),
        )
        .map((r) => r.id)
        .sort((a, b) => a - b);
    }

    const group = (lists: { traits?: string[][]; aggregates?: string[][] }): CandidateGroup => ({
      suffix: '',
      resources: [['VCPU', 1]],
      requiredTraits: lists.traits ?? [],
      forbiddenTraits: [],
      memberOf: lists.aggregates ?? [],
      forbiddenAggregates: [],
      inTree: null,
    });

    it.each([
      ['a trait on PFs', { traits: [['CUSTOM_PHYSNET_A']] }],
      ['a trait on a sharing provider', { traits: [['CUSTOM_FAST']] }],
      ['a trait on roots', { traits: [['CUSTOM_RARE']] }],
      ['any of two', { traits: [['CUSTOM_FAST', 'CUSTOM_RARE']] }],
      ['two lists', { traits: [['CUSTOM_PHYSNET_B'], ['CUSTOM_RARE', 'CUSTOM_FAST']] }],
      ['the sharing trait itself', { traits: [[STANDARD_TRAIT_SHARING]] }],
      ['a trait nobody has', { traits: [['CUSTOM_NOWHERE']] }],
      ['an aggregate', { aggregates: [[uuidOf('aggP')]] }],
      ['any of two aggregates', { aggregates: [[uuidOf('aggQ'), uuidOf('aggG')]] }],
      ['an aggregate and a trait', { traits: [['CUSTOM_BAD']], aggregates: [[uuidOf('aggQ')]] }],
    ])('keeps exactly the roots that can answer: %s', async (_, lists) => {
      const found = await withClient(sides.env().db.pool, (db) => unnumberedRoots(db, group(lists)));
      expect([...found!].sort((a, b) => a - b)).toEqual(await expectedRoots(lists));
    });

    it('leaves out a list past the cap (common) and narrows by the others; none narrowing: null', async () => {
      await withClient(sides.env().db.pool, async (db) => {
        // HW_NUMA_ROOT is on 3 providers: past a cap of 2; CUSTOM_RARE (2 roots) is within it.
        const narrowed = await unnumberedRoots(db, group({ traits: [['HW_NUMA_ROOT'], ['CUSTOM_RARE']] }), 2);
        expect([...narrowed!].sort((a, b) => a - b)).toEqual(await expectedRoots({ traits: [['CUSTOM_RARE']] }));
        expect(await unnumberedRoots(db, group({ traits: [['HW_NUMA_ROOT']] }), 2)).toBeNull();
        expect(await unnumberedRoots(db, group({}))).toBeNull();
      });
    });
  });
});

describe('a rare trait among a few thousand hosts (the bench NUMA world)', () => {
  let env: TestEnv;
  let rareNodes: string[] = [];
  beforeAll(async () => {
    env = await createTestEnv(4);
    await seedNumaWorld(env.db.pool, 3_000);
    await createCustom(env.db.pool, 'traits', 'CUSTOM_RARE');
    // Two NUMA nodes carry it (their hosts' disk comes from a sharing pool).
    const nodes = await env.sql<{ uuid: string; generation: number }>(
      `SELECT uuid, generation FROM resource_providers WHERE name LIKE '%-numa0' ORDER BY id LIMIT 2`,
    );
    for (const node of nodes)
      await setProviderTraits(env.db.pool, {
        providerUuid: node.uuid,
        generation: node.generation,
        traits: ['HW_NUMA_ROOT', 'CUSTOM_RARE'],
      });
    rareNodes = nodes.map((n) => n.uuid);
  }, 300_000);
  afterAll(async () => {
    await env?.close();
  });

  const request = (requiredTraits: string[][]): CandidateRequest => ({
    groups: [
      {
        suffix: '',
        resources: [
          ['VCPU', 1],
          ['MEMORY_MB', 512],
          ['DISK_GB', 10],
        ],
        requiredTraits,
        forbiddenTraits: [],
        memberOf: [],
        forbiddenAggregates: [],
        inTree: null,
      },
    ],
    limit: null,
    groupPolicy: null,
    rootRequired: [],
    rootForbidden: [],
    sameSubtrees: [],
    nestedAware: true,
  });

  it('takes one host search where the same request without the trait walks the hosts', async () => {
    await withClient(env.db.pool, async (db) => {
      const walked = await placementCandidates(db, request([]));
      expect(walked.hostSearches).toBeGreaterThan(1);
      const rare = await placementCandidates(db, request([['CUSTOM_RARE']]));
      expect(rare.hostSearches).toBe(1);
      // The answer: the walked answer's requests that take from a node with the trait, in the same order.
      const withRare = walked.allocationRequests.filter((r) =>
        r.resources.some((row) => rareNodes.includes(row.providerUuid)),
      );
      expect(withRare.length).toBeGreaterThan(0);
      expect(rare.allocationRequests).toEqual(withRare);
    });
  }, 120_000);
});
