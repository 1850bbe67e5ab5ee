/**
 * Placement's functional tests of granular request groups and same_subtree (placement/tests/
 * functional/gabbits/ in openstack/placement), re-expressed as differential scenarios: the YAML's
 * fixture is built through the REST API on the real Placement 8.0 and on our gateway, each request
 * is sent to both and the whole answers compared; the YAML's status and allocation request count
 * are checked on Placement.
 *
 * Files here: granular.yaml (GranularFixture), granular-same-subtree.yaml (NUMANetworkFixture),
 * same-subtree-deep.yaml (DeepNUMANetworkFixture).
 *
 * Skipped: nothing; every request of these files is sent (all at microversions ≤ 1.39).
 */
import { describe, it } from 'vitest';
import { candidates, candidatesPair, expectSameAnswers, refused, type Step } from './support/gabbit-candidates.js';
import { GRANULAR, granularFixture } from './support/gabbit-fixtures/granular-fixture.js';
import {
  deepNumaNetworkFixture,
  NUMA_NETWORK,
  numaNetworkFixture,
} from './support/gabbit-fixtures/numa-network-fixture.js';

/** Each scenario asks for its fixture; read-only scenarios on one fixture share one build. */
const { pair, fixtures } = candidatesPair();

describe('granular.yaml (GranularFixture)', () => {
  const u = GRANULAR;
  const V = '1.25';

  it('numbered groups: group_policy, combining groups, sharing, traits and member_of per group', async () => {
    await fixtures.readOnly(granularFixture);
    const steps: Step[] = [
      candidates(V, { resources1: 'VCPU:1', resources2: 'MEMORY_MB:1024', group_policy: 'none' }, 3),
      candidates(V, { resources1: 'VCPU:1', resources2: 'MEMORY_MB:1024', group_policy: 'isolate' }, 0),
      // the first group_policy wins
      candidates(V, 'resources1=VCPU:1&resources2=MEMORY_MB:1024&group_policy=isolate&group_policy=none', 0),
      candidates(
        V,
        {
          resources: 'VCPU:3,MEMORY_MB:512',
          resources1: 'VCPU:1,MEMORY_MB:1024',
          resources2: 'VCPU:2',
          group_policy: 'none',
        },
        3,
      ),
      candidates(V, 'resources=VCPU:1&resources1=MEMORY_MB:2048', 3),
      candidates(V, { resources1: 'VCPU:1,MEMORY_MB:1024', resources2: 'DISK_GB:100', group_policy: 'isolate' }, 5),
      candidates(V, { resources1: 'VCPU:1,MEMORY_MB:1024', resources2: 'DISK_GB:100', group_policy: 'none' }, 7),
      candidates(V, { resources1: 'DISK_GB:800' }, 2),
      candidates(V, { resources: 'DISK_GB:800' }, 2),
      candidates(
        V,
        {
          resources1: 'VCPU:1,MEMORY_MB:1024',
          resources2: 'DISK_GB:100',
          required2: 'CUSTOM_DISK_SSD',
          group_policy: 'isolate',
        },
        2,
      ),
      candidates(
        V,
        { resources1: 'VCPU:1', resources2: 'DISK_GB:100', required2: '!CUSTOM_DISK_SSD', group_policy: 'none' },
        4,
      ),
      candidates(V, { resources1: 'VCPU:1', resources2: 'DISK_GB:100', member_of2: u.AGGC, group_policy: 'none' }, 1),
      candidates(
        V,
        {
          resources1: 'VCPU:1',
          required1: '!HW_CPU_X86_SSE',
          resources2: 'DISK_GB:100',
          required2: 'CUSTOM_DISK_SSD',
          member_of2: `in:${u.AGGA},${u.AGGC}`,
          group_policy: 'none',
        },
        2,
      ),
      candidates(
        '1.33',
        {
          resources_compute: 'VCPU:1',
          required_compute: '!HW_CPU_X86_SSE',
          resources_disk: 'DISK_GB:100',
          required_disk: 'CUSTOM_DISK_SSD',
          member_of_disk: `in:${u.AGGA},${u.AGGC}`,
          group_policy: 'none',
        },
        2,
      ),
      candidates(
        V,
        {
          resources1: 'VCPU:1',
          resources2: 'DISK_GB:100',
          member_of2: [`in:${u.AGGB},${u.AGGC}`, u.AGGA],
          group_policy: 'isolate',
        },
        3,
      ),
      // multiple disks, multiple networks
      candidates(
        V,
        {
          resources1: 'VCPU:1',
          resources2: 'VGPU:1',
          required2: 'HW_GPU_API_DXVA',
          resources3: 'MEMORY_MB:1024',
          resources4: 'DISK_GB:100',
          required4: 'CUSTOM_DISK_SSD',
          resources5: 'DISK_GB:50',
          required5: '!CUSTOM_DISK_SSD',
          resources6: 'SRIOV_NET_VF:1,CUSTOM_NET_MBPS:1000',
          resources7: 'SRIOV_NET_VF:2,CUSTOM_NET_MBPS:2000',
          group_policy: 'none',
        },
        3,
      ),
      // combined groups exceed one provider's capacity, then max_unit
      candidates(
        V,
        {
          resources: 'VCPU:2,MEMORY_MB:2048,SRIOV_NET_VF:1,CUSTOM_NET_MBPS:2000',
          resources1: 'SRIOV_NET_VF:1,CUSTOM_NET_MBPS:3000',
        },
        1,
      ),
      candidates(V, { resources: 'VGPU:1', resources1: 'VGPU:1', resources2: 'VGPU:1', group_policy: 'none' }, 1),
    ];
    await expectSameAnswers(pair(), steps);
  });

  it('error scenarios: microversions, bad suffixes, group_policy, orphaned keys', async () => {
    await fixtures.readOnly(granularFixture);
    const steps: Step[] = [
      refused('1.24', 'resources=MEMORY_MB:1024&resources1=VCPU:1'),
      refused('1.24', 'resources=MEMORY_MB:1024&required2=HW_CPU_X86_AVX2'),
      refused('1.24', `resources=MEMORY_MB:1024&member_of3=${u.AGGB}`),
      refused('1.24', 'resources=VCPU:1&group_policy=isolate'),
      refused(V, 'resources01=VCPU:1'),
      refused('1.33', 'resources1@=VCPU:1'),
      refused('1.33', `resources_${'01234567'.repeat(8)}=VCPU:1`),
      refused(V, 'resources=VCPU:1&group_policy=bogus'),
      refused(V, 'resources1=VCPU:1&resources2=VCPU:1'),
      refused(V, 'required=FOO&required1=BAR'),
      refused(V, `member_of=${u.AGGA}&member_of3=${u.AGGC}`),
      refused(V, 'group_policy=isolate'),
    ];
    await expectSameAnswers(pair(), steps);
  });
});

