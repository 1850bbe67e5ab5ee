/**
 * Placement's NUMANetworkFixture and DeepNUMANetworkFixture (placement/tests/functional/fixtures/
 * gabbits.py): cn1 without inventory, parenting two NUMA nodes (VCPU, MEMORY_MB with min_unit /
 * step_size / max_unit, FPGA and VGPU children), an SR-IOV agent (two PHYSNET devices with
 * egress bandwidth) and an OVS agent (one bridge); cn2 with VCPU, MEMORY_MB and DISK_GB, parenting
 * three NICs whose PFs hold CUSTOM_VF on PHYSNET1 / PHYSNET2; a sharing storage provider in the
 * aggregate of both. Two VCPU on numa0 and three on cn2 are in use. The deep variant puts cn1 and
 * cn2 under their own parents, p1 and p2, both children of gp1.
 */
import { uuidOf } from '../candidate-world.js';
import type { RestPair } from '../rest-pair.js';
import { buildWorld, type FixtureProvider, type Generations } from './build.js';

const id = (name: string) => uuidOf(`numa-network/${name}`);

export const NUMA_NETWORK = {
  AGGA: id('aggA'),
  SS1: id('ss1'),
  CN1: id('cn1'),
  NUMA0: id('numa0'),
  NUMA1: id('numa1'),
  FPGA0: id('fpga0'),
  PGPU0: id('pgpu0'),
  FPGA1_0: id('fpga1_0'),
  FPGA1_1: id('fpga1_1'),
  SRIOV_AGENT: id('sriov_agent'),
  ESN1: id('esn1'),
  ESN2: id('esn2'),
  OVS_AGENT: id('ovs_agent'),
  BR_INT: id('br_int'),
  CN2: id('cn2'),
  NIC1: id('nic1'),
  NIC2: id('nic2'),
  NIC3: id('nic3'),
  PF1_1: id('pf1_1'),
  PF1_2: id('pf1_2'),
  PF2_1: id('pf2_1'),
  PF2_2: id('pf2_2'),
  PF2_3: id('pf2_3'),
  PF2_4: id('pf2_4'),
  PF3_1: id('pf3_1'),
  /** Only in the deep variant: cn1's and cn2's parents and grandparent. */
  GP1: id('gp1'),
  P1: id('p1'),
  P2: id('p2'),
  CONSUMER_NUMA0: id('consumer-numa0'),
  CONSUMER_CN2: id('consumer-cn2'),
} as const;

