/**
 * The grouped search's engine parts: the assignment search on its own (wide trees, where
 * enumerating combinations explodes) and one NUMA + SR-IOV host end to end (search, claim,
 * what the claim wrote).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allocationCandidates, explainPlacement } from '../src/placement/candidates.js';
import { claim } from '../src/placement/claims/index.js';
import { setInventories } from '../src/placement/inventories.js';
import { createProvider } from '../src/placement/providers.js';
import {
  type AssignmentProblem,
  assignmentIsValid,
  bestAssignment,
  type Demand,
  type TreeProvider,
} from '../src/placement/search/groups/assign.js';
import { maxWeightAssignment } from '../src/placement/search/groups/matching.js';
import { createTrait, setProviderTraits } from '../src/placement/traits.js';
import { createTestEnv, type TestEnv } from './support/harness.js';

const WIDE = 1;

function wideTree(children: number, freeOf: (i: number) => number): TreeProvider[] {
  const root: TreeProvider = {
    uuid: 'root',
    parentUuid: null,
    preference: 0,
    traitIds: new Set(),
    aggregates: new Set(),
    inventories: new Map(),
  };
  return [
    root,
    ...Array.from({ length: children }, (_, i) => ({
      uuid: `child-${i}`,
      parentUuid: 'root',
      preference: 1,
      traitIds: new Set<number>(),
      aggregates: new Set<string>(),
      inventories: new Map([[WIDE, { capacity: 4, used: 4 - freeOf(i), minUnit: 1, maxUnit: 4, stepSize: 1 }]]),
    })),
  ];
}

const oneUnit = (name: string): Demand => ({
  group: name,
  numbered: true,
  classIds: [WIDE],
  amounts: [1],
  accepts: () => true,
  signature: 'one-unit',
});

describe('the assignment search', () => {
  it('places 8 identical groups on 8 children at once, isolated or not', () => {
    for (const isolate of [true, false]) {
      const problem: AssignmentProblem = {
        demands: Array.from({ length: 8 }, (_, i) => oneUnit(`g${i}`)),
        providers: wideTree(8, () => 1),
        isolate,
        sameSubtree: [],
      };
      const started = performance.now();
      const best = bestAssignment(problem);
      expect(performance.now() - started).toBeLessThan(1000);
      expect(best).not.toBeNull();
      expect(assignmentIsValid(problem, best!.providers)).toBe(true);
      expect(new Set(best!.providers).size).toBe(8);
    }
  });

  it('takes the emptiest children for isolated groups, and refuses more groups than providers', () => {
    const providers = wideTree(8, (i) => (i % 4) + 1);
    const six: AssignmentProblem = {
      demands: Array.from({ length: 6 }, (_, i) => oneUnit(`g${i}`)),
      providers,
      isolate: true,
      sameSubtree: [],
    };
    const best = bestAssignment(six)!;
    // Children with 4, 4, 3, 3, 2, 2 free units of 4.
    expect(best.shareSum).toBeCloseTo(1 + 1 + 0.75 + 0.75 + 0.5 + 0.5, 12);
    const nine = { ...six, demands: Array.from({ length: 9 }, (_, i) => oneUnit(`g${i}`)) };
    expect(bestAssignment(nine)).toBeNull();
  });

  it('keeps a sameSubtree list under one of its providers', () => {
    const providers = wideTree(2, () => 4);
    const grandchild: TreeProvider = {
      uuid: 'grandchild',
      parentUuid: 'child-1',
      preference: 1,
      traitIds: new Set([7]),
      aggregates: new Set(),
      inventories: new Map([[2, { capacity: 1, used: 0, minUnit: 1, maxUnit: 1, stepSize: 1 }]]),
    };
    const problem: AssignmentProblem = {
      demands: [
        oneUnit('a'),
        { group: 'vf', numbered: true, classIds: [2], amounts: [1], accepts: () => true, signature: 'vf' },
      ],
      providers: [...providers, grandchild],
      isolate: true,
      sameSubtree: [[0, 1]],
    };
    const best = bestAssignment(problem)!;
    expect(problem.providers[best.providers[0]!]!.uuid).toBe('child-1');
  });

  it('finds the best assignment when the alternatives differ by 1e-10 of a share', () => {
    const inventory = (capacity: number, used: number) =>
      new Map([[WIDE, { capacity, used, minUnit: 1, maxUnit: 2147483647, stepSize: 1 }]]);
    const child = (uuid: string, capacity: number, used: number): TreeProvider => ({
      uuid,
      parentUuid: 'root',
      preference: 1,
      traitIds: new Set(),
      aggregates: new Set(),
      inventories: inventory(capacity, used),
    });
    const [root] = wideTree(0, () => 0);
    const only = (uuids: string[]) => (p: TreeProvider) => uuids.includes(p.uuid);
    const best = bestAssignment({
      demands: [
        { ...oneUnit('a'), accepts: only(['X', 'Y']), signature: 'a' },
        { ...oneUnit('b'), accepts: only(['X', 'Z']), signature: 'b' },
      ],
      providers: [root!, child('X', 1, 0), child('Y', 1e10, 1), child('Z', 1e10, 6)],
      isolate: false,
      sameSubtree: [],
    })!;
    // a on Y, b on X: 2 − 1e-10, where a on X and b on Z gives 2 − 6e-10.
    expect(best.providers).toEqual([2, 1]);
  });

  it('matches rows to columns for the most weight, or says none fits', () => {
    expect(
      maxWeightAssignment(
        [
          [3, 2, null],
          [3, null, null],
        ],
        3,
      ),
    ).toEqual([1, 0]);
    expect(maxWeightAssignment([[null], [1]], 1)).toBeNull();
  });
});

describe('a NUMA + SR-IOV host', () => {
  let env: TestEnv;
  const numa: string[] = [];
  const pfs: string[] = [];
  let host = '';
  beforeAll(async () => {
    env = await createTestEnv();
    const pool = env.db.pool;
    for (const t of ['CUSTOM_PHYSNET_A', 'CUSTOM_PHYSNET_B']) await createTrait(pool, t);
    host = (await createProvider(pool, { name: 'numa-host' })).uuid;
    for (const [i, physnet] of ['CUSTOM_PHYSNET_A', 'CUSTOM_PHYSNET_B'].entries()) {
      const node = await createProvider(pool, { name: `numa-host-numa${i}`, parentProviderUuid: host });
      const withInventory = await setInventories(pool, {
        providerUuid: node.uuid,
        generation: node.generation,
        inventories: [
          { resourceClass: 'VCPU', total: 8 },
          { resourceClass: 'MEMORY_MB', total: 8192 },
        ],
      });
      await setProviderTraits(pool, {
        providerUuid: node.uuid,
        generation: withInventory.provider.generation,
        traits: ['HW_NUMA_ROOT'],
      });
      const pf = await createProvider(pool, { name: `numa-host-pf${i}`, parentProviderUuid: node.uuid });
      const pfInventory = await setInventories(pool, {
        providerUuid: pf.uuid,
        generation: pf.generation,
        inventories: [{ resourceClass: 'SRIOV_NET_VF', total: 2 }],
      });
      await setProviderTraits(pool, {
        providerUuid: pf.uuid,
        generation: pfInventory.provider.generation,
        traits: [physnet],
      });
      numa.push(node.uuid);
      pfs.push(pf.uuid);
    }
  });
  afterAll(async () => env?.close());

  const request = {
    resources: [],
    groups: [
      {
        name: 'N0',
        resources: [
          { resourceClass: 'VCPU', amount: 2 },
          { resourceClass: 'MEMORY_MB', amount: 1024 },
        ],
        requiredTraits: ['HW_NUMA_ROOT'],
      },
      {
        name: 'N1',
        resources: [
          { resourceClass: 'VCPU', amount: 2 },
          { resourceClass: 'MEMORY_MB', amount: 1024 },
        ],
        requiredTraits: ['HW_NUMA_ROOT'],
      },
      { name: 'VF', resources: [{ resourceClass: 'SRIOV_NET_VF', amount: 1 }], requiredTraits: ['CUSTOM_PHYSNET_B'] },
    ],
    groupPolicy: 'ISOLATE' as const,
    sameSubtree: [['N0', 'VF']],
  };

  it('finds the host with N0 on the NUMA node above the physnet B function', async () => {
    const [candidate, ...rest] = await allocationCandidates(env.db.pool, { request });
    expect(rest).toEqual([]);
    expect(candidate!.rootUuid).toBe(host);
    expect(candidate!.mappings).toEqual([
      { group: 'N0', providerUuids: [numa[1]] },
      { group: 'N1', providerUuids: [numa[0]] },
      { group: 'VF', providerUuids: [pfs[1]] },
    ]);
    expect(candidate!.score).toBe(1);
  });

  it('claims across three providers of the tree, then no more than the functions allow', async () => {
    const claimOnce = () =>
      claim(env.db, {
        consumers: [{ consumerUuid: randomUUID(), projectId: 'p', userId: 'u' }],
        request,
        alternates: 0,
      });
    const [first] = await claimOnce();
    expect(first!.mappings.map((m) => m.group)).toEqual(['N0', 'N1', 'VF']);
    expect(first!.allocations.map((a) => a.providerUuid).sort()).toEqual([numa[0], numa[1], pfs[1]].sort());
    await claimOnce();
    // Physnet B has 2 VFs: the third claim has no host.
    await expect(claimOnce()).rejects.toMatchObject({ code: 'NO_VALID_HOST' });
    const { rows } = await env.db.pool.query<{ uuid: string; used: number }>(
      `SELECT p.uuid, i.used FROM inventories i JOIN resource_providers p ON p.id = i.provider_id
        JOIN resource_classes rc ON rc.id = i.resource_class_id WHERE rc.name IN ('VCPU', 'SRIOV_NET_VF') ORDER BY p.name, rc.name`,
    );
    expect(rows).toEqual([
      { uuid: numa[0], used: 4 },
      { uuid: numa[1], used: 4 },
      { uuid: pfs[0], used: 0 },
      { uuid: pfs[1], used: 2 },
    ]);
  });

  it('explains which group and which rule stopped the host', async () => {
    const full = await explainPlacement(env.db.pool, request);
    expect(full.remaining).toBe(0);
    expect(full.steps.find((s) => s.group === 'VF')).toMatchObject({ constraint: 'GROUP_UNSATISFIED', eliminated: 1 });
    const numaGroup = (name: string) => ({
      name,
      resources: [{ resourceClass: 'VCPU', amount: 1 }],
      requiredTraits: ['HW_NUMA_ROOT'],
    });
    const three = await explainPlacement(env.db.pool, {
      resources: [],
      groups: [numaGroup('a'), numaGroup('b'), numaGroup('c')],
      groupPolicy: 'ISOLATE',
    });
    expect(three.remaining).toBe(0);
    expect(three.steps.filter((s) => s.eliminated > 0)).toEqual([
      { constraint: 'GROUP_POLICY_ISOLATE', detail: 'ISOLATE', eliminated: 1, group: null },
    ]);
    const together = await explainPlacement(env.db.pool, {
      resources: [],
      groups: [numaGroup('a'), numaGroup('b'), numaGroup('c')],
      groupPolicy: 'NONE',
    });
    expect(together.remaining).toBe(1);
  });
});
