/**
 * Placement's functional tests of GET /allocation_candidates (placement/tests/functional/gabbits/
 * in openstack/placement), re-expressed as differential scenarios: each YAML file's fixture is
 * built through the REST API on the real Placement 8.0 and on our gateway, then each of its
 * requests is sent to both and the answers compared (status, normalised body, headers that matter).
 * Where upstream's YAML checks a few JSON paths, we compare whole answers, which is stricter.
 *
 * Files here: allocation-candidates.yaml, shared-resources.yaml, allocation-candidates-member-of.yaml,
 * allocation-candidates-root-required.yaml, allocation-candidates-any-traits.yaml,
 * allocation-candidates-any-traits-groups.yaml, allocation-candidates-bug-1792503.yaml,
 * allocation-candidates-mappings-numa.yaml, allocation-candidates-mappings-sharing.yaml.
 * Granular and same_subtree files are in test/gabbits-granular.test.ts. Two scenarios go beyond
 * the YAML, on its fixtures: a sharing provider reached only through a child's aggregate (a bug
 * of ours, fixed), and group_policy=isolate with a class in the unnumbered and a numbered group
 * (a Placement bug we do not copy: allow-list placement-isolate-shared-class-aliasing).
 *
 * Skipped: nothing in these files; every request of them is sent (all at microversions ≤ 1.39).
 */
import { describe, expect, it } from 'vitest';
import {
  candidates,
  candidatesPair,
  expectSameAnswers,
  limited,
  refused,
  type Step,
} from './support/gabbit-candidates.js';
import { granularFixture } from './support/gabbit-fixtures/granular-fixture.js';
import { neutronQosMultiSegmentFixture } from './support/gabbit-fixtures/neutron-qos-multi-segment-fixture.js';
import { NON_SHARED_STORAGE, nonSharedStorageFixture } from './support/gabbit-fixtures/non-shared-storage-fixture.js';
import { NUMA_AGGREGATE, numaAggregateFixture } from './support/gabbit-fixtures/numa-aggregate-fixture.js';
import { numaNetworkFixture } from './support/gabbit-fixtures/numa-network-fixture.js';
import { SHARED_STORAGE, sharedStorageFixture } from './support/gabbit-fixtures/shared-storage-fixture.js';

/** Each scenario asks for its fixture; read-only scenarios on one fixture share one build. */
const { pair, fixtures } = candidatesPair();

