/**
 * OpenStack Placement's granular scenarios (functional gabbits granular.yaml,
 * granular-same-subtree.yaml, allocation-candidates-root-required.yaml), re-expressed at the
 * engine level on the same provider layouts (GranularFixture, NUMANetworkFixture), with our
 * differences from Placement (GROUPS-SPEC ★):
 *  - one candidate per host, carrying its best assignment (Placement lists every combination);
 *  - the unnumbered group's traits are checked on the root;
 *  - the fit rule applies to the SUM of every row a (provider, class) serves.
 * Where two assignments are equally good the spec leaves the choice open: those tests check the
 * options allowed and the score, and every candidate passes `assertConsistent` (rows, mappings,
 * allocation request, score, ISOLATE, sameSubtree). Each comment names the Placement test and
 * what Placement answers.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  allocationCandidates,
  type Candidate,
  type ExplanationStep,
  explainPlacement,
} from '../src/placement/candidates.js';
import {
  type Alternate,
  allocationRequestOf,
  claim,
  NoValidHostError,
  reschedule,
} from '../src/placement/claims/index.js';
import {
  assertConsistent,
  buildWorld,
  createCatalogue,
  type Described,
  describeCandidate,
  type GroupedRequest,
  type GroupSpec,
  lines,
  mappingNames,
  type NodeSpec,
  res,
  scoreOf,
  use,
  type World,
} from './support/groups-world.js';
import { createTestEnv, type TestEnv } from './support/harness.js';
import { assertNoOvercommit, assertPlacementInvariants } from './support/invariants.js';
import { consumersInDatabase } from './support/placement-ops.js';

const SHARING = 'MISC_SHARES_VIA_AGGREGATE';
const CUSTOM_TRAITS = [
  'CUSTOM_FOO',
  'CUSTOM_DISK_SSD',
  'CUSTOM_CPU_X86_MMX',
  'CUSTOM_GPU_API_DXVA',
  'CUSTOM_NIC_ACCEL_TLS',
  'CUSTOM_VNIC_TYPE_DIRECT',
  'CUSTOM_VNIC_TYPE_NORMAL',
  'CUSTOM_PHYSNET0',
  'CUSTOM_PHYSNET1',
  'CUSTOM_PHYSNET2',
  'CUSTOM_HW_NIC_ROOT',
];
const CUSTOM_CLASSES = ['CUSTOM_NET_MBPS', 'CUSTOM_VF'];

async function freshEnv(): Promise<TestEnv> {
  const env = await createTestEnv();
  await createCatalogue(env.db.pool, { traits: CUSTOM_TRAITS, classes: CUSTOM_CLASSES });
  return env;
}

/** Each request searched, with the candidate count, for the explainPlacement check of its block. */
const searched: { env: TestEnv; request: GroupedRequest; count: number }[] = [];

/** Every candidate (no limit in play), each checked against the spec's invariants. */
async function candidatesOf(
  env: TestEnv,
  world: World,
  request: GroupedRequest,
  weigher: 'SPREAD' | 'PACK' = 'SPREAD',
): Promise<Candidate[]> {
  const found = await allocationCandidates(env.db.pool, { request, limit: 1000, weigher });
  for (const c of found) assertConsistent(world, request, c);
  searched.push({ env, request, count: found.length });
  return found;
}

/** explainPlacement's remaining equals what an unlimited search returned, for every request `env` was searched with. */
function itExplainsEveryRequest(env: () => TestEnv): void {
  it('explainPlacement: remaining equals the candidate count, for every request above', async () => {
    const mine = searched.filter((s) => s.env === env());
    expect(mine.length).toBeGreaterThan(0);
    const disagreements: { request: GroupedRequest; candidates: number; remaining: number }[] = [];
    for (const { request, count } of mine) {
      const { remaining } = await explainPlacement(env().db.pool, request);
      if (remaining !== count) disagreements.push({ request, candidates: count, remaining });
    }
    expect(disagreements).toEqual([]);
  });
}

async function described(env: TestEnv, world: World, request: GroupedRequest): Promise<Described[]> {
  return (await candidatesOf(env, world, request)).map((c) => describeCandidate(world, c));
}

const hosts = (found: Described[]) => found.map((d) => d.host);

// ---------------------------------------------------------------------------------------------
// GranularFixture: flat compute hosts and sharing providers (no trees).
//
//   cn_left  (aggA)       VCPU 8, MEMORY_MB 4096, DISK_GB 500, VGPU 8, SRIOV_NET_VF 8, NET_MBPS 4000
//                         AVX, AVX2, DXVA, DCB_PFC, FOO
//   cn_middle (aggA,aggB) VCPU 8, MEMORY_MB 4096, SRIOV_NET_VF 8, NET_MBPS 4000; AVX, AVX2, SSE, TLS
//   cn_right (aggB,aggC)  VCPU 8, MEMORY_MB 4096, DISK_GB 500, VGPU 8 (maxUnit 2); MMX, DXVA, DISK_SSD
//   shr_disk_1 (aggA)       DISK_GB 1000; SHARES, DISK_SSD   — 100 used here (free share 0.9)
//   shr_disk_2 (aggA,aggB)  DISK_GB 1000; SHARES             — 150 used here (free share 0.85)
//   shr_net (aggC)          SRIOV_NET_VF 16, NET_MBPS 40000; SHARES
// The usage on the disks (absent in Placement's fixture) makes every best assignment unique.

const GRANULAR: NodeSpec[] = [
  {
    name: 'cn_left',
    aggregates: ['aggA'],
    inventories: { VCPU: 8, MEMORY_MB: 4096, DISK_GB: 500, VGPU: 8, SRIOV_NET_VF: 8, CUSTOM_NET_MBPS: 4000 },
    traits: ['HW_CPU_X86_AVX', 'HW_CPU_X86_AVX2', 'CUSTOM_GPU_API_DXVA', 'HW_NIC_DCB_PFC', 'CUSTOM_FOO'],
  },
  {
    name: 'cn_middle',
    aggregates: ['aggA', 'aggB'],
    inventories: { VCPU: 8, MEMORY_MB: 4096, SRIOV_NET_VF: 8, CUSTOM_NET_MBPS: 4000 },
    traits: ['HW_CPU_X86_AVX', 'HW_CPU_X86_AVX2', 'HW_CPU_X86_SSE', 'CUSTOM_NIC_ACCEL_TLS'],
  },
  {
    name: 'cn_right',
    aggregates: ['aggB', 'aggC'],
    inventories: { VCPU: 8, MEMORY_MB: 4096, DISK_GB: 500, VGPU: { total: 8, maxUnit: 2 } },
    traits: ['CUSTOM_CPU_X86_MMX', 'CUSTOM_GPU_API_DXVA', 'CUSTOM_DISK_SSD'],
  },
  { name: 'shr_disk_1', aggregates: ['aggA'], inventories: { DISK_GB: 1000 }, traits: [SHARING, 'CUSTOM_DISK_SSD'] },
  { name: 'shr_disk_2', aggregates: ['aggA', 'aggB'], inventories: { DISK_GB: 1000 }, traits: [SHARING] },
  {
    name: 'shr_net',
    aggregates: ['aggC'],
    inventories: { SRIOV_NET_VF: 16, CUSTOM_NET_MBPS: 40000 },
    traits: [SHARING],
  },
];

