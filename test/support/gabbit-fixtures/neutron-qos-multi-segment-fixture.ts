/**
 * Placement's NeutronQoSMultiSegmentFixture (placement/tests/functional/fixtures/gabbits.py): four
 * compute trees as Neutron reports them with minimum bandwidth and packet rate: each compute has
 * an OVS agent (packet rate) with a bridge (bandwidth, one physnet) and an SR-IOV agent with a PF
 * (bandwidth, one physnet). compute0 is on PHYSNET_OTHER, compute1 on segment 1, compute2 on
 * segment 2; compute3 reaches both segments through two bridges and two PFs, with little bandwidth.
 */
import { uuidOf } from '../candidate-world.js';
import type { RestPair } from '../rest-pair.js';
import { buildWorld, type FixtureProvider, type Generations } from './build.js';

const id = (name: string) => uuidOf(`neutron-qos/${name}`);

const DIRECT = ['CUSTOM_VNIC_TYPE_DIRECT', 'CUSTOM_VNIC_TYPE_DIRECT_PHYSICAL', 'CUSTOM_VNIC_TYPE_MACVTAP'];

/** One compute tree: uuids by role. */
export interface QosCompute {
  compute: string;
  ovsAgent: string;
  brEx: string;
  /** compute3 only. */
  brEx2: string;
  sriovAgent: string;
  pf0: string;
  /** compute3 only. */
  pf1: string;
}

function computeUuids(n: number): QosCompute {
  const c = `compute${n}`;
  return {
    compute: id(c),
    ovsAgent: id(`${c}:ovs_agent`),
    brEx: id(`${c}:br_ex`),
    brEx2: id(`${c}:br_ex2`),
    sriovAgent: id(`${c}:sriov_agent`),
    pf0: id(`${c}:pf0`),
    pf1: id(`${c}:pf1`),
  };
}

export const NEUTRON_QOS = [0, 1, 2, 3].map(computeUuids) as [QosCompute, QosCompute, QosCompute, QosCompute];

function bandwidth(total: number) {
  return { NET_BW_EGR_KILOBIT_PER_SEC: { total }, NET_BW_IGR_KILOBIT_PER_SEC: { total } };
}

/** Bandwidth of each bridge and each PF (the same egress and ingress). */
interface Capacity {
  bridge: number;
  pf: number;
}

function tree(n: number, physnets: string[], capacity: Capacity): FixtureProvider[] {
  const u = NEUTRON_QOS[n]!;
  const c = `compute${n}`;
  const out: FixtureProvider[] = [
    {
      name: c,
      uuid: u.compute,
      inventories: { VCPU: { total: 8 }, MEMORY_MB: { total: 4096 }, DISK_GB: { total: 500 } },
    },
    {
      name: `${c}:Open vSwitch agent`,
      uuid: u.ovsAgent,
      parent: u.compute,
      inventories: { NET_PACKET_RATE_KILOPACKET_PER_SEC: { total: 1000 } },
      traits: ['CUSTOM_VNIC_TYPE_NORMAL'],
    },
  ];
  physnets.forEach((physnet, i) => {
    out.push({
      name: `${c}:Open vSwitch agent:br-ex${i === 0 ? '' : i + 1}`,
      uuid: i === 0 ? u.brEx : u.brEx2,
      parent: u.ovsAgent,
      inventories: bandwidth(capacity.bridge),
      traits: ['CUSTOM_VNIC_TYPE_NORMAL', physnet],
    });
  });
  out.push({ name: `${c}:NIC Switch agent`, uuid: u.sriovAgent, parent: u.compute, traits: DIRECT });
  physnets.forEach((physnet, i) => {
    out.push({
      name: `${c}:NIC Switch agent:enp129s0f${i}`,
      uuid: i === 0 ? u.pf0 : u.pf1,
      parent: u.sriovAgent,
      inventories: bandwidth(capacity.pf),
      traits: [...DIRECT, physnet],
    });
  });
  return out;
}

const AMPLE: Capacity = { bridge: 5000, pf: 10000 };
/** compute3's limited bandwidth. */
const SCARCE: Capacity = { bridge: 1000, pf: 1000 };

export function neutronQosMultiSegmentFixture(pair: RestPair): Promise<Generations> {
  return buildWorld(pair, {
    providers: [
      ...tree(0, ['CUSTOM_PHYSNET_OTHER'], AMPLE),
      ...tree(1, ['CUSTOM_PHYSNET_MSN_S1'], AMPLE),
      ...tree(2, ['CUSTOM_PHYSNET_MSN_S2'], AMPLE),
      ...tree(3, ['CUSTOM_PHYSNET_MSN_S1', 'CUSTOM_PHYSNET_MSN_S2'], SCARCE),
    ],
  });
}