describe('allocation-candidates.yaml (SharedStorageFixture)', () => {
  const u = SHARED_STORAGE;
  const full = 'resources=VCPU:1,MEMORY_MB:1024,DISK_GB:100';

  it('validation, microversion formats, limits, traits, nested and in_tree', async () => {
    await fixtures.readOnly(sharedStorageFixture);
    const steps: Step[] = [
      // list traits; before the microversion; empty, missing, bad class; bad limits
      ['GET', '/traits', { version: '1.10' }, { status: 200 }],
      refused('1.8', 'resources=VCPU:1', 404),
      refused('1.10', 'resources='),
      refused('1.10', ''),
      refused('1.10', 'resources=MCPU:99'),
      refused('1.15', 'resources=VCPU:1&limit=5'),
      refused('1.16', 'resources=VCPU:1&limit=cow'),
      refused('1.16', 'resources=VCPU:1&limit=-99'),
      refused('1.16', 'resources=VCPU:1&limit=0'),
      // no allocations yet (list-list format), 1.12 dict format, cache headers at 1.15
      candidates('1.10', full, 5),
      candidates('1.12', full, 5),
      candidates('1.15', full, 5),
      // limit, and multiple limits (the first one wins)
      limited('1.16', `${full}&limit=1`, 1),
      candidates('1.16', `${full}&limit=10&limit=1`, 5),
      // required traits: too old, no traits summary before 1.17, invalid, empty, malformed, forbidden too early
      refused('1.16', `${full}&required=HW_CPU_X86_SSE`),
      candidates('1.16', full, 5),
      refused('1.17', `${full}&required=INVALID_TRAIT`),
      refused('1.17', `${full}&required=`),
      refused('1.22', `${full}&required=`),
      refused('1.17', `${full}&required=,,`),
      refused('1.17', `${full}&required=!CUSTOM_MAGIC`),
      // required, forbidden, several required, required with no match
      candidates('1.17', `${full}&required=HW_CPU_X86_SSE`, 2),
      candidates('1.22', `${full}&required=!HW_CPU_X86_SSE`, 3),
      candidates('1.17', `${full}&required=HW_CPU_X86_SSE,HW_CPU_X86_SSE2`, 2),
      candidates('1.17', `${full}&required=HW_CPU_X86_SSE3`, 0),
      // provider summaries: requested classes only before 1.27, all from 1.27; root/parent from 1.29
      candidates('1.26', 'resources=VCPU:1', 2),
      candidates('1.27', 'resources=VCPU:1', 2),
      candidates('1.28', 'resources=VCPU:1', 2),
      candidates('1.29', 'resources=VCPU:1', 2),
      // nested providers: only nested, root and nested, nested with limit, shared and nested
      candidates('1.28', 'resources=SRIOV_NET_VF:4', 4),
      candidates('1.29', 'resources=SRIOV_NET_VF:4', 4),
      candidates('1.28', 'resources=VCPU:1,SRIOV_NET_VF:4', 0),
      candidates('1.29', 'resources=VCPU:1,SRIOV_NET_VF:4', 4),
      limited('1.29', 'resources=VCPU:1,SRIOV_NET_VF:4&limit=1', 1),
      candidates('1.28', 'resources=DISK_GB:10,SRIOV_NET_VF:4', 8),
      // in_tree: too old, invalid uuid, root, child, with sharing providers
      refused('1.30', `resources=VCPU:1,SRIOV_NET_VF:4&in_tree=${u.CN1}`),
      refused('1.31', 'resources=VCPU:1,SRIOV_NET_VF:4&in_tree=life-is-beautiful'),
      candidates('1.31', `resources=VCPU:1,SRIOV_NET_VF:4&in_tree=${u.CN1}`, 2),
      candidates('1.31', `resources=VCPU:1,SRIOV_NET_VF:4&in_tree=${u.PF1_2}`, 2),
      candidates('1.31', `resources=VCPU:1,DISK_GB:10&in_tree=${u.CN1}`, 0),
      candidates('1.31', `resources=VCPU:1,DISK_GB:10&in_tree=${u.CN2}`, 1),
      candidates('1.31', `resources=VCPU:1,DISK_GB:10&in_tree=${u.SS}`, 0),
      // granular in_tree<N>
      refused('1.31', `resources=VCPU:1&in_tree1=${u.CN1}`),
      candidates('1.31', `resources1=VCPU:1&in_tree1=${u.CN1}`, 1),
      candidates('1.31', `resources1=VCPU:1&in_tree1=${u.PF1_1}`, 1),
      candidates('1.31', `resources1=SRIOV_NET_VF:4&in_tree1=${u.CN1}`, 2),
      candidates('1.31', `resources1=SRIOV_NET_VF:4&in_tree1=${u.PF1_1}`, 2),
      candidates('1.31', `resources=VCPU:1&resources1=DISK_GB:10&in_tree1=${u.CN1}`, 0),
      candidates('1.31', `resources=VCPU:1&resources1=DISK_GB:10&in_tree1=${u.CN2}`, 1),
      candidates('1.31', `resources=VCPU:1&resources1=DISK_GB:10&in_tree1=${u.SS}`, 2),
      candidates('1.31', `resources=VCPU:1&in_tree=${u.CN1}&resources1=DISK_GB:10`, 2),
      candidates('1.31', `resources=VCPU:1&in_tree=${u.CN2}&resources1=DISK_GB:10`, 3),
      candidates(
        '1.31',
        `resources1=VCPU:1&in_tree1=${u.CN1}&resources2=DISK_GB:10&in_tree2=${u.SS}&group_policy=none`,
        1,
      ),
    ];
    await expectSameAnswers(pair(), steps);
  });
});