describe('GranularFixture: flat hosts and sharing providers (granular.yaml)', () => {
  let env: TestEnv;
  let w: World;
  beforeAll(async () => {
    env = await freshEnv();
    w = await buildWorld(env.db.pool, GRANULAR);
    await use(env.db.pool, w.uuid('shr_disk_1'), { DISK_GB: 100 });
    await use(env.db.pool, w.uuid('shr_disk_2'), { DISK_GB: 150 });
  });
  afterAll(async () => env?.close());
  afterEach(async () => assertPlacementInvariants(env));

  const vcpuMem = (name: string) => ({ name, resources: res({ VCPU: 1, MEMORY_MB: 1024 }) });
  const disk = (name: string, amount: number, extra: Omit<Partial<GroupSpec>, 'name' | 'resources'> = {}) => ({
    name,
    resources: res({ DISK_GB: amount }),
    ...extra,
  });

  it('different groups hit with NONE: a flat host serves both groups itself (Placement: 3)', async () => {
    const request: GroupedRequest = {
      resources: [],
      groups: [
        { name: '1', resources: res({ VCPU: 1 }) },
        { name: '2', resources: res({ MEMORY_MB: 1024 }) },
      ],
      groupPolicy: 'NONE',
    };
    expect(await described(env, w, request)).toEqual(
      ['cn_left', 'cn_middle', 'cn_right'].map((h) => ({
        host: h,
        mappings: { '1': [h], '2': [h] },
        allocation: [`${h}/MEMORY_MB=1024`, `${h}/VCPU=1`],
        score: 1,
      })),
    );
  });

  it('different groups miss with ISOLATE: a flat host cannot serve two groups (Placement: 0)', async () => {
    const request: GroupedRequest = {
      resources: [],
      groups: [
        { name: '1', resources: res({ VCPU: 1 }) },
        { name: '2', resources: res({ MEMORY_MB: 1024 }) },
      ],
      groupPolicy: 'ISOLATE',
    };
    expect(await candidatesOf(env, w, request)).toEqual([]);
    const explanation = await explainPlacement(env.db.pool, request);
    expect(explanation.providersConsidered).toBe(6);
    // The sharing providers have no VCPU at all; the three compute hosts take both groups
    // together (NONE places them) and fail only the policy.
    expect(
      explanation.steps.filter((s) => s.eliminated > 0).map((s) => `${s.constraint}:${s.eliminated}`),
      JSON.stringify(explanation.steps),
    ).toEqual(['GROUP_UNSATISFIED:3', 'GROUP_POLICY_ISOLATE:3']);
  });

  it('resources combine: the unnumbered group and two groups on one host are summed (Placement: 3 × VCPU 6, MEMORY_MB 1536)', async () => {
    const request: GroupedRequest = {
      resources: res({ VCPU: 3, MEMORY_MB: 512 }),
      groups: [
        { name: '1', resources: res({ VCPU: 1, MEMORY_MB: 1024 }) },
        { name: '2', resources: res({ VCPU: 2 }) },
      ],
      groupPolicy: 'NONE',
    };
    expect(await described(env, w, request)).toEqual(
      ['cn_left', 'cn_middle', 'cn_right'].map((h) => ({
        host: h,
        mappings: { '': [h], '1': [h], '2': [h] },
        allocation: [`${h}/MEMORY_MB=1536`, `${h}/VCPU=6`],
        score: 1,
      })),
    );
    // The sum is what must fit: 7 + 1 + 1 VCPU exceeds every host's 8.
    expect(
      await candidatesOf(env, w, {
        ...request,
        resources: res({ VCPU: 7 }),
        groups: [
          { name: '1', resources: res({ VCPU: 1 }) },
          { name: '2', resources: res({ VCPU: 1 }) },
        ],
      }),
    ).toEqual([]);
  });

  it('one numbered group needs no policy (Placement: 3)', async () => {
    const request: GroupedRequest = {
      resources: res({ VCPU: 1 }),
      groups: [{ name: '1', resources: res({ MEMORY_MB: 2048 }) }],
    };
    expect(hosts(await described(env, w, request))).toEqual(['cn_left', 'cn_middle', 'cn_right']);
  });

  it('disk sharing isolated: DISK_GB from a sharing partner, never the host (Placement: 5 combinations on 3 hosts)', async () => {
    const request: GroupedRequest = {
      resources: [],
      groups: [vcpuMem('1'), disk('2', 100)],
      groupPolicy: 'ISOLATE',
    };
    // cn_left and cn_middle reach both disks and take the emptier shr_disk_1; cn_right only shr_disk_2.
    expect(await described(env, w, request)).toEqual([
      {
        host: 'cn_left',
        mappings: { '1': ['cn_left'], '2': ['shr_disk_1'] },
        allocation: ['cn_left/MEMORY_MB=1024', 'cn_left/VCPU=1', 'shr_disk_1/DISK_GB=100'],
        score: scoreOf(1, 1, 0.9),
      },
      {
        host: 'cn_middle',
        mappings: { '1': ['cn_middle'], '2': ['shr_disk_1'] },
        allocation: ['cn_middle/MEMORY_MB=1024', 'cn_middle/VCPU=1', 'shr_disk_1/DISK_GB=100'],
        score: scoreOf(1, 1, 0.9),
      },
      {
        host: 'cn_right',
        mappings: { '1': ['cn_right'], '2': ['shr_disk_2'] },
        allocation: ['cn_right/MEMORY_MB=1024', 'cn_right/VCPU=1', 'shr_disk_2/DISK_GB=100'],
        score: scoreOf(1, 1, 0.85),
      },
    ]);
  });

  it('disk sharing non-isolated: a host with its own disk serves both groups (Placement: 7 combinations on 3 hosts)', async () => {
    const request: GroupedRequest = {
      resources: [],
      groups: [vcpuMem('1'), disk('2', 100)],
      groupPolicy: 'NONE',
    };
    // Weighed: cn_left and cn_right (everything at free share 1, ties on uuid), then cn_middle.
    expect(await described(env, w, request)).toEqual([
      {
        host: 'cn_left',
        mappings: { '1': ['cn_left'], '2': ['cn_left'] },
        allocation: ['cn_left/DISK_GB=100', 'cn_left/MEMORY_MB=1024', 'cn_left/VCPU=1'],
        score: 1,
      },
      {
        host: 'cn_right',
        mappings: { '1': ['cn_right'], '2': ['cn_right'] },
        allocation: ['cn_right/DISK_GB=100', 'cn_right/MEMORY_MB=1024', 'cn_right/VCPU=1'],
        score: 1,
      },
      {
        host: 'cn_middle',
        mappings: { '1': ['cn_middle'], '2': ['shr_disk_1'] },
        allocation: ['cn_middle/MEMORY_MB=1024', 'cn_middle/VCPU=1', 'shr_disk_1/DISK_GB=100'],
        score: scoreOf(1, 1, 0.9),
      },
    ]);
  });

  it('disk alone: one group of DISK_GB 800 — the disks themselves, and every host reaching one (Placement: the 2 disks)', async () => {
    const request: GroupedRequest = { resources: [], groups: [disk('1', 800)] };
    const found = await described(env, w, request);
    // ★ A host is a candidate when its sharing partner serves the whole request; Placement
    // folds those into the sharing provider's own allocation request.
    expect(hosts(found).sort()).toEqual(['cn_left', 'cn_middle', 'cn_right', 'shr_disk_1', 'shr_disk_2']);
    const byHost = new Map(found.map((d) => [d.host, d]));
    expect(byHost.get('cn_left')!.mappings).toEqual({ '1': ['shr_disk_1'] }); // its own 500 is too small
    expect(byHost.get('cn_middle')!.mappings).toEqual({ '1': ['shr_disk_1'] });
    expect(byHost.get('cn_right')!.mappings).toEqual({ '1': ['shr_disk_2'] }); // shr_disk_1 is not in its aggregates
    expect(byHost.get('shr_disk_1')!.mappings).toEqual({ '1': ['shr_disk_1'] });
    expect(['shr_disk_1', 'shr_disk_2']).toContain(byHost.get('shr_disk_2')!.mappings['1']![0]);
  });

  it('isolated SSD: the group requiring CUSTOM_DISK_SSD is checked on its own provider (Placement: 2)', async () => {
    const request: GroupedRequest = {
      resources: [],
      groups: [vcpuMem('1'), disk('2', 100, { requiredTraits: ['CUSTOM_DISK_SSD'] })],
      groupPolicy: 'ISOLATE',
    };
    // Not cn_right: its own SSD disk is excluded by ISOLATE and shr_disk_1 is not its partner.
    expect(await described(env, w, request)).toEqual(
      ['cn_left', 'cn_middle'].map((h) => ({
        host: h,
        mappings: { '1': [h], '2': ['shr_disk_1'] },
        allocation: [`${h}/MEMORY_MB=1024`, `${h}/VCPU=1`, 'shr_disk_1/DISK_GB=100'],
        score: scoreOf(1, 1, 0.9),
      })),
    );
  });

  it('no isolation, forbidden SSD on a group: a host whose own disk is SSD goes to a partner (Placement: 4 combinations on 3 hosts)', async () => {
    const request: GroupedRequest = {
      resources: [],
      groups: [{ name: '1', resources: res({ VCPU: 1 }) }, disk('2', 100, { forbiddenTraits: ['CUSTOM_DISK_SSD'] })],
      groupPolicy: 'NONE',
    };
    expect(await described(env, w, request)).toEqual([
      {
        host: 'cn_left',
        mappings: { '1': ['cn_left'], '2': ['cn_left'] },
        allocation: ['cn_left/DISK_GB=100', 'cn_left/VCPU=1'],
        score: 1,
      },
      {
        host: 'cn_middle',
        mappings: { '1': ['cn_middle'], '2': ['shr_disk_2'] },
        allocation: ['cn_middle/VCPU=1', 'shr_disk_2/DISK_GB=100'],
        score: scoreOf(1, 0.85),
      },
      {
        host: 'cn_right',
        mappings: { '1': ['cn_right'], '2': ['shr_disk_2'] },
        allocation: ['cn_right/VCPU=1', 'shr_disk_2/DISK_GB=100'],
        score: scoreOf(1, 0.85),
      },
    ]);
  });

  it('memberOf on a group is checked on the provider serving it (Placement: 1)', async () => {
    const request: GroupedRequest = {
      resources: [],
      groups: [{ name: '1', resources: res({ VCPU: 1 }) }, disk('2', 100, { memberOf: [[w.aggregate('aggC')]] })],
      groupPolicy: 'NONE',
    };
    expect(await described(env, w, request)).toEqual([
      {
        host: 'cn_right',
        mappings: { '1': ['cn_right'], '2': ['cn_right'] },
        allocation: ['cn_right/DISK_GB=100', 'cn_right/VCPU=1'],
        score: 1,
      },
    ]);
  });

  it('required, forbidden and memberOf-any on two groups (Placement: 2)', async () => {
    const request: GroupedRequest = {
      resources: [],
      groups: [
        { name: '1', resources: res({ VCPU: 1 }), forbiddenTraits: ['HW_CPU_X86_SSE'] },
        disk('2', 100, {
          requiredTraits: ['CUSTOM_DISK_SSD'],
          memberOf: [[w.aggregate('aggA'), w.aggregate('aggC')]],
        }),
      ],
      groupPolicy: 'NONE',
    };
    // cn_middle has SSE; cn_left's disk is not SSD (shr_disk_1 is); cn_right serves both itself.
    expect(await described(env, w, request)).toEqual([
      {
        host: 'cn_right',
        mappings: { '1': ['cn_right'], '2': ['cn_right'] },
        allocation: ['cn_right/DISK_GB=100', 'cn_right/VCPU=1'],
        score: 1,
      },
      {
        host: 'cn_left',
        mappings: { '1': ['cn_left'], '2': ['shr_disk_1'] },
        allocation: ['cn_left/VCPU=1', 'shr_disk_1/DISK_GB=100'],
        score: scoreOf(1, 0.9),
      },
    ]);
  });

  it('several memberOf lists on a group are ANDed; the host need not be in them (Placement: 3)', async () => {
    const request: GroupedRequest = {
      resources: [],
      groups: [
        { name: '1', resources: res({ VCPU: 1 }) },
        disk('2', 100, {
          memberOf: [[w.aggregate('aggB'), w.aggregate('aggC')], [w.aggregate('aggA')]],
        }),
      ],
      groupPolicy: 'ISOLATE',
    };
    expect(await described(env, w, request)).toEqual(
      ['cn_left', 'cn_middle', 'cn_right'].map((h) => ({
        host: h,
        mappings: { '1': [h], '2': ['shr_disk_2'] },
        allocation: [`${h}/VCPU=1`, 'shr_disk_2/DISK_GB=100'],
        score: scoreOf(1, 0.85),
      })),
    );
  });

  it('seven groups, several disks and networks, groups folded onto shared providers (Placement: 3 combinations on 2 hosts)', async () => {
    const request: GroupedRequest = {
      resources: [],
      groups: [
        { name: '1', resources: res({ VCPU: 1 }) },
        { name: '2', resources: res({ VGPU: 1 }), requiredTraits: ['CUSTOM_GPU_API_DXVA'] },
        { name: '3', resources: res({ MEMORY_MB: 1024 }) },
        disk('4', 100, { requiredTraits: ['CUSTOM_DISK_SSD'] }),
        disk('5', 50, { forbiddenTraits: ['CUSTOM_DISK_SSD'] }),
        { name: '6', resources: res({ SRIOV_NET_VF: 1, CUSTOM_NET_MBPS: 1000 }) },
        { name: '7', resources: res({ SRIOV_NET_VF: 2, CUSTOM_NET_MBPS: 2000 }) },
      ],
      groupPolicy: 'NONE',
    };
    expect(await described(env, w, request)).toEqual([
      {
        host: 'cn_left',
        mappings: {
          '1': ['cn_left'],
          '2': ['cn_left'],
          '3': ['cn_left'],
          '4': ['shr_disk_1'],
          '5': ['cn_left'], // its own non-SSD disk (free share 1) over shr_disk_2 (0.85)
          '6': ['cn_left'],
          '7': ['cn_left'],
        },
        allocation: [
          'cn_left/CUSTOM_NET_MBPS=3000',
          'cn_left/DISK_GB=50',
          'cn_left/MEMORY_MB=1024',
          'cn_left/SRIOV_NET_VF=3',
          'cn_left/VCPU=1',
          'cn_left/VGPU=1',
          'shr_disk_1/DISK_GB=100',
        ],
        score: scoreOf(1, 1, 1, 0.9, 1, 1, 1, 1, 1),
      },
      {
        host: 'cn_right',
        mappings: {
          '1': ['cn_right'],
          '2': ['cn_right'],
          '3': ['cn_right'],
          '4': ['cn_right'],
          '5': ['shr_disk_2'],
          '6': ['shr_net'],
          '7': ['shr_net'],
        },
        allocation: [
          'cn_right/DISK_GB=100',
          'cn_right/MEMORY_MB=1024',
          'cn_right/VCPU=1',
          'cn_right/VGPU=1',
          'shr_disk_2/DISK_GB=50',
          'shr_net/CUSTOM_NET_MBPS=3000',
          'shr_net/SRIOV_NET_VF=3',
        ],
        score: scoreOf(1, 1, 1, 1, 0.85, 1, 1, 1, 1),
      },
    ]);
  });

  it('combining the unnumbered group with a group exceeds a host: only the host whose partner takes the sum (Placement: 1)', async () => {
    const request: GroupedRequest = {
      resources: res({ VCPU: 2, MEMORY_MB: 2048, SRIOV_NET_VF: 1, CUSTOM_NET_MBPS: 2000 }),
      groups: [{ name: '1', resources: res({ SRIOV_NET_VF: 1, CUSTOM_NET_MBPS: 3000 }) }],
    };
    expect(await described(env, w, request)).toEqual([
      {
        host: 'cn_right',
        mappings: { '': ['cn_right', 'shr_net'], '1': ['shr_net'] },
        allocation: [
          'cn_right/MEMORY_MB=2048',
          'cn_right/VCPU=2',
          'shr_net/CUSTOM_NET_MBPS=5000',
          'shr_net/SRIOV_NET_VF=2',
        ],
        score: 1,
      },
    ]);
    // cn_left and cn_middle hold each part alone, not 2000 + 3000 NET_MBPS together.
    const explanation = await explainPlacement(env.db.pool, request);
    const combined = explanation.steps.find((s) => s.constraint === 'COMBINED_CAPACITY');
    expect(combined?.eliminated, JSON.stringify(explanation.steps)).toBe(2);
  });

  it('limit cuts the weighed list of grouped candidates to its best n, for both weighers', async () => {
    const request: GroupedRequest = {
      resources: [],
      groups: [vcpuMem('1'), disk('2', 100)],
      groupPolicy: 'ISOLATE',
    };
    const all = await candidatesOf(env, w, request);
    const allPacked = await candidatesOf(env, w, request, 'PACK');
    for (const limit of [1, 2, 3]) {
      for (const [weigher, full] of [
        ['SPREAD', all],
        ['PACK', allPacked],
      ] as const) {
        const cut = await allocationCandidates(env.db.pool, { request, limit, weigher });
        expect(
          cut.map((c) => w.name(c.rootUuid)),
          `${weigher} limit ${limit}`,
        ).toEqual(full.slice(0, limit).map((c) => w.name(c.rootUuid)));
      }
    }
    expect(allPacked.map((c) => w.name(c.rootUuid))).toEqual(['cn_right', 'cn_left', 'cn_middle']);
  });

  it('combining groups exceeds maxUnit on one host, not the other (Placement: 1)', async () => {
    const request: GroupedRequest = {
      resources: res({ VGPU: 1 }),
      groups: [
        { name: '1', resources: res({ VGPU: 1 }) },
        { name: '2', resources: res({ VGPU: 1 }) },
      ],
      groupPolicy: 'NONE',
    };
    expect(await described(env, w, request)).toEqual([
      {
        host: 'cn_left',
        mappings: { '': ['cn_left'], '1': ['cn_left'], '2': ['cn_left'] },
        allocation: ['cn_left/VGPU=3'],
        score: 1,
      },
    ]);
  });

  itExplainsEveryRequest(() => env);
});