function providers(deep: boolean): FixtureProvider[] {
  const u = NUMA_NETWORK;
  const out: FixtureProvider[] = [];
  if (deep) {
    out.push({ name: 'gp1', uuid: u.GP1 });
    out.push({ name: 'p1', uuid: u.P1, parent: u.GP1 });
    out.push({ name: 'p2', uuid: u.P2, parent: u.GP1 });
  }
  const parentOf = (cn: string | undefined) => (deep ? { parent: cn } : {});
  out.push(
    {
      name: 'ss1',
      uuid: u.SS1,
      aggregates: [u.AGGA],
      traits: ['MISC_SHARES_VIA_AGGREGATE'],
      inventories: { DISK_GB: { total: 2000 } },
    },
    { name: 'cn1', uuid: u.CN1, ...parentOf(u.P1), aggregates: [u.AGGA], traits: ['COMPUTE_VOLUME_MULTI_ATTACH'] },
    {
      name: 'numa0',
      uuid: u.NUMA0,
      parent: u.CN1,
      traits: ['HW_NUMA_ROOT'],
      inventories: { VCPU: { total: 4 }, MEMORY_MB: { total: 2048, min_unit: 512, step_size: 256 } },
    },
    {
      name: 'numa1',
      uuid: u.NUMA1,
      parent: u.CN1,
      traits: ['HW_NUMA_ROOT', 'CUSTOM_FOO'],
      inventories: { VCPU: { total: 4 }, MEMORY_MB: { total: 2048, min_unit: 256, max_unit: 1024 } },
    },
    { name: 'fpga0', uuid: u.FPGA0, parent: u.NUMA0, inventories: { FPGA: { total: 1 } } },
    { name: 'pgpu0', uuid: u.PGPU0, parent: u.NUMA0, inventories: { VGPU: { total: 8 } } },
    { name: 'fpga1_0', uuid: u.FPGA1_0, parent: u.NUMA1, inventories: { FPGA: { total: 1 } } },
    { name: 'fpga1_1', uuid: u.FPGA1_1, parent: u.NUMA1, inventories: { FPGA: { total: 1 } } },
    { name: 'sriov_agent', uuid: u.SRIOV_AGENT, parent: u.CN1, traits: ['CUSTOM_VNIC_TYPE_DIRECT'] },
    {
      name: 'esn1',
      uuid: u.ESN1,
      parent: u.SRIOV_AGENT,
      traits: ['CUSTOM_PHYSNET1'],
      inventories: { NET_BW_EGR_KILOBIT_PER_SEC: { total: 10000 } },
    },
    {
      name: 'esn2',
      uuid: u.ESN2,
      parent: u.SRIOV_AGENT,
      traits: ['CUSTOM_PHYSNET2'],
      inventories: { NET_BW_EGR_KILOBIT_PER_SEC: { total: 20000 } },
    },
    { name: 'ovs_agent', uuid: u.OVS_AGENT, parent: u.CN1, traits: ['CUSTOM_VNIC_TYPE_NORMAL'] },
    {
      name: 'br_int',
      uuid: u.BR_INT,
      parent: u.OVS_AGENT,
      traits: ['CUSTOM_PHYSNET0'],
      inventories: { NET_BW_EGR_KILOBIT_PER_SEC: { total: 1000 } },
    },
    {
      name: 'cn2',
      uuid: u.CN2,
      ...parentOf(u.P2),
      aggregates: [u.AGGA],
      traits: ['CUSTOM_FOO'],
      inventories: {
        VCPU: { total: 8 },
        MEMORY_MB: { total: 2048, min_unit: 1024, step_size: 128 },
        DISK_GB: { total: 1000 },
      },
    },
    { name: 'nic1', uuid: u.NIC1, parent: u.CN2, traits: ['CUSTOM_HW_NIC_ROOT'] },
    { name: 'nic2', uuid: u.NIC2, parent: u.CN2, traits: ['CUSTOM_HW_NIC_ROOT'] },
    { name: 'nic3', uuid: u.NIC3, parent: u.CN2, traits: ['CUSTOM_HW_NIC_ROOT'] },
  );
  const pf = (name: string, uuid: string, parent: string, physnet: number, vfs: number): FixtureProvider => ({
    name,
    uuid,
    parent,
    traits: [`CUSTOM_PHYSNET${physnet}`],
    inventories: { CUSTOM_VF: { total: vfs } },
  });
  out.push(
    pf('pf1_1', u.PF1_1, u.NIC1, 1, 4),
    pf('pf1_2', u.PF1_2, u.NIC1, 2, 4),
    pf('pf2_1', u.PF2_1, u.NIC2, 1, 2),
    pf('pf2_2', u.PF2_2, u.NIC2, 2, 2),
    pf('pf2_3', u.PF2_3, u.NIC2, 1, 2),
    pf('pf2_4', u.PF2_4, u.NIC2, 2, 2),
    pf('pf3_1', u.PF3_1, u.NIC3, 1, 8),
  );
  return out;
}

function build(pair: RestPair, deep: boolean): Promise<Generations> {
  const u = NUMA_NETWORK;
  return buildWorld(pair, {
    customClasses: ['CUSTOM_VF'],
    providers: providers(deep),
    allocations: [
      { consumer: u.CONSUMER_NUMA0, allocations: { [u.NUMA0]: { VCPU: 2 } } },
      { consumer: u.CONSUMER_CN2, allocations: { [u.CN2]: { VCPU: 3 } } },
    ],
  });
}

export function numaNetworkFixture(pair: RestPair): Promise<Generations> {
  return build(pair, false);
}

export function deepNumaNetworkFixture(pair: RestPair): Promise<Generations> {
  return build(pair, true);
}