describe('shared-resources.yaml (empty start)', () => {
  // The YAML's own uuids: a sharing provider counts only once it is in the aggregate AND has the trait.
  const CN1 = '8d830468-6395-46b0-b56a-f934a1d60bbe';
  const CN2 = 'ed6ea55d-01ce-4e11-ba97-13a4e5540b3e';
  const SHARED = 'd450bd39-3b01-4355-9ea1-594f96594cf1';
  const AGG = 'f3dc0f36-97d4-4daf-be0c-d71466da9c85';
  const V = 'latest';

  it('a custom class from a sharing provider: no aggregate, no trait, then both', async () => {
    await fixtures.empty();
    const magic = 'resources=VCPU:1,CUSTOM_MAGIC:1';
    const steps: Step[] = [
      ['POST', '/resource_providers', { version: V, body: { name: 'cn1', uuid: CN1 } }, { status: 200 }],
      [
        'PUT',
        `/resource_providers/${CN1}/inventories`,
        {
          version: V,
          body: { resource_provider_generation: 0, inventories: { VCPU: { total: 20 }, MEMORY_MB: { total: 100000 } } },
        },
        { status: 200 },
      ],
      ['POST', '/resource_providers', { version: V, body: { name: 'cn2', uuid: CN2 } }, { status: 200 }],
      [
        'PUT',
        `/resource_providers/${CN2}/inventories`,
        {
          version: V,
          body: {
            resource_provider_generation: 0,
            inventories: { VCPU: { total: 20 }, MEMORY_MB: { total: 100000 }, DISK_GB: { total: 100000 } },
          },
        },
        { status: 200 },
      ],
      ['PUT', '/resource_classes/CUSTOM_MAGIC', { version: V }, { status: 201 }],
      [
        'POST',
        '/resource_providers',
        { version: V, body: { uuid: SHARED, name: 'custom magic share' } },
        { status: 200 },
      ],
      [
        'PUT',
        `/resource_providers/${SHARED}/inventories`,
        { version: V, body: { resource_provider_generation: 0, inventories: { CUSTOM_MAGIC: { total: 5 } } } },
        { status: 200 },
      ],
      ['GET', `/resource_providers?${magic}`, { version: V }, { status: 200 }],
      candidates(V, magic, 0),
      [
        'PUT',
        `/resource_providers/${SHARED}/aggregates`,
        { version: V, body: { aggregates: [AGG], resource_provider_generation: 1 } },
        { status: 200 },
      ],
      [
        'PUT',
        `/resource_providers/${CN1}/aggregates`,
        { version: V, body: { aggregates: [AGG], resource_provider_generation: 1 } },
        { status: 200 },
      ],
      ['GET', `/resource_providers?${magic}`, { version: V }, { status: 200 }],
      candidates(V, magic, 0),
      [
        'PUT',
        `/resource_providers/${SHARED}/traits`,
        { version: V, body: { resource_provider_generation: 2, traits: ['MISC_SHARES_VIA_AGGREGATE'] } },
        { status: 200 },
      ],
      // GET /resource_providers wants one provider to hold everything; candidates combine with sharing.
      ['GET', `/resource_providers?${magic}`, { version: V }, { status: 200 }],
      candidates(V, magic, 1),
    ];
    await expectSameAnswers(pair(), steps);
  });
});