// ---------------------------------------------------------------------------------------------
// NUMANetworkFixture: trees. (numa0: 2 of 4 VCPU used; cn2: 3 of 8 VCPU used.)
//
//   ss1 (aggA) DISK_GB 2000, SHARES
//   cn1 (aggA) COMPUTE_VOLUME_MULTI_ATTACH, no inventory
//     numa0 HW_NUMA_ROOT; VCPU 4, MEMORY_MB 2048 (minUnit 512, stepSize 256)
//       fpga0 FPGA 1;  pgpu0 VGPU 8
//     numa1 HW_NUMA_ROOT, FOO; VCPU 4, MEMORY_MB 2048 (minUnit 256, maxUnit 1024)
//       fpga1_0 FPGA 1;  fpga1_1 FPGA 1
//     sriov_agent VNIC_TYPE_DIRECT
//       esn1 PHYSNET1, NET_BW_EGR 10000;  esn2 PHYSNET2, NET_BW_EGR 20000
//     ovs_agent VNIC_TYPE_NORMAL
//       br_int PHYSNET0, NET_BW_EGR 1000
//   cn2 (aggA) FOO; VCPU 8, MEMORY_MB 2048 (minUnit 1024, stepSize 128), DISK_GB 1000
//     nic1 HW_NIC_ROOT: pf1_1 PHYSNET1 VF 4, pf1_2 PHYSNET2 VF 4
//     nic2 HW_NIC_ROOT: pf2_1 NET1 VF 2, pf2_2 NET2 VF 2, pf2_3 NET1 VF 2, pf2_4 NET2 VF 2
//     nic3 HW_NIC_ROOT: pf3_1 NET1 VF 8

const BW = 'NET_BW_EGR_KILOBIT_PER_SEC';
const pf = (name: string, physnet: number, vf: number): NodeSpec => ({
  name,
  traits: [`CUSTOM_PHYSNET${physnet}`],
  inventories: { CUSTOM_VF: vf },
});
const NUMA_NETWORK: NodeSpec[] = [
  { name: 'ss1', aggregates: ['aggA'], inventories: { DISK_GB: 2000 }, traits: [SHARING] },
  {
    name: 'cn1',
    aggregates: ['aggA'],
    traits: ['COMPUTE_VOLUME_MULTI_ATTACH'],
    children: [
      {
        name: 'numa0',
        traits: ['HW_NUMA_ROOT'],
        inventories: { VCPU: 4, MEMORY_MB: { total: 2048, minUnit: 512, stepSize: 256 } },
        children: [
          { name: 'fpga0', inventories: { FPGA: 1 } },
          { name: 'pgpu0', inventories: { VGPU: 8 } },
        ],
      },
      {
        name: 'numa1',
        traits: ['HW_NUMA_ROOT', 'CUSTOM_FOO'],
        inventories: { VCPU: 4, MEMORY_MB: { total: 2048, minUnit: 256, maxUnit: 1024 } },
        children: [
          { name: 'fpga1_0', inventories: { FPGA: 1 } },
          { name: 'fpga1_1', inventories: { FPGA: 1 } },
        ],
      },
      {
        name: 'sriov_agent',
        traits: ['CUSTOM_VNIC_TYPE_DIRECT'],
        children: [
          { name: 'esn1', traits: ['CUSTOM_PHYSNET1'], inventories: { [BW]: 10000 } },
          { name: 'esn2', traits: ['CUSTOM_PHYSNET2'], inventories: { [BW]: 20000 } },
        ],
      },
      {
        name: 'ovs_agent',
        traits: ['CUSTOM_VNIC_TYPE_NORMAL'],
        children: [{ name: 'br_int', traits: ['CUSTOM_PHYSNET0'], inventories: { [BW]: 1000 } }],
      },
    ],
  },
  {
    name: 'cn2',
    aggregates: ['aggA'],
    traits: ['CUSTOM_FOO'],
    inventories: { VCPU: 8, MEMORY_MB: { total: 2048, minUnit: 1024, stepSize: 128 }, DISK_GB: 1000 },
    children: [
      { name: 'nic1', traits: ['CUSTOM_HW_NIC_ROOT'], children: [pf('pf1_1', 1, 4), pf('pf1_2', 2, 4)] },
      {
        name: 'nic2',
        traits: ['CUSTOM_HW_NIC_ROOT'],
        children: [pf('pf2_1', 1, 2), pf('pf2_2', 2, 2), pf('pf2_3', 1, 2), pf('pf2_4', 2, 2)],
      },
      { name: 'nic3', traits: ['CUSTOM_HW_NIC_ROOT'], children: [pf('pf3_1', 1, 8)] },
    ],
  },
];

async function numaNetworkWorld(env: TestEnv): Promise<World> {
  const w = await buildWorld(env.db.pool, NUMA_NETWORK);
  await use(env.db.pool, w.uuid('numa0'), { VCPU: 2 });
  await use(env.db.pool, w.uuid('cn2'), { VCPU: 3 });
  return w;
}

/** cn2's VCPU free share: 5 of 8. */
const CN2_VCPU = 5 / 8;