describe('granular-same-subtree.yaml (NUMANetworkFixture)', () => {
  const u = NUMA_NETWORK;
  const V = '1.36';
  const nic = (vfs: string) => ({
    resources: 'VCPU:1',
    required_NIC: 'CUSTOM_HW_NIC_ROOT',
    resources_PORT1: `CUSTOM_VF:${vfs}`,
    required_PORT1: 'CUSTOM_PHYSNET1',
  });
  const port2 = (vfs: string) => ({ resources_PORT2: `CUSTOM_VF:${vfs}`, required_PORT2: 'CUSTOM_PHYSNET2' });
  const ports2ab = {
    resources_PORT2A: 'CUSTOM_VF:1',
    required_PORT2A: 'CUSTOM_PHYSNET2',
    resources_PORT2B: 'CUSTOM_VF:1',
    required_PORT2B: 'CUSTOM_PHYSNET2',
  };
  const accel = { resources_COMPUTE: 'VCPU:1', resources_ACCEL: 'FPGA:1' };
  const fpgas = { resources_ACCEL1: 'FPGA:1', resources_ACCEL2: 'FPGA:1' };

  it('same_subtree: validation, resourceless groups, isolation, several and overlapping subtrees', async () => {
    await fixtures.readOnly(numaNetworkFixture);
    const steps: Step[] = [
      refused(V, { resources1: 'VCPU:1', required2: 'COMPUTE_VOLUME_MULTI_ATTACH', group_policy: 'none' }),
      refused(V, { resources1: 'VCPU:1', member_of2: u.AGGA, group_policy: 'none' }),
      refused(V, `&member_of1=${u.AGGA}&group_policy=none&member_of1=${u.AGGA}&group_policy=none`),
      refused(V, { ...accel, same_subtree: 'COMPUTE,_ACCEL', group_policy: 'none' }),
      refused(V, { ...accel, same_subtree: '_COMPUTE,,_ACCEL', group_policy: 'none' }),
      candidates(V, { ...accel, group_policy: 'none' }, 6),
      candidates(V, { ...accel, same_subtree: '_COMPUTE', group_policy: 'none' }, 6),
      candidates(V, { ...accel, same_subtree: '_COMPUTE,_ACCEL', group_policy: 'none' }, 3),
      candidates(
        V,
        {
          resources_COMPUTE1: 'VCPU:1',
          resources_COMPUTE2: 'MEMORY_MB:1024',
          same_subtree: '_COMPUTE1,_COMPUTE2',
          group_policy: 'none',
        },
        3,
      ),
      candidates(
        V,
        {
          resources_COMPUTE1: 'VCPU:1',
          resources_COMPUTE2: 'MEMORY_MB:1024',
          same_subtree: '_COMPUTE1,_COMPUTE2',
          group_policy: 'isolate',
        },
        0,
      ),
      candidates(
        V,
        {
          resources: 'VCPU:1',
          resources_PORT1: 'CUSTOM_VF:4',
          required_PORT1: 'CUSTOM_PHYSNET1',
          ...port2('4'),
          group_policy: 'none',
        },
        2,
      ),
      candidates(V, { ...nic('4'), ...port2('4'), same_subtree: '_NIC,_PORT1,_PORT2', group_policy: 'none' }, 1),
      candidates(V, { ...nic('2'), ...port2('2'), same_subtree: '_NIC,_PORT1,_PORT2', group_policy: 'none' }, 5),
      candidates(V, { ...nic('2'), ...port2('2'), same_subtree: '_NIC,_PORT1,_PORT2', group_policy: 'isolate' }, 5),
      candidates(V, { ...nic('2'), ...ports2ab, same_subtree: '_NIC,_PORT1,_PORT2A,_PORT2B', group_policy: 'none' }, 9),
      candidates(
        V,
        { ...nic('2'), ...ports2ab, same_subtree: '_NIC,_PORT1,_PORT2A,_PORT2B', group_policy: 'isolate' },
        4,
      ),
      candidates(
        V,
        {
          resources_PORT1: 'CUSTOM_VF:8',
          required_PORT2: 'CUSTOM_PHYSNET1',
          same_subtree: '_PORT1,_PORT2',
          group_policy: 'none',
        },
        1,
      ),
      candidates(
        V,
        {
          resources_PORT1: 'CUSTOM_VF:8',
          required_PORT2: 'CUSTOM_PHYSNET1',
          same_subtree: '_PORT1,_PORT2',
          group_policy: 'isolate',
        },
        0,
      ),
      candidates(
        V,
        {
          resources_COMPUTE1: 'VCPU:1',
          required_COMPUTE2: 'CUSTOM_FOO',
          required_COMPUTE3: 'HW_NUMA_ROOT',
          same_subtree: '_COMPUTE1,_COMPUTE2,_COMPUTE3',
          group_policy: 'none',
        },
        1,
      ),
      candidates(
        V,
        {
          resources_COMPUTE1: 'VCPU:1',
          required_COMPUTE2: 'CUSTOM_FOO',
          required_COMPUTE3: 'HW_NUMA_ROOT',
          same_subtree: '_COMPUTE1,_COMPUTE2,_COMPUTE3',
          group_policy: 'isolate',
        },
        0,
      ),
      candidates(
        V,
        { required_NUMA: 'HW_NUMA_ROOT', ...fpgas, same_subtree: '_NUMA,_ACCEL1,_ACCEL2', group_policy: 'isolate' },
        2,
      ),
      // duplicate suffixes in same_subtree are squashed
      candidates(
        V,
        {
          required_NUMA: 'HW_NUMA_ROOT',
          ...fpgas,
          same_subtree: '_NUMA,_ACCEL1,_ACCEL2,_NUMA,_ACCEL1',
          group_policy: 'isolate',
        },
        2,
      ),
      candidates(
        V,
        {
          required_NUMA: 'HW_NUMA_ROOT,!CUSTOM_FOO',
          ...fpgas,
          same_subtree: '_NUMA,_ACCEL1,_ACCEL2',
          group_policy: 'isolate',
        },
        0,
      ),
      candidates(
        V,
        {
          required_NUMA: 'HW_NUMA_ROOT',
          resources_COMPUTE: 'VCPU:2,MEMORY_MB:512',
          resources_FPGA: 'FPGA:1',
          resources_GPU: 'VGPU:1',
          required_SRIOV: 'CUSTOM_VNIC_TYPE_DIRECT',
          resources_NET1: 'NET_BW_EGR_KILOBIT_PER_SEC:100',
          required_NET1: 'CUSTOM_PHYSNET1',
          resources_NET2: 'NET_BW_EGR_KILOBIT_PER_SEC:100',
          required_NET2: 'CUSTOM_PHYSNET2',
          same_subtree: ['_NUMA,_COMPUTE,_GPU,_FPGA', '_SRIOV,_NET1,_NET2'],
          group_policy: 'none',
        },
        1,
      ),
      candidates(
        V,
        {
          resources_COMPUTE: 'VCPU:1',
          required_NIC: 'CUSTOM_HW_NIC_ROOT',
          resources_PORT1: 'CUSTOM_VF:2',
          required_PORT1: 'CUSTOM_PHYSNET1',
          same_subtree: ['_NIC,_COMPUTE', '_NIC,_PORT1'],
          group_policy: 'none',
        },
        4,
      ),
      candidates(
        V,
        {
          resources_COMPUTE: 'VCPU:1',
          required_NIC: 'CUSTOM_HW_NIC_ROOT',
          resources_PORT1: 'CUSTOM_VF:2',
          required_PORT1: 'CUSTOM_PHYSNET1',
          same_subtree: ['_NIC,_COMPUTE,_PORT1'],
          group_policy: 'none',
        },
        12,
      ),
      candidates(
        V,
        {
          required_MULTI_ATTACH: 'COMPUTE_VOLUME_MULTI_ATTACH',
          resources_BW: 'NET_BW_EGR_KILOBIT_PER_SEC:100',
          resources_COMPUTE: 'VCPU:4',
          same_subtree: '_MULTI_ATTACH,_BW,_COMPUTE',
          group_policy: 'isolate',
        },
        3,
      ),
    ];
    await expectSameAnswers(pair(), steps);
  });
});