describe('allocation-candidates-member-of.yaml (NonSharedStorageFixture)', () => {
  const u = NON_SHARED_STORAGE;
  const full = 'resources=VCPU:1,MEMORY_MB:1024,DISK_GB:100';
  const aggregates = (provider: string, generation: number, aggs: string[]): Step => [
    'PUT',
    `/resource_providers/${provider}/aggregates`,
    { version: '1.24', body: { aggregates: aggs, resource_provider_generation: generation } },
    { status: 200 },
  ];

  it('member_of validation, any-of, all-of and forbidden aggregates as providers join them', async () => {
    // Each compute node ends its fixture at generation 1 (one inventory write).
    const generations = await fixtures.writable(nonSharedStorageFixture);
    const steps: Step[] = [
      refused('1.18', `resources=VCPU:1&member_of=in:${u.AGGA},${u.AGGB}`),
      refused('1.24', `${full}&member_of=INVALID_UUID`),
      refused('1.24', `${full}&member_of=${u.AGGA},${u.AGGB}`),
      refused('1.24', `${full}&member_of=in:${u.AGGA},INVALID_UUID`),
      refused('1.24', `&member_of=in:&${full}`),
      candidates('1.24', `${full}&member_of=${u.AGGA}`, 0),
      ['GET', `/resource_providers/${u.CN1}`, { version: '1.24' }, { status: 200 }],
      aggregates(u.CN1, generations.get(u.CN1)!, [u.AGGA]),
      candidates('1.24', `${full}&member_of=in:${u.AGGA},${u.AGGB}`, 1),
      ['GET', `/resource_providers/${u.CN2}`, { version: '1.24' }, { status: 200 }],
      aggregates(u.CN2, generations.get(u.CN2)!, [u.AGGB]),
      candidates('1.24', `${full}&member_of=in:${u.AGGA},${u.AGGB}`, 2),
      candidates('1.24', `${full}&member_of=${u.AGGC}`, 0),
      ['GET', `/resource_providers/${u.CN1}`, { version: '1.24' }, { status: 200 }],
      aggregates(u.CN1, generations.get(u.CN1)! + 1, [u.AGGA, u.AGGC]),
      candidates('1.24', `${full}&member_of=in:${u.AGGA},${u.AGGB}`, 2),
      refused('1.23', `${full}&member_of=${u.AGGA}&member_of=${u.AGGB}`),
      candidates('1.24', `${full}&member_of=${u.AGGA}&member_of=${u.AGGB}`, 0),
      aggregates(u.CN2, generations.get(u.CN2)! + 1, [u.AGGA, u.AGGB]),
      candidates('1.24', `${full}&member_of=${u.AGGA}&member_of=${u.AGGB}`, 1),
      // forbidden aggregates (1.32)
      refused('1.31', `resources=VCPU:1&member_of=!${u.AGGA}`),
      refused('1.31', `resources=VCPU:1&member_of=!in:${u.AGGA}`),
      refused('1.32', `member_of=!${u.AGGA}`),
      refused('1.32', 'resources=VCPU:1&member_of=!(^o^)'),
      refused('1.32', `resources=VCPU:1&member_of=in:${u.AGGA},!${u.AGGB}`),
      candidates('1.32', `resources=VCPU:1&member_of=!${u.AGGC}`, 2),
      candidates('1.32', `resources=VCPU:1&member_of=!in:${u.AGGB},${u.AGGC}`, 1),
      candidates('1.32', `resources=VCPU:1&member_of=!${u.AGGB}&member_of=${u.AGGC}`, 1),
      candidates('1.32', `resources=VCPU:1&member_of=!in:${u.AGGB},${u.AGGC}&member_of=${u.AGGA}`, 0),
      candidates('1.32', `resources=VCPU:1&member_of=!${u.AGGB}&member_of=in:${u.AGGB},${u.AGGC}`, 1),
      candidates('1.32', `resources=VCPU:1&member_of=!${u.AGGB}&member_of=${u.AGGB}`, 0),
    ];
    await expectSameAnswers(pair(), steps);
  });
});