describe('NUMANetworkFixture: sameSubtree, resourceless groups, ISOLATE on trees (granular-same-subtree.yaml)', () => {
  let env: TestEnv;
  let w: World;
  beforeAll(async () => {
    env = await freshEnv();
    w = await numaNetworkWorld(env);
  });
  afterAll(async () => env?.close());
  afterEach(async () => assertPlacementInvariants(env));

  /** The one candidate of host `host`, described. */
  async function only(request: GroupedRequest, host: string): Promise<Described> {
    const found = await described(env, w, request);
    expect(hosts(found)).toEqual([host]);
    return found[0]!;
  }

  const compute = (amounts: Record<string, number>) => ({ name: 'COMPUTE', resources: res(amounts) });
  const accel = (name: string) => ({ name, resources: res({ FPGA: 1 }) });

  it('two groups without sameSubtree: any NUMA node with any FPGA; the node with free VCPU wins (Placement: 6 on cn1)', async () => {
    const d = await only({ resources: [], groups: [compute({ VCPU: 1 }), accel('ACCEL')], groupPolicy: 'NONE' }, 'cn1');
    expect(d.mappings.COMPUTE).toEqual(['numa1']); // numa0 is half used
    expect(['fpga0', 'fpga1_0', 'fpga1_1']).toContain(d.mappings.ACCEL![0]);
    expect(d.score).toBe(1);
  });

  it('a single-group sameSubtree list changes nothing (Placement: 6)', async () => {
    const d = await only(
      {
        resources: [],
        groups: [compute({ VCPU: 1 }), accel('ACCEL')],
        groupPolicy: 'NONE',
        sameSubtree: [['COMPUTE']],
      },
      'cn1',
    );
    expect(d.mappings.COMPUTE).toEqual(['numa1']);
  });

  it('sameSubtree ties the FPGA to the NUMA node serving VCPU (Placement: 3)', async () => {
    const d = await only(
      {
        resources: [],
        groups: [compute({ VCPU: 1 }), accel('ACCEL')],
        groupPolicy: 'NONE',
        sameSubtree: [['COMPUTE', 'ACCEL']],
      },
      'cn1',
    );
    expect(d.mappings.COMPUTE).toEqual(['numa1']);
    expect(['fpga1_0', 'fpga1_1']).toContain(d.mappings.ACCEL![0]);
  });

  it('sameSubtree of two groups on the same provider: a provider is in its own subtree (Placement: 3 on 2 hosts)', async () => {
    const request: GroupedRequest = {
      resources: [],
      groups: [
        { name: 'COMPUTE1', resources: res({ VCPU: 1 }) },
        { name: 'COMPUTE2', resources: res({ MEMORY_MB: 1024 }) },
      ],
      groupPolicy: 'NONE',
      sameSubtree: [['COMPUTE1', 'COMPUTE2']],
    };
    expect(await described(env, w, request)).toEqual([
      {
        host: 'cn1',
        mappings: { COMPUTE1: ['numa1'], COMPUTE2: ['numa1'] },
        allocation: ['numa1/MEMORY_MB=1024', 'numa1/VCPU=1'],
        score: 1,
      },
      {
        host: 'cn2',
        mappings: { COMPUTE1: ['cn2'], COMPUTE2: ['cn2'] },
        allocation: ['cn2/MEMORY_MB=1024', 'cn2/VCPU=1'],
        score: scoreOf(CN2_VCPU, 1),
      },
    ]);
    // ISOLATE then leaves nothing: two NUMA nodes are siblings, not one subtree (Placement: 0).
    expect(await candidatesOf(env, w, { ...request, groupPolicy: 'ISOLATE' })).toEqual([]);
  });

  it('two VF groups on different physnets, no sameSubtree (Placement: 2 on cn2)', async () => {
    const d = await only(
      {
        resources: res({ VCPU: 1 }),
        groups: [
          { name: 'PORT1', resources: res({ CUSTOM_VF: 4 }), requiredTraits: ['CUSTOM_PHYSNET1'] },
          { name: 'PORT2', resources: res({ CUSTOM_VF: 4 }), requiredTraits: ['CUSTOM_PHYSNET2'] },
        ],
        groupPolicy: 'NONE',
      },
      'cn2',
    );
    expect(d.mappings['']).toEqual(['cn2']);
    expect(['pf1_1', 'pf3_1']).toContain(d.mappings.PORT1![0]);
    expect(d.mappings.PORT2).toEqual(['pf1_2']);
    expect(d.score).toBe(scoreOf(CN2_VCPU, 1, 1));
  });

  const nicPorts = (vf1: number, vf2: number) => [
    { name: 'NIC', resources: [], requiredTraits: ['CUSTOM_HW_NIC_ROOT'] },
    { name: 'PORT1', resources: res({ CUSTOM_VF: vf1 }), requiredTraits: ['CUSTOM_PHYSNET1'] },
    { name: 'PORT2', resources: res({ CUSTOM_VF: vf2 }), requiredTraits: ['CUSTOM_PHYSNET2'] },
  ];

  it('a resourceless NIC group ties both 4-VF ports under one NIC: only nic1 (Placement: 1)', async () => {
    const request: GroupedRequest = {
      resources: res({ VCPU: 1 }),
      groups: nicPorts(4, 4),
      groupPolicy: 'NONE',
      sameSubtree: [['NIC', 'PORT1', 'PORT2']],
    };
    expect(await described(env, w, request)).toEqual([
      {
        host: 'cn2',
        mappings: { '': ['cn2'], NIC: ['nic1'], PORT1: ['pf1_1'], PORT2: ['pf1_2'] },
        allocation: ['cn2/VCPU=1', 'pf1_1/CUSTOM_VF=4', 'pf1_2/CUSTOM_VF=4'],
        // the resourceless group adds no row to the score
        score: scoreOf(CN2_VCPU, 1, 1),
      },
    ]);
  });

  it.each(['NONE', 'ISOLATE'] as const)('2-VF ports under one NIC, %s (Placement: 5 on cn2)', async (policy) => {
    const d = await only(
      {
        resources: res({ VCPU: 1 }),
        groups: nicPorts(2, 2),
        groupPolicy: policy,
        sameSubtree: [['NIC', 'PORT1', 'PORT2']],
      },
      'cn2',
    );
    expect(['nic1', 'nic2']).toContain(d.mappings.NIC![0]);
    expect(['pf1_1', 'pf2_1', 'pf2_3']).toContain(d.mappings.PORT1![0]);
    expect(['pf1_2', 'pf2_2', 'pf2_4']).toContain(d.mappings.PORT2![0]);
    expect(d.score).toBe(scoreOf(CN2_VCPU, 1, 1));
  });

  const twoPlusOnePlusOne = [
    { name: 'NIC', resources: [], requiredTraits: ['CUSTOM_HW_NIC_ROOT'] },
    { name: 'PORT1', resources: res({ CUSTOM_VF: 2 }), requiredTraits: ['CUSTOM_PHYSNET1'] },
    { name: 'PORT2A', resources: res({ CUSTOM_VF: 1 }), requiredTraits: ['CUSTOM_PHYSNET2'] },
    { name: 'PORT2B', resources: res({ CUSTOM_VF: 1 }), requiredTraits: ['CUSTOM_PHYSNET2'] },
  ];

  it('2+1+1 VFs with NONE: two groups may share a PF, and their VFs are summed there (Placement: 9)', async () => {
    const d = await only(
      {
        resources: res({ VCPU: 1 }),
        groups: twoPlusOnePlusOne,
        groupPolicy: 'NONE',
        sameSubtree: [['NIC', 'PORT1', 'PORT2A', 'PORT2B']],
      },
      'cn2',
    );
    expect(['nic1', 'nic2']).toContain(d.mappings.NIC![0]);
    expect(d.score).toBe(scoreOf(CN2_VCPU, 1, 1, 1));
  });

  it('2+1+1 VFs with ISOLATE: only nic2 has two PHYSNET2 PFs (Placement: 4)', async () => {
    const d = await only(
      {
        resources: res({ VCPU: 1 }),
        groups: twoPlusOnePlusOne,
        groupPolicy: 'ISOLATE',
        sameSubtree: [['NIC', 'PORT1', 'PORT2A', 'PORT2B']],
      },
      'cn2',
    );
    expect(d.mappings.NIC).toEqual(['nic2']);
    expect(['pf2_1', 'pf2_3']).toContain(d.mappings.PORT1![0]);
    expect([d.mappings.PORT2A![0], d.mappings.PORT2B![0]].sort()).toEqual(['pf2_2', 'pf2_4']);
    expect(d.score).toBe(scoreOf(CN2_VCPU, 1, 1, 1));
  });

  it('a resourceless group on the same provider as a resourceful one (Placement: 1); ISOLATE forbids it (Placement: 0)', async () => {
    const request: GroupedRequest = {
      resources: [],
      groups: [
        { name: 'PORT1', resources: res({ CUSTOM_VF: 8 }) },
        { name: 'PORT2', resources: [], requiredTraits: ['CUSTOM_PHYSNET1'] },
      ],
      groupPolicy: 'NONE',
      sameSubtree: [['PORT1', 'PORT2']],
    };
    expect(await described(env, w, request)).toEqual([
      {
        host: 'cn2',
        mappings: { PORT1: ['pf3_1'], PORT2: ['pf3_1'] },
        allocation: ['pf3_1/CUSTOM_VF=8'],
        score: 1,
      },
    ]);
    // ISOLATE counts resourceless groups too, as Placement does.
    expect(await candidatesOf(env, w, { ...request, groupPolicy: 'ISOLATE' })).toEqual([]);
  });

  it('two resourceless groups pinned with VCPU on numa1 (Placement: 1); ISOLATE: none (Placement: 0)', async () => {
    const request: GroupedRequest = {
      resources: [],
      groups: [
        { name: 'COMPUTE1', resources: res({ VCPU: 1 }) },
        { name: 'COMPUTE2', resources: [], requiredTraits: ['CUSTOM_FOO'] },
        { name: 'COMPUTE3', resources: [], requiredTraits: ['HW_NUMA_ROOT'] },
      ],
      groupPolicy: 'NONE',
      sameSubtree: [['COMPUTE1', 'COMPUTE2', 'COMPUTE3']],
    };
    expect(await described(env, w, request)).toEqual([
      {
        host: 'cn1',
        mappings: { COMPUTE1: ['numa1'], COMPUTE2: ['numa1'], COMPUTE3: ['numa1'] },
        allocation: ['numa1/VCPU=1'],
        score: 1,
      },
    ]);
    expect(await candidatesOf(env, w, { ...request, groupPolicy: 'ISOLATE' })).toEqual([]);
  });

  it('a resourceless NUMA group with two isolated FPGAs: numa1 (Placement: 2); forbidding FOO on it: none (Placement: 0)', async () => {
    const request: GroupedRequest = {
      resources: [],
      groups: [{ name: 'NUMA', resources: [], requiredTraits: ['HW_NUMA_ROOT'] }, accel('ACCEL1'), accel('ACCEL2')],
      groupPolicy: 'ISOLATE',
      sameSubtree: [['NUMA', 'ACCEL1', 'ACCEL2']],
    };
    const d = await only(request, 'cn1');
    expect(d.mappings.NUMA).toEqual(['numa1']);
    expect([d.mappings.ACCEL1![0], d.mappings.ACCEL2![0]].sort()).toEqual(['fpga1_0', 'fpga1_1']);
    expect(d.allocation).toEqual(['fpga1_0/FPGA=1', 'fpga1_1/FPGA=1']);
    const forbidding: GroupedRequest = {
      ...request,
      groups: [
        { name: 'NUMA', resources: [], requiredTraits: ['HW_NUMA_ROOT'], forbiddenTraits: ['CUSTOM_FOO'] },
        accel('ACCEL1'),
        accel('ACCEL2'),
      ],
    };
    expect(await candidatesOf(env, w, forbidding)).toEqual([]);
  });

  it('two sameSubtree lists: compute and accelerators on one NUMA node, bandwidth under one agent (Placement: 1)', async () => {
    const request: GroupedRequest = {
      resources: [],
      groups: [
        { name: 'NUMA', resources: [], requiredTraits: ['HW_NUMA_ROOT'] },
        compute({ VCPU: 2, MEMORY_MB: 512 }),
        { name: 'FPGA', resources: res({ FPGA: 1 }) },
        { name: 'GPU', resources: res({ VGPU: 1 }) },
        { name: 'SRIOV', resources: [], requiredTraits: ['CUSTOM_VNIC_TYPE_DIRECT'] },
        { name: 'NET1', resources: res({ [BW]: 100 }), requiredTraits: ['CUSTOM_PHYSNET1'] },
        { name: 'NET2', resources: res({ [BW]: 100 }), requiredTraits: ['CUSTOM_PHYSNET2'] },
      ],
      groupPolicy: 'NONE',
      sameSubtree: [
        ['NUMA', 'COMPUTE', 'GPU', 'FPGA'],
        ['SRIOV', 'NET1', 'NET2'],
      ],
    };
    expect(await described(env, w, request)).toEqual([
      {
        host: 'cn1',
        mappings: {
          NUMA: ['numa0'],
          COMPUTE: ['numa0'],
          FPGA: ['fpga0'],
          GPU: ['pgpu0'],
          SRIOV: ['sriov_agent'],
          NET1: ['esn1'],
          NET2: ['esn2'],
        },
        allocation: [
          `esn1/${BW}=100`,
          `esn2/${BW}=100`,
          'fpga0/FPGA=1',
          'numa0/MEMORY_MB=512',
          'numa0/VCPU=2',
          'pgpu0/VGPU=1',
        ],
        // a row per (group, class): numa0's VCPU is half used
        score: scoreOf(0.5, 1, 1, 1, 1, 1),
      },
    ]);
  });

  it('overlapping sameSubtree lists: each PF under the NIC that serves the NIC group (Placement: 4)', async () => {
    const d = await only(
      {
        resources: [],
        groups: [
          compute({ VCPU: 1 }),
          { name: 'NIC', resources: [], requiredTraits: ['CUSTOM_HW_NIC_ROOT'] },
          { name: 'PORT1', resources: res({ CUSTOM_VF: 2 }), requiredTraits: ['CUSTOM_PHYSNET1'] },
        ],
        groupPolicy: 'NONE',
        sameSubtree: [
          ['NIC', 'COMPUTE'],
          ['NIC', 'PORT1'],
        ],
      },
      'cn2',
    );
    expect(d.mappings.COMPUTE).toEqual(['cn2']);
    const port = d.mappings.PORT1![0]!;
    expect(['pf1_1', 'pf2_1', 'pf2_3', 'pf3_1']).toContain(port);
    expect(w.name(w.parentOf.get(w.uuid(port))!)).toBe(d.mappings.NIC![0]);
    expect(d.score).toBe(scoreOf(CN2_VCPU, 1));
  });

  it('one combined sameSubtree list: the compute root is the common ancestor, any NIC will do (Placement: 12)', async () => {
    const d = await only(
      {
        resources: [],
        groups: [
          compute({ VCPU: 1 }),
          { name: 'NIC', resources: [], requiredTraits: ['CUSTOM_HW_NIC_ROOT'] },
          { name: 'PORT1', resources: res({ CUSTOM_VF: 2 }), requiredTraits: ['CUSTOM_PHYSNET1'] },
        ],
        groupPolicy: 'NONE',
        sameSubtree: [['NIC', 'COMPUTE', 'PORT1']],
      },
      'cn2',
    );
    expect(d.mappings.COMPUTE).toEqual(['cn2']);
    expect(['nic1', 'nic2', 'nic3']).toContain(d.mappings.NIC![0]);
    expect(['pf1_1', 'pf2_1', 'pf2_3', 'pf3_1']).toContain(d.mappings.PORT1![0]);
  });

  it('an ancestry hole: a resourceless group on the root anchors the subtree, ISOLATE (Placement: 3 on cn1)', async () => {
    const d = await only(
      {
        resources: [],
        groups: [
          { name: 'MULTI_ATTACH', resources: [], requiredTraits: ['COMPUTE_VOLUME_MULTI_ATTACH'] },
          { name: 'BW', resources: res({ [BW]: 100 }) },
          compute({ VCPU: 4 }),
        ],
        groupPolicy: 'ISOLATE',
        sameSubtree: [['MULTI_ATTACH', 'BW', 'COMPUTE']],
      },
      'cn1',
    );
    expect(d.mappings.MULTI_ATTACH).toEqual(['cn1']);
    expect(d.mappings.COMPUTE).toEqual(['numa1']); // 4 VCPU: only numa1 has them free
    expect(['esn1', 'esn2', 'br_int']).toContain(d.mappings.BW![0]);
    expect(d.score).toBe(1);
  });

  it('explainPlacement: with two sameSubtree lists, the SAME_SUBTREE step names the list that fails (label = that list joined by ",")', async () => {
    // The NUMA list holds on numa0; the second list cannot: PHYSNET0 bandwidth is under ovs_agent, not sriov_agent.
    const request: GroupedRequest = {
      resources: [],
      groups: [
        { name: 'NUMA', resources: [], requiredTraits: ['HW_NUMA_ROOT'] },
        compute({ VCPU: 1 }),
        { name: 'GPU', resources: res({ VGPU: 1 }) },
        { name: 'SRIOV', resources: [], requiredTraits: ['CUSTOM_VNIC_TYPE_DIRECT'] },
        { name: 'NET1', resources: res({ [BW]: 100 }), requiredTraits: ['CUSTOM_PHYSNET1'] },
        { name: 'NET0', resources: res({ [BW]: 100 }), requiredTraits: ['CUSTOM_PHYSNET0'] },
      ],
      groupPolicy: 'NONE',
      sameSubtree: [
        ['NUMA', 'COMPUTE', 'GPU'],
        ['SRIOV', 'NET1', 'NET0'],
      ],
    };
    expect(await candidatesOf(env, w, request)).toEqual([]);
    const explanation = await explainPlacement(env.db.pool, request);
    const subtree = explanation.steps
      .filter((s) => s.constraint === 'SAME_SUBTREE' && s.eliminated > 0)
      .map((s) => ({ detail: s.detail, eliminated: s.eliminated }));
    expect(subtree, JSON.stringify(explanation.steps)).toEqual([{ detail: 'SRIOV,NET1,NET0', eliminated: 1 }]);
  });

  it('explainPlacement names the group and the constraint that eliminated each host', async () => {
    // VCPU 4 is free on numa1 only, VGPU only under numa0: cn1 fails sameSubtree alone;
    // cn2 has no VGPU anywhere; ss1 has no VCPU.
    const request: GroupedRequest = {
      resources: [],
      groups: [compute({ VCPU: 4 }), { name: 'GPU', resources: res({ VGPU: 1 }) }],
      groupPolicy: 'NONE',
      sameSubtree: [['COMPUTE', 'GPU']],
    };
    expect(await candidatesOf(env, w, request)).toEqual([]);
    const explanation = await explainPlacement(env.db.pool, request);
    expect(explanation.providersConsidered).toBe(3);
    expect(explanation.remaining).toBe(0);
    const eliminating = explanation.steps.filter((s) => s.eliminated > 0);
    expect(eliminating.map((s) => ({ constraint: s.constraint, detail: s.detail, eliminated: s.eliminated }))).toEqual([
      { constraint: 'GROUP_UNSATISFIED', detail: 'COMPUTE', eliminated: 1 }, // ss1: no VCPU
      { constraint: 'GROUP_UNSATISFIED', detail: 'GPU', eliminated: 1 }, // cn2: no VGPU
      { constraint: 'SAME_SUBTREE', detail: 'COMPUTE,GPU', eliminated: 1 }, // cn1
    ]);
    // a group's step names its group (ExplanationStep.group, GROUPS-SPEC)
    const groupOf = (s: ExplanationStep & { group?: string | null }) => s.group;
    expect(eliminating.slice(0, 2).map(groupOf)).toEqual(['COMPUTE', 'GPU']);
  });

  itExplainsEveryRequest(() => env);
});