describe('same-subtree-deep.yaml (DeepNUMANetworkFixture)', () => {
  const V = '1.36';
  const port = { resources_PORT1: 'CUSTOM_VF:2', required_PORT1: 'CUSTOM_PHYSNET1' };

  it('same_subtree chains under compute nodes that have parents and a grandparent', async () => {
    await fixtures.readOnly(deepNumaNetworkFixture);
    const steps: Step[] = [
      candidates(
        V,
        {
          resources_COMPUTE: 'VCPU:1',
          required_COMPUTE: 'CUSTOM_FOO',
          required_NIC: 'CUSTOM_HW_NIC_ROOT',
          ...port,
          same_subtree: ['_NIC,_COMPUTE', '_NIC,_PORT1'],
          group_policy: 'none',
        },
        4,
      ),
      candidates(
        V,
        {
          resources_COMPUTE: 'VCPU:1',
          required_COMPUTE: 'CUSTOM_FOO',
          ...port,
          same_subtree: '_COMPUTE,_PORT1',
          group_policy: 'none',
        },
        4,
      ),
      candidates(V, { resources_COMPUTE: 'VCPU:1', ...port, same_subtree: '_COMPUTE,_PORT1', group_policy: 'none' }, 4),
    ];
    await expectSameAnswers(pair(), steps);
  });
});