describe('allocation-candidates-root-required.yaml (NUMANetworkFixture)', () => {
  const V = '1.35';
  const full = 'resources=VCPU:1,MEMORY_MB:1024,DISK_GB:100';

  it('root_required: validation, required and forbidden traits on roots, with granular groups', async () => {
    await fixtures.readOnly(numaNetworkFixture);
    const steps: Step[] = [
      refused('1.34', 'resources=VCPU:1&root_required=HW_CPU_X86_AVX2'),
      refused(V, 'resources=VCPU:1&root_required=HW_CPU_X86_AVX2,HW_CPU_X86_SSE,!HW_CPU_X86_AVX2'),
      refused(V, 'resources=VCPU:1&root_required=CUSTOM_NO_EXIST,HW_CPU_X86_SSE,!HW_CPU_X86_AVX'),
      refused(V, 'resources=VCPU:1&root_required=!CUSTOM_NO_EXIST,HW_CPU_X86_SSE,!HW_CPU_X86_AVX'),
      refused(V, 'resources=VCPU:1&root_required=MISC_SHARES_VIA_AGGREGATE&root_required=!HW_NUMA_ROOT'),
      candidates(V, 'resources=VCPU:1&root_required=HW_NUMA_ROOT', 0),
      candidates(V, `${full}&root_required=MISC_SHARES_VIA_AGGREGATE`, 0),
      candidates(V, `${full}&root_required=HW_NUMA_ROOT`, 0),
      candidates(V, `${full}&root_required=HW_CPU_X86_AVX2`, 0),
      candidates(V, 'resources=VCPU:1,MEMORY_MB:1024&root_required=COMPUTE_VOLUME_MULTI_ATTACH', 4),
      candidates(
        V,
        'resources1=VCPU:1&resources2=MEMORY_MB:1024&group_policy=none&root_required=COMPUTE_VOLUME_MULTI_ATTACH',
        4,
      ),
      candidates(
        V,
        'resources1=VCPU:1&resources2=MEMORY_MB:1024&group_policy=isolate&root_required=COMPUTE_VOLUME_MULTI_ATTACH',
        2,
      ),
      candidates(V, `${full}&root_required=COMPUTE_VOLUME_MULTI_ATTACH`, 4),
      candidates(
        V,
        'resources1=VCPU:1,MEMORY_MB:1024&resources2=DISK_GB:100&&group_policy=none&root_required=COMPUTE_VOLUME_MULTI_ATTACH',
        2,
      ),
      // a trait on cn2 (a root) and on numa1 (a child): required vs root_required, unsuffixed and suffixed
      candidates(V, 'resources=VCPU:1,DISK_GB:100&required=CUSTOM_FOO', 3),
      candidates(V, 'resources=VCPU:1,DISK_GB:100&root_required=CUSTOM_FOO', 2),
      candidates(V, 'resources1=VCPU:1&required1=CUSTOM_FOO&resources2=DISK_GB:100&group_policy=none', 3),
      candidates(V, 'resources1=VCPU:1&resources2=DISK_GB:100&group_policy=none&root_required=CUSTOM_FOO', 2),
      // forbidden root traits
      candidates(V, 'resources=VCPU:3&root_required=!HW_NUMA_ROOT', 2),
      candidates(V, `${full}&root_required=!MISC_SHARES_VIA_AGGREGATE`, 6),
      candidates(V, `${full}&root_required=CUSTOM_FOO,!HW_NUMA_ROOT`, 2),
      candidates(V, `${full}&root_required=CUSTOM_FOO,!COMPUTE_VOLUME_MULTI_ATTACH`, 2),
      candidates(V, `${full}&root_required=!CUSTOM_FOO,!COMPUTE_VOLUME_MULTI_ATTACH`, 0),
      candidates(
        V,
        'resources1=VCPU:1,MEMORY_MB:1024&resources2=DISK_GB:100&&group_policy=none&root_required=!CUSTOM_FOO',
        2,
      ),
      // root_required beside group-level required of the same trait
      candidates(V, 'resources=VCPU:1&required=CUSTOM_FOO&root_required=CUSTOM_FOO', 1),
      candidates(V, 'resources1=VCPU:1&required1=CUSTOM_FOO&root_required=CUSTOM_FOO', 1),
      candidates(V, 'resources1=VCPU:1&required1=CUSTOM_FOO&root_required=!CUSTOM_FOO', 1),
      candidates(V, 'resources1=VCPU:1&required1=!CUSTOM_FOO&root_required=CUSTOM_FOO', 0),
    ];
    await expectSameAnswers(pair(), steps);
  });
});