describe('DeepNUMANetworkFixture: cn1 and cn2 under empty parents of one root (same-subtree-deep.yaml)', () => {
  // gp1 → p1 → cn1 …, gp1 → p2 → cn2 …: one host, gp1 (Placement: the same 26 providers).
  let env: TestEnv;
  let w: World;
  beforeAll(async () => {
    env = await freshEnv();
    const [, cn1, cn2] = NUMA_NETWORK;
    w = await buildWorld(env.db.pool, [
      {
        name: 'gp1',
        children: [
          { name: 'p1', children: [cn1!] },
          { name: 'p2', children: [cn2!] },
        ],
      },
    ]);
    await use(env.db.pool, w.uuid('numa0'), { VCPU: 2 });
    await use(env.db.pool, w.uuid('cn2'), { VCPU: 3 });
  });
  afterAll(async () => env?.close());
  afterEach(async () => assertPlacementInvariants(env));

  const port1 = { name: 'PORT1', resources: res({ CUSTOM_VF: 2 }), requiredTraits: ['CUSTOM_PHYSNET1'] };

  it.each([
    [
      'a chain of lists, compute → NIC → port',
      [
        { name: 'COMPUTE', resources: res({ VCPU: 1 }), requiredTraits: ['CUSTOM_FOO'] },
        { name: 'NIC', resources: [], requiredTraits: ['CUSTOM_HW_NIC_ROOT'] },
        port1,
      ],
      [
        ['NIC', 'COMPUTE'],
        ['NIC', 'PORT1'],
      ],
    ],
    [
      'compute with FOO and a port',
      [{ name: 'COMPUTE', resources: res({ VCPU: 1 }), requiredTraits: ['CUSTOM_FOO'] }, port1],
      [['COMPUTE', 'PORT1']],
    ],
    ['any compute and a port', [{ name: 'COMPUTE', resources: res({ VCPU: 1 }) }, port1], [['COMPUTE', 'PORT1']]],
  ])('%s: VCPU from cn2, the one compute above the PFs (Placement: 4 each)', async (_, groups, sameSubtree) => {
    const found = await described(env, w, { resources: [], groups, groupPolicy: 'NONE', sameSubtree });
    expect(hosts(found)).toEqual(['gp1']);
    const d = found[0]!;
    // numa1 has more free VCPU (and FOO), but is no ancestor of any PF
    expect(d.mappings.COMPUTE).toEqual(['cn2']);
    expect(['pf1_1', 'pf2_1', 'pf2_3', 'pf3_1']).toContain(d.mappings.PORT1![0]);
    expect(d.score).toBe(scoreOf(CN2_VCPU, 1));
  });

  it('without sameSubtree the emptier NUMA node serves VCPU, anywhere in the deep tree', async () => {
    const found = await described(env, w, {
      resources: [],
      groups: [{ name: 'COMPUTE', resources: res({ VCPU: 1 }) }, port1],
      groupPolicy: 'NONE',
    });
    expect(found.map((d) => [d.host, d.mappings.COMPUTE])).toEqual([['gp1', ['numa1']]]);
  });

  itExplainsEveryRequest(() => env);
});

describe('NUMANetworkFixture: rootRequiredTraits, rootForbiddenTraits, sharing DISK_GB (allocation-candidates-root-required.yaml)', () => {
  let env: TestEnv;
  let w: World;
  beforeAll(async () => {
    env = await freshEnv();
    w = await numaNetworkWorld(env);
  });
  afterAll(async () => env?.close());
  afterEach(async () => assertPlacementInvariants(env));

  it('a root-required trait that only children carry matches no host (Placement: 0)', async () => {
    expect(await candidatesOf(env, w, { resources: res({ VCPU: 1 }), rootRequiredTraits: ['HW_NUMA_ROOT'] })).toEqual(
      [],
    );
  });

  it('the sharing trait as a root requirement: the sharing root has no VCPU (Placement: 0)', async () => {
    expect(
      await candidatesOf(env, w, {
        resources: res({ VCPU: 1, MEMORY_MB: 1024, DISK_GB: 100 }),
        rootRequiredTraits: [SHARING],
      }),
    ).toEqual([]);
  });

  it('multi-attach roots, unnumbered: cn1 only, classes from its NUMA nodes (Placement: 4 on cn1)', async () => {
    const [d] = await described(env, w, {
      resources: res({ VCPU: 1, MEMORY_MB: 1024 }),
      rootRequiredTraits: ['COMPUTE_VOLUME_MULTI_ATTACH'],
    });
    expect(d!.host).toBe('cn1');
    expect(d!.allocation).toContain('numa1/VCPU=1'); // the emptier node
    expect(d!.score).toBe(1);
    expect(
      await candidatesOf(env, w, { resources: res({ VCPU: 1 }), rootRequiredTraits: ['COMPUTE_VOLUME_MULTI_ATTACH'] }),
    ).toHaveLength(1);
  });

  it('multi-attach roots, two groups NONE (Placement: 4) and ISOLATE (Placement: 2, the nodes alternating)', async () => {
    const groups = [
      { name: '1', resources: res({ VCPU: 1 }) },
      { name: '2', resources: res({ MEMORY_MB: 1024 }) },
    ];
    const none = await described(env, w, {
      resources: [],
      groups,
      groupPolicy: 'NONE',
      rootRequiredTraits: ['COMPUTE_VOLUME_MULTI_ATTACH'],
    });
    expect(hosts(none)).toEqual(['cn1']);
    expect(none[0]!.mappings['1']).toEqual(['numa1']);
    expect(['numa0', 'numa1']).toContain(none[0]!.mappings['2']![0]);
    expect(
      await described(env, w, {
        resources: [],
        groups,
        groupPolicy: 'ISOLATE',
        rootRequiredTraits: ['COMPUTE_VOLUME_MULTI_ATTACH'],
      }),
    ).toEqual([
      {
        host: 'cn1',
        mappings: { '1': ['numa1'], '2': ['numa0'] },
        allocation: ['numa0/MEMORY_MB=1024', 'numa1/VCPU=1'],
        score: 1,
      },
    ]);
  });

  it('multi-attach roots with DISK_GB from the sharing provider, unnumbered (Placement: 4)', async () => {
    const [d, ...rest] = await described(env, w, {
      resources: res({ VCPU: 1, MEMORY_MB: 1024, DISK_GB: 100 }),
      rootRequiredTraits: ['COMPUTE_VOLUME_MULTI_ATTACH'],
    });
    expect(rest).toEqual([]);
    expect(d!.host).toBe('cn1');
    expect(d!.mappings['']!.at(-1)).toBe('ss1'); // DISK_GB, the last class, from the sharing provider
    expect(d!.allocation).toContain('ss1/DISK_GB=100');
  });

  it('sharing DISK_GB serving a numbered group, multi-attach roots (Placement: 2)', async () => {
    expect(
      await described(env, w, {
        resources: [],
        groups: [
          { name: '1', resources: res({ VCPU: 1, MEMORY_MB: 1024 }) },
          { name: '2', resources: res({ DISK_GB: 100 }) },
        ],
        groupPolicy: 'NONE',
        rootRequiredTraits: ['COMPUTE_VOLUME_MULTI_ATTACH'],
      }),
    ).toEqual([
      {
        host: 'cn1',
        mappings: { '1': ['numa1'], '2': ['ss1'] },
        allocation: ['numa1/MEMORY_MB=1024', 'numa1/VCPU=1', 'ss1/DISK_GB=100'],
        score: 1,
      },
    ]);
  });

  it('rootForbiddenTraits leaves the other root; a group takes DISK_GB from the host or its sharing partner', async () => {
    const found = await described(env, w, {
      resources: [],
      groups: [
        { name: '1', resources: res({ VCPU: 1 }) },
        { name: '2', resources: res({ DISK_GB: 100 }) },
      ],
      groupPolicy: 'NONE',
      rootForbiddenTraits: ['COMPUTE_VOLUME_MULTI_ATTACH'],
    });
    expect(hosts(found)).toEqual(['cn2']);
    expect(found[0]!.mappings['1']).toEqual(['cn2']);
    expect(['cn2', 'ss1']).toContain(found[0]!.mappings['2']![0]);
    expect(found[0]!.score).toBe(scoreOf(CN2_VCPU, 1));
  });

  it("★ the unnumbered group's required trait is checked on the root (Placement also offers numa1 + ss1 on cn1)", async () => {
    expect(
      await described(env, w, { resources: res({ VCPU: 1, DISK_GB: 100 }), requiredTraits: ['CUSTOM_FOO'] }),
    ).toEqual([
      {
        host: 'cn2',
        mappings: { '': ['cn2'] },
        allocation: ['cn2/DISK_GB=100', 'cn2/VCPU=1'],
        score: scoreOf(CN2_VCPU, 1),
      },
    ]);
  });

  it("a group's required trait is checked on its provider, a root requirement on the root", async () => {
    expect(
      await described(env, w, {
        resources: [],
        groups: [{ name: '1', resources: res({ VCPU: 1 }), requiredTraits: ['CUSTOM_FOO'] }],
        rootRequiredTraits: ['COMPUTE_VOLUME_MULTI_ATTACH'],
      }),
    ).toEqual([{ host: 'cn1', mappings: { '1': ['numa1'] }, allocation: ['numa1/VCPU=1'], score: 1 }]);
  });

  itExplainsEveryRequest(() => env);
});

// ---------------------------------------------------------------------------------------------