describe('beyond the YAML: group_policy=isolate with a class in the unnumbered and a numbered group (NUMANetworkFixture)', () => {
  // Placement reuses allocation request rows across combinations under isolate (allow-list entry
  // placement-isolate-shared-class-aliasing). No provider has two FPGAs, so the right answer under
  // isolate is the one under none: ours gives it, Placement (in our runs) 3 requests with FPGA 2 on one FPGA.
  it("ours answers isolate as none where they must agree; Placement's inflated answer differs", async () => {
    await fixtures.readOnly(numaNetworkFixture);
    const query = 'resources=FPGA:1&resources1=FPGA:1&group_policy=';
    const played = await expectSameAnswers(
      pair(),
      [
        candidates('1.34', `${query}none`, 6),
        ['GET', `/allocation_candidates?${query}isolate`, { version: '1.34' }, { status: 200 }],
      ],
      ['placement-isolate-shared-class-aliasing'],
    );
    const [none, isolate] = played;
    expect(isolate!.ours.body).toEqual(none!.placement.body);
  });
});

describe('allocation-candidates-mappings-numa.yaml (NUMANetworkFixture)', () => {
  it('mappings from 1.34: request groups to the providers that satisfy them', async () => {
    await fixtures.readOnly(numaNetworkFixture);
    const net = {
      required_NET1: 'CUSTOM_PHYSNET1',
      resources_NET1: 'NET_BW_EGR_KILOBIT_PER_SEC:10',
      required_NET2: 'CUSTOM_PHYSNET2',
      resources_NET2: 'NET_BW_EGR_KILOBIT_PER_SEC:20',
    };
    const steps: Step[] = [
      candidates('1.34', { resources: 'VCPU:1' }, 3),
      candidates('1.33', { resources: 'VCPU:1' }, 3),
      candidates('1.34', { resources_LEFT: 'VCPU:1', resources_RIGHT: 'VCPU:1', group_policy: 'isolate' }, 2),
      candidates('1.34', { ...net, resources: 'VCPU:1', group_policy: 'isolate' }, 2),
      candidates(
        '1.34',
        {
          resources_BWA: 'NET_BW_EGR_KILOBIT_PER_SEC:10',
          required_BWA: 'CUSTOM_PHYSNET1',
          resources_BWB: 'NET_BW_EGR_KILOBIT_PER_SEC:20',
          required_BWB: 'CUSTOM_PHYSNET1',
          group_policy: 'none',
        },
        1,
      ),
      candidates('1.34', { ...net, resources_COMPUTE: 'VCPU:1,MEMORY_MB:1024', group_policy: 'isolate' }, 2),
    ];
    await expectSameAnswers(pair(), steps);
  });
});

describe('allocation-candidates-any-traits.yaml (GranularFixture)', () => {
  it("any-of traits ('in:') before and from 1.39, repeated required", async () => {
    await fixtures.readOnly(granularFixture);
    const steps: Step[] = [
      refused('1.38', 'required=in:CUSTOM_FOO,HW_CPU_X86_MMX&resources=VCPU:1'),
      refused('1.38', 'requiredX=in:CUSTOM_FOO,HW_CPU_X86_MMX&resourcesX=VCPU:1'),
      candidates('1.38', 'required=CUSTOM_FOO&required=HW_CPU_X86_MMX&resources=VCPU:1', 1),
      candidates('1.38', 'requiredX=CUSTOM_FOO&requiredX=HW_CPU_X86_MMX&resourcesX=VCPU:1', 1),
      candidates(
        'latest',
        'required=in:HW_GPU_API_DXVA,HW_NIC_ACCEL_TLS&required=HW_CPU_X86_AVX,!CUSTOM_FOO&resources=VCPU:1,DISK_GB:1',
        2,
      ),
      candidates(
        'latest',
        'required=in:HW_CPU_X86_MMX,HW_NIC_ACCEL_TLS&required=in:CUSTOM_DISK_SSD,CUSTOM_FOO&resources=VCPU:1,DISK_GB:1',
        3,
      ),
    ];
    await expectSameAnswers(pair(), steps);
  });
});