describe('★ where we differ from Placement on purpose, and how the best assignment is chosen', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await freshEnv();
  });
  afterAll(async () => env?.close());
  beforeEach(async () => {
    await env.sql(
      'TRUNCATE allocations, consumers, inventories, provider_traits, provider_aggregates, resource_providers, aggregates, cells, idempotency_keys CASCADE',
    );
  });
  afterEach(async () => assertPlacementInvariants(env));

  it('a flat host takes two groups under NONE but not under ISOLATE', async () => {
    const w = await buildWorld(env.db.pool, [{ name: 'flat', inventories: { VCPU: 8, MEMORY_MB: 4096 } }]);
    const groups = [
      { name: 'cpu', resources: res({ VCPU: 2 }) },
      { name: 'mem', resources: res({ MEMORY_MB: 1024 }) },
    ];
    expect(await described(env, w, { resources: [], groups, groupPolicy: 'NONE' })).toEqual([
      {
        host: 'flat',
        mappings: { cpu: ['flat'], mem: ['flat'] },
        allocation: ['flat/MEMORY_MB=1024', 'flat/VCPU=2'],
        score: 1,
      },
    ]);
    expect(await candidatesOf(env, w, { resources: [], groups, groupPolicy: 'ISOLATE' })).toEqual([]);
  });

  it('★ the unit rules apply to the sum a provider serves: two groups of 1 VCPU pass stepSize 2 together, not alone', async () => {
    const w = await buildWorld(env.db.pool, [
      { name: 'stepped', inventories: { VCPU: { total: 8, stepSize: 2 }, MEMORY_MB: { total: 2048, minUnit: 512 } } },
    ]);
    const ones = [
      { name: 'a', resources: res({ VCPU: 1, MEMORY_MB: 256 }) },
      { name: 'b', resources: res({ VCPU: 1, MEMORY_MB: 256 }) },
    ];
    // Placement checks stepSize and minUnit per group and answers nothing here.
    expect(await described(env, w, { resources: [], groups: ones, groupPolicy: 'NONE' })).toEqual([
      {
        host: 'stepped',
        mappings: { a: ['stepped'], b: ['stepped'] },
        allocation: ['stepped/MEMORY_MB=512', 'stepped/VCPU=2'],
        score: 1,
      },
    ]);
    expect(await candidatesOf(env, w, { resources: [], groups: [ones[0]!] })).toEqual([]);
  });

  it('★ one candidate per host: a wide tree with 8 children and 6 isolated groups of 1 is one candidate, on the emptiest children', async () => {
    const children = Array.from({ length: 8 }, (_, i) => ({ name: `c${i}`, inventories: { CUSTOM_VF: 2 } }));
    const w = await buildWorld(env.db.pool, [{ name: 'wide', children }]);
    for (const i of [0, 2, 4, 6]) await use(env.db.pool, w.uuid(`c${i}`), { CUSTOM_VF: 1 });
    const groups = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ name: `g${i}`, resources: res({ CUSTOM_VF: 1 }) }));
    const [d, ...rest] = await described(env, w, { resources: [], groups: groups(6), groupPolicy: 'ISOLATE' });
    expect(rest).toEqual([]);
    const used = Object.values(d!.mappings).map((p) => p[0]!);
    // the four empty children (free share 1) and two of the half-used ones (0.5)
    expect(used.filter((c) => ['c1', 'c3', 'c5', 'c7'].includes(c)).sort()).toEqual(['c1', 'c3', 'c5', 'c7']);
    expect(d!.score).toBe(scoreOf(1, 1, 1, 1, 0.5, 0.5));
    // The same assignment whatever the weigher.
    const [packed] = await candidatesOf(env, w, { resources: [], groups: groups(6), groupPolicy: 'ISOLATE' }, 'PACK');
    expect(packed!.score).toBe(d!.score);
    // 9 isolated groups cannot fit 8 children; 8 can.
    expect(await candidatesOf(env, w, { resources: [], groups: groups(9), groupPolicy: 'ISOLATE' })).toEqual([]);
    expect(await candidatesOf(env, w, { resources: [], groups: groups(8), groupPolicy: 'ISOLATE' })).toHaveLength(1);
  });

  it('the unnumbered group prefers the root, a numbered group the most free provider', async () => {
    const w = await buildWorld(env.db.pool, [
      { name: 'host', inventories: { VCPU: 8 }, children: [{ name: 'child', inventories: { VCPU: 8 } }] },
    ]);
    await use(env.db.pool, w.uuid('host'), { VCPU: 6 });
    expect(
      await described(env, w, {
        resources: res({ VCPU: 1 }),
        groups: [{ name: 'g', resources: res({ VCPU: 1 }) }],
      }),
    ).toEqual([
      {
        host: 'host',
        mappings: { '': ['host'], g: ['child'] },
        allocation: ['child/VCPU=1', 'host/VCPU=1'],
        score: scoreOf(0.25, 1),
      },
    ]);
  });

  it.each(['NONE', 'ISOLATE'] as const)(
    'a resourceless group may be served by a sharing partner: it is mapped there and allocates nothing (%s)',
    async (policy) => {
      // A flat host; its only partner holds no requested class, and serves the resourceless group alone.
      const w = await buildWorld(env.db.pool, [
        { name: 'host', aggregates: ['agg'], inventories: { VCPU: 8 } },
        { name: 'storage', aggregates: ['agg'], traits: [SHARING, 'CUSTOM_DISK_SSD'], inventories: { DISK_GB: 100 } },
      ]);
      expect(
        await described(env, w, {
          resources: [],
          groups: [
            { name: 'cpu', resources: res({ VCPU: 1 }) },
            { name: 'ssd', resources: [], requiredTraits: ['CUSTOM_DISK_SSD'] },
          ],
          groupPolicy: policy,
        }),
      ).toEqual([
        { host: 'host', mappings: { cpu: ['host'], ssd: ['storage'] }, allocation: ['host/VCPU=1'], score: 1 },
      ]);
    },
  );

  it('the unnumbered group leaves the root when a numbered group needs the root: validity before preference', async () => {
    // The group needs 4 VCPU, which only the root has; the unnumbered 2 VCPU then go to the child.
    const w = await buildWorld(env.db.pool, [
      { name: 'host', inventories: { VCPU: 4 }, children: [{ name: 'child', inventories: { VCPU: 2 } }] },
    ]);
    expect(
      await described(env, w, { resources: res({ VCPU: 2 }), groups: [{ name: 'big', resources: res({ VCPU: 4 }) }] }),
    ).toEqual([
      {
        host: 'host',
        mappings: { '': ['child'], big: ['host'] },
        allocation: ['child/VCPU=2', 'host/VCPU=4'],
        score: 1,
      },
    ]);
  });

  it('ISOLATE is a matching, not a greedy pick: the emptiest provider goes to the group only it can serve', async () => {
    // `any` prefers a (free share 1) over b (0.5), but `gold` can only use a.
    const w = await buildWorld(env.db.pool, [
      {
        name: 'host',
        children: [
          { name: 'a', traits: ['CUSTOM_FOO'], inventories: { VCPU: 8 } },
          { name: 'b', inventories: { VCPU: 8 } },
        ],
      },
    ]);
    await use(env.db.pool, w.uuid('b'), { VCPU: 4 });
    expect(
      await described(env, w, {
        resources: [],
        groups: [
          { name: 'any', resources: res({ VCPU: 1 }) },
          { name: 'gold', resources: res({ VCPU: 1 }), requiredTraits: ['CUSTOM_FOO'] },
        ],
        groupPolicy: 'ISOLATE',
      }),
    ).toEqual([
      {
        host: 'host',
        mappings: { any: ['b'], gold: ['a'] },
        allocation: ['a/VCPU=1', 'b/VCPU=1'],
        score: scoreOf(0.5, 1),
      },
    ]);
  });

  it('a sharing provider is its own root for sameSubtree: a list spanning it and the tree fails; both groups on it pass', async () => {
    const w = await buildWorld(env.db.pool, [
      { name: 'host', aggregates: ['agg'], inventories: { VCPU: 8 } },
      { name: 'pool', aggregates: ['agg'], traits: [SHARING], inventories: { DISK_GB: 1000, CUSTOM_NET_MBPS: 100 } },
    ]);
    const groups = [
      { name: 'cpu', resources: res({ VCPU: 1 }) },
      { name: 'disk', resources: res({ DISK_GB: 10 }) },
      { name: 'net', resources: res({ CUSTOM_NET_MBPS: 10 }) },
    ];
    expect(
      await candidatesOf(env, w, { resources: [], groups, groupPolicy: 'NONE', sameSubtree: [['cpu', 'disk']] }),
    ).toEqual([]);
    expect(
      await described(env, w, { resources: [], groups, groupPolicy: 'NONE', sameSubtree: [['disk', 'net']] }),
    ).toEqual([
      {
        host: 'host',
        mappings: { cpu: ['host'], disk: ['pool'], net: ['pool'] },
        allocation: ['host/VCPU=1', 'pool/CUSTOM_NET_MBPS=10', 'pool/DISK_GB=10'],
        score: 1,
      },
    ]);
  });

  it("a group's anyOfTraits and forbiddenAggregates are checked on its provider", async () => {
    const w = await buildWorld(env.db.pool, [
      {
        name: 'host',
        aggregates: ['blue'],
        children: [
          { name: 'p_foo', traits: ['CUSTOM_FOO'], aggregates: ['red'], inventories: { CUSTOM_VF: 4 } },
          { name: 'p_ssd', traits: ['CUSTOM_DISK_SSD'], inventories: { CUSTOM_VF: 4 } },
          { name: 'p_none', inventories: { CUSTOM_VF: 4 } },
        ],
      },
    ]);
    await use(env.db.pool, w.uuid('p_none'), { CUSTOM_VF: 1 });
    const vf = (extra: Record<string, unknown>) => ({
      resources: [],
      groups: [{ name: 'vf', resources: res({ CUSTOM_VF: 1 }), ...extra }],
    });
    const servedBy = async (extra: Record<string, unknown>) =>
      (await described(env, w, vf(extra))).map((d) => d.mappings.vf![0]);
    // without filters the two empty PFs tie (free share 1); p_none is 3/4 free
    expect(['p_foo', 'p_ssd']).toContain((await servedBy({}))[0]);
    expect(await servedBy({ anyOfTraits: [['CUSTOM_DISK_SSD', 'CUSTOM_PHYSNET1']] })).toEqual(['p_ssd']);
    expect(await servedBy({ forbiddenAggregates: [w.aggregate('red')] })).toEqual(['p_ssd']);
    // the host's own aggregate does not count for its children
    expect(await servedBy({ memberOf: [[w.aggregate('blue')]] })).toEqual([]);
    expect(await servedBy({ forbiddenAggregates: [w.aggregate('red')], forbiddenTraits: ['CUSTOM_DISK_SSD'] })).toEqual(
      ['p_none'],
    );
  });

  it("SPREAD and PACK order hosts by the same assignments' scores", async () => {
    const tree = (name: string): NodeSpec => ({
      name,
      children: [
        { name: `${name}_n0`, traits: ['HW_NUMA_ROOT'], inventories: { VCPU: 4 } },
        { name: `${name}_n1`, traits: ['HW_NUMA_ROOT'], inventories: { VCPU: 4 } },
      ],
    });
    const w = await buildWorld(env.db.pool, [tree('a'), tree('b')]);
    await use(env.db.pool, w.uuid('a_n0'), { VCPU: 2 });
    const request: GroupedRequest = {
      resources: [],
      groups: [
        { name: 'x', resources: res({ VCPU: 1 }), requiredTraits: ['HW_NUMA_ROOT'] },
        { name: 'y', resources: res({ VCPU: 1 }), requiredTraits: ['HW_NUMA_ROOT'] },
      ],
      groupPolicy: 'ISOLATE',
    };
    const spread = (await candidatesOf(env, w, request, 'SPREAD')).map((c) => describeCandidate(w, c));
    expect(spread.map((d) => [d.host, d.score])).toEqual([
      ['b', 1],
      ['a', scoreOf(0.5, 1)],
    ]);
    const pack = (await candidatesOf(env, w, request, 'PACK')).map((c) => describeCandidate(w, c));
    expect(pack.map((d) => [d.host, d.score])).toEqual([
      ['a', scoreOf(0.5, 1)],
      ['b', 1],
    ]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('claim and reschedule write grouped, multi-provider allocations exactly', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await freshEnv();
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

  const consumer = () => ({ consumerUuid: randomUUID(), projectId: 'p', userId: 'u' });

  /** Every consumer's allocation lines by provider name. */
  async function stored(w: World): Promise<Map<string, string[]>> {
    const rows = await consumersInDatabase(env);
    return new Map(
      [...rows].map(([uuid, c]) => [
        uuid,
        c.lines
          .map((l) => {
            const [provider, rest] = l.split('/') as [string, string];
            return `${w.name(provider)}/${rest}`;
          })
          .sort(),
      ]),
    );
  }

  it("a claim writes the candidate's allocation request on every provider of the tree, with its mappings; the next one finds no room", async () => {
    const w = await numaNetworkWorld(env);
    const request: GroupedRequest = {
      resources: [],
      groups: [
        { name: 'NUMA', resources: [], requiredTraits: ['HW_NUMA_ROOT'] },
        { name: 'COMPUTE', resources: res({ VCPU: 2, MEMORY_MB: 512 }) },
        { name: 'FPGA', resources: res({ FPGA: 1 }) },
        { name: 'GPU', resources: res({ VGPU: 1 }) },
        { name: 'NET1', resources: res({ [BW]: 100 }), requiredTraits: ['CUSTOM_PHYSNET1'] },
      ],
      groupPolicy: 'NONE',
      sameSubtree: [['NUMA', 'COMPUTE', 'GPU', 'FPGA']],
    };
    const [candidate] = await candidatesOf(env, w, request);
    const first = consumer();
    const [selection] = await claim(env.db, { consumers: [first], request, alternates: 3 });
    expect(w.name(selection!.providerUuid)).toBe('cn1');
    expect(mappingNames(w, selection!.mappings)).toEqual({
      NUMA: ['numa0'],
      COMPUTE: ['numa0'],
      FPGA: ['fpga0'],
      GPU: ['pgpu0'],
      NET1: ['esn1'],
    });
    const written = [`esn1/${BW}=100`, 'fpga0/FPGA=1', 'numa0/MEMORY_MB=512', 'numa0/VCPU=2', 'pgpu0/VGPU=1'];
    expect(lines(w, selection!.allocations)).toEqual(written);
    expect(lines(w, allocationRequestOf(candidate!))).toEqual(written);
    expect(selection!.alternates).toEqual([]); // no other host can take it
    expect((await stored(w)).get(first.consumerUuid)).toEqual(written);
    // numa0's VCPU and fpga0 are full now: nothing else can serve the NUMA-bound groups.
    const second = consumer();
    await expect(claim(env.db, { consumers: [second], request, alternates: 0 })).rejects.toBeInstanceOf(
      NoValidHostError,
    );
    expect((await stored(w)).has(second.consumerUuid)).toBe(false);
  });

  /** Three equal NUMA hosts: two nodes with VCPU/MEMORY_MB, each with a PHYSNET1 PF of 4 VFs. */
  async function numaHosts(count: number): Promise<World> {
    const host = (h: number): NodeSpec => ({
      name: `h${h}`,
      children: [0, 1].map((n) => ({
        name: `h${h}_numa${n}`,
        traits: ['HW_NUMA_ROOT'],
        inventories: { VCPU: 8, MEMORY_MB: 4096 },
        children: [{ name: `h${h}_pf${n}`, traits: ['CUSTOM_PHYSNET1'], inventories: { SRIOV_NET_VF: 4 } }],
      })),
    });
    return buildWorld(
      env.db.pool,
      Array.from({ length: count }, (_, h) => host(h)),
    );
  }
  const numaPair: GroupedRequest = {
    resources: [],
    groups: [
      { name: 'numa_a', resources: res({ VCPU: 2, MEMORY_MB: 1024 }), requiredTraits: ['HW_NUMA_ROOT'] },
      { name: 'numa_b', resources: res({ VCPU: 2, MEMORY_MB: 1024 }), requiredTraits: ['HW_NUMA_ROOT'] },
      { name: 'vf', resources: res({ SRIOV_NET_VF: 1 }), requiredTraits: ['CUSTOM_PHYSNET1'] },
    ],
    groupPolicy: 'ISOLATE',
    sameSubtree: [['numa_a', 'vf']],
  };

  /** An alternate's (or selection's) mapping, checked against the request's structure. */
  function expectGroupedOn(w: World, host: string, mappings: { group: string; providerUuids: string[] }[]) {
    const m = mappingNames(w, mappings);
    expect(Object.keys(m)).toEqual(['numa_a', 'numa_b', 'vf']);
    expect([m.numa_a![0], m.numa_b![0]].sort()).toEqual([`${host}_numa0`, `${host}_numa1`]);
    expect(m.vf![0]).toBe(m.numa_a![0]!.replace('numa', 'pf'));
  }

  it('alternates carry mappings; reschedule moves the multi-provider allocation atomically and echoes them', async () => {
    const w = await numaHosts(3);
    const c = consumer();
    const [selection] = await claim(env.db, { consumers: [c], request: numaPair, alternates: 2 });
    const chosen = w.name(selection!.providerUuid);
    expectGroupedOn(w, chosen, selection!.mappings);
    expect(selection!.alternates).toHaveLength(2);
    for (const alternate of selection!.alternates) {
      const host = w.name(alternate.providerUuid);
      expectGroupedOn(w, host, alternate.mappings);
      const m = mappingNames(w, alternate.mappings);
      expect(lines(w, alternate.allocations)).toEqual(
        [
          `${m.numa_a![0]}/MEMORY_MB=1024`,
          `${m.numa_a![0]}/VCPU=2`,
          `${m.numa_b![0]}/MEMORY_MB=1024`,
          `${m.numa_b![0]}/VCPU=2`,
          `${m.vf![0]}/SRIOV_NET_VF=1`,
        ].sort(),
      );
    }
    const before = (await stored(w)).get(c.consumerUuid)!;
    expect(before).toEqual(lines(w, selection!.allocations));
    expect(before.every((l) => l.startsWith(`${chosen}_`))).toBe(true);

    const target = selection!.alternates[0]!;
    const moved = await reschedule(env.db.pool, {
      consumerUuid: c.consumerUuid,
      consumerGeneration: selection!.consumerGeneration,
      alternates: selection!.alternates.map((a) => ({
        providerUuid: a.providerUuid,
        allocations: a.allocations,
        mappings: a.mappings,
      })),
    });
    expect(moved.providerUuid).toBe(target.providerUuid);
    expect(moved.mappings).toEqual(target.mappings);
    expect(lines(w, moved.allocations)).toEqual(lines(w, target.allocations));
    expect((await stored(w)).get(c.consumerUuid)).toEqual(lines(w, target.allocations));
    // The old tree is wholly free again.
    const [row] = await env.sql<{ used: number }>(
      `SELECT coalesce(sum(i.used), 0)::int AS used FROM inventories i JOIN resource_providers p ON p.id = i.provider_id
        WHERE p.root_provider_id = (SELECT id FROM resource_providers WHERE uuid = $1)`,
      [selection!.providerUuid],
    );
    expect(row!.used).toBe(0);
  });

  it('reschedule skips an alternate whose tree has filled up since, and lands whole on the next', async () => {
    const w = await numaHosts(3);
    const c = consumer();
    const [selection] = await claim(env.db, { consumers: [c], request: numaPair, alternates: 2 });
    const [full, next] = selection!.alternates as [Alternate, Alternate];
    const fullHost = w.name(full.providerUuid);
    // Fill one NUMA node of the first alternate: its allocation request no longer fits.
    await use(env.db.pool, w.uuid(`${fullHost}_numa0`), { VCPU: 7 });
    const moved = await reschedule(env.db.pool, {
      consumerUuid: c.consumerUuid,
      consumerGeneration: selection!.consumerGeneration,
      alternates: [full, next].map((a) => ({
        providerUuid: a.providerUuid,
        allocations: a.allocations,
        mappings: a.mappings,
      })),
    });
    expect(moved.providerUuid).toBe(next.providerUuid);
    expect(moved.hostsTried).toBe(2);
    expect(moved.mappings).toEqual(next.mappings);
    expect((await stored(w)).get(c.consumerUuid)).toEqual(lines(w, next.allocations));
  });

  it('several consumers in one claim: all placed, each on its own tree with its own mappings, or none', async () => {
    const w = await numaHosts(3);
    const consumers = [consumer(), consumer()];
    const selections = await claim(env.db, { consumers, request: numaPair, alternates: 1 });
    expect(selections.map((s) => s.consumerUuid)).toEqual(consumers.map((c) => c.consumerUuid));
    const hostsTaken = selections.map((s) => w.name(s.providerUuid));
    expect(new Set(hostsTaken).size).toBe(2);
    const db = await stored(w);
    for (const s of selections) {
      expectGroupedOn(w, w.name(s.providerUuid), s.mappings);
      expect(db.get(s.consumerUuid)).toEqual(lines(w, s.allocations));
    }
    // Several consumers go to different hosts: four cannot all be placed on three, so none is.
    const before = await stored(w);
    const tooMany = [consumer(), consumer(), consumer(), consumer()];
    await expect(claim(env.db, { consumers: tooMany, request: numaPair, alternates: 0 })).rejects.toBeInstanceOf(
      NoValidHostError,
    );
    expect(await stored(w)).toEqual(before);
  });

  it('an idempotent replay of a grouped claim answers the same selection, mappings included, and writes nothing', async () => {
    const w = await numaHosts(2);
    const input = {
      consumers: [consumer()],
      request: numaPair,
      alternates: 1,
      idempotencyKey: `groups-${randomUUID()}`,
    };
    const first = await claim(env.db, input);
    const before = await stored(w);
    const replay = await claim(env.db, input);
    expect(replay).toEqual(first);
    expect(replay[0]!.mappings.length).toBe(3);
    expect(await stored(w)).toEqual(before);
  });

  it('groups sharing a provider are written as one row per (provider, class) holding the sum', async () => {
    const w = await buildWorld(env.db.pool, [{ name: 'flat', inventories: { VCPU: 8, MEMORY_MB: 4096 } }]);
    const c = consumer();
    const [selection] = await claim(env.db, {
      consumers: [c],
      request: {
        resources: res({ VCPU: 3, MEMORY_MB: 512 }),
        groups: [
          { name: '1', resources: res({ VCPU: 1, MEMORY_MB: 1024 }) },
          { name: '2', resources: res({ VCPU: 2 }) },
        ],
        groupPolicy: 'NONE',
      },
      alternates: 0,
    });
    expect(mappingNames(w, selection!.mappings)).toEqual({ '': ['flat'], '1': ['flat'], '2': ['flat'] });
    expect(lines(w, selection!.allocations)).toEqual(['flat/MEMORY_MB=1536', 'flat/VCPU=6']);
    const rows = await env.sql<{ class: string; used: number }>(
      `SELECT rc.name AS class, a.used FROM allocations a JOIN resource_classes rc ON rc.id = a.resource_class_id
        JOIN consumers c ON c.id = a.consumer_id WHERE c.uuid = $1 ORDER BY rc.name`,
      [c.consumerUuid],
    );
    expect(rows).toEqual([
      { class: 'MEMORY_MB', used: 1536 },
      { class: 'VCPU', used: 6 },
    ]);
  });
});