describe('allocation-candidates-mappings-sharing.yaml (GranularFixture)', () => {
  it('mappings name sharing providers too', async () => {
    await fixtures.readOnly(granularFixture);
    const steps: Step[] = [
      candidates('1.34', { resources: 'VCPU:1', required: 'HW_CPU_X86_SSE' }, 1),
      candidates('1.34', { resources: 'VCPU:1,DISK_GB:1', required: 'HW_CPU_X86_SSE' }, 2),
      candidates(
        '1.34',
        {
          resources: 'VCPU:1',
          resources_DISK_A: 'DISK_GB:1',
          resources_DISK_B: 'DISK_GB:1',
          required: 'HW_CPU_X86_SSE',
          group_policy: 'isolate',
        },
        2,
      ),
    ];
    await expectSameAnswers(pair(), steps);
  });
});

describe('allocation-candidates-any-traits-groups.yaml (NeutronQoSMultiSegmentFixture)', () => {
  const compute = 'resources=VCPU:1,MEMORY_MB:1024,DISK_GB:10';
  /** One port: a packet-rate group and a bandwidth group in the same subtree, `physnets` as required traits. */
  const port = (name: string, pps: number, bw: number, physnets: string[]) =>
    [
      `resources-${name}-pps=NET_PACKET_RATE_KILOPACKET_PER_SEC:${pps}`,
      `required-${name}-pps=CUSTOM_VNIC_TYPE_NORMAL`,
      `resources-${name}-bw=NET_BW_EGR_KILOBIT_PER_SEC:${bw},NET_BW_IGR_KILOBIT_PER_SEC:${bw}`,
      ...physnets.map((p) => `required-${name}-bw=${p}`),
      `same_subtree=-${name}-pps,-${name}-bw`,
    ].join('&');
  const segments = ['CUSTOM_VNIC_TYPE_NORMAL', 'in:CUSTOM_PHYSNET_MSN_S1,CUSTOM_PHYSNET_MSN_S2'];

  it('ports on single- and multi-segment networks: any-of physnets per request group', async () => {
    await fixtures.readOnly(neutronQosMultiSegmentFixture);
    const steps: Step[] = [
      candidates(
        'latest',
        `${compute}&${port('port-normal', 1000, 1000, ['CUSTOM_VNIC_TYPE_NORMAL,CUSTOM_PHYSNET_OTHER'])}&group_policy=none`,
        1,
      ),
      candidates('latest', `${compute}&${port('port-msn', 1000, 1000, segments)}&group_policy=none`, 4),
      candidates(
        'latest',
        `${compute}&${port('port1-msn', 100, 1000, segments)}&${port('port2-msn', 100, 1000, segments)}&group_policy=none`,
        4,
      ),
      candidates(
        'latest',
        `${compute}&${port('port1-msn', 100, 100, segments)}&${port('port2-msn', 100, 100, segments)}&group_policy=none`,
        6,
      ),
    ];
    await expectSameAnswers(pair(), steps);
  });
});

describe('allocation-candidates-bug-1792503.yaml (NUMAAggregateFixture)', () => {
  const u = NUMA_AGGREGATE;
  const V = '1.32';
  const disk = 'resources=VCPU:1,DISK_GB:1000';

  it('member_of is checked on the root of a tree, forbidden aggregates too', async () => {
    await fixtures.readOnly(numaAggregateFixture);
    const steps: Step[] = [
      candidates(V, 'resources=VCPU:1', 4),
      candidates(V, `resources=VCPU:1&member_of=${u.AGGA}`, 4),
      candidates(V, `resources1=VCPU:1&member_of1=${u.AGGA}`, 0),
      candidates(V, `resources=VCPU:1&member_of=${u.AGGB}`, 2),
      candidates(V, `resources=VCPU:1&member_of=${u.AGGC}`, 1),
      candidates(V, `resources1=VCPU:1&member_of1=${u.AGGC}`, 1),
      candidates(V, disk, 6),
      candidates(V, `${disk}&member_of=${u.AGGA}`, 4),
      candidates(V, `${disk}&member_of=${u.AGGB}`, 0),
      candidates(V, `${disk}&member_of=${u.AGGC}`, 1),
      candidates(V, `${disk}&member_of=!${u.AGGA}`, 0),
      candidates(V, `${disk}&member_of=!${u.AGGB}`, 4),
      candidates(V, `${disk}&member_of=!${u.AGGC}`, 3),
      candidates(V, `${disk}&member_of=in:${u.AGGA},${u.AGGB}&member_of=!${u.AGGC}`, 3),
      candidates(V, `${disk}&member_of=${u.AGGA}&member_of=!in:${u.AGGB},${u.AGGC}`, 1),
    ];
    await expectSameAnswers(pair(), steps);
  });
});

describe('beyond the YAML: a sharing provider reached only through a child (NUMAAggregateFixture)', () => {
  // ss2 is in aggregate C with numa1_1 only, not with its root cn1. Placement anchors it at cn1
  // (anchors_for_sharing_providers takes the root of every provider in the aggregate); the
  // engine's host search looks at roots' aggregates, so these hosts were missed until
  // rest-candidates/index.ts enumerated child-anchored roots too.
  const u = NUMA_AGGREGATE;

  it('numbered groups that need ss2 still find cn1', async () => {
    await fixtures.readOnly(numaAggregateFixture);
    const steps: Step[] = [
      candidates('1.25', `resources1=VCPU:1&resources2=DISK_GB:100&member_of2=${u.AGGC}&group_policy=none`, 2),
      candidates('1.34', `resources1=VCPU:1&resources2=DISK_GB:100&member_of2=${u.AGGC}&group_policy=none`, 2),
      candidates('1.25', 'resources1=DISK_GB:1000&resources2=DISK_GB:1000&group_policy=isolate&resources=VCPU:1', 4),
      candidates('1.39', 'resources1=DISK_GB:1000&resources2=DISK_GB:1000&group_policy=isolate&resources=VCPU:1', 4),
      candidates('1.39', `resources_D=DISK_GB:1000&member_of_D=${u.AGGC}&resources_C=VCPU:1&group_policy=none`, 2),
      candidates(
        '1.39',
        `resources_D=DISK_GB:1000&member_of_D=${u.AGGC}&resources_C=VCPU:1&group_policy=none&limit=2`,
        2,
      ),
      candidates(
        '1.39',
        `resources_D=DISK_GB:1000&member_of_D=${u.AGGC}&resources_C=VCPU:1&group_policy=none&root_required=!MISC_SHARES_VIA_AGGREGATE`,
        2,
      ),
      candidates(
        '1.39',
        `resources_D=DISK_GB:1000&member_of_D=${u.AGGC}&resources_C=VCPU:1&group_policy=none&in_tree_C=${u.CN2}`,
        0,
      ),
      // a rare required trait: the prefilter narrows the host search to the roots it can anchor, cn1 among them
      candidates('1.39', 'resources=VCPU:1,DISK_GB:1000&required=MISC_SHARES_VIA_AGGREGATE', 6),
    ];
    await expectSameAnswers(pair(), steps);
  });
});
