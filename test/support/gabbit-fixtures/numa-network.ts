/**
 * Placement's NUMANetworkFixture (placement/tests/functional/fixtures/gabbits.py), built through
 * the REST API on both servers of a pair: a sharing disk provider (ss1) in aggregate A with two
 * compute nodes; cn1 has no inventory of its own but two NUMA nodes (VCPU, MEMORY_MB, FPGA and
 * VGPU children), an SR-IOV agent with two bandwidth devices (PHYSNET1, PHYSNET2) and an OVS
 * agent with a bridge (PHYSNET0); cn2 has VCPU, MEMORY_MB and DISK_GB and three NICs whose PFs
 * offer CUSTOM_VF on PHYSNET1 or PHYSNET2. Two consumers use VCPU (2 on numa0, 3 on cn2).
 *
 * Upstream draws the uuids at random; these are fixed so both servers get the same ones. Each
 * provider gets its traits as it is created (upstream sets cn2's after its inventory): the
 * state is the same, with fewer calls.
 * Written by gabbits-alloc for allocations-mappings.yaml; the candidates helper owns this
 * fixture: keep one at merge.
 */
import type { PairResult, RestCall, RestPair } from '../rest-pair.js';

const uuid = (n: number) => `a110ca7e-0e7f-4000-8000-${n.toString(16).padStart(12, '0')}`;

export const NUMA_NETWORK_FIXTURE = {
  AGGA_UUID: uuid(0xa),
  SS1_UUID: uuid(1),
  CN1_UUID: uuid(2),
  NUMA0_UUID: uuid(3),
  NUMA1_UUID: uuid(4),
  FPGA0_UUID: uuid(5),
  PGPU0_UUID: uuid(6),
  FPGA1_0_UUID: uuid(7),
  FPGA1_1_UUID: uuid(8),
  SRIOV_AGENT_UUID: uuid(9),
  ESN1_UUID: uuid(0x10),
  ESN2_UUID: uuid(0x11),
  OVS_AGENT_UUID: uuid(0x12),
  BR_INT_UUID: uuid(0x13),
  CN2_UUID: uuid(0x14),
  NIC1_UUID: uuid(0x15),
  NIC2_UUID: uuid(0x16),
  NIC3_UUID: uuid(0x17),
  PF1_1_UUID: uuid(0x18),
  PF1_2_UUID: uuid(0x19),
  PF2_1_UUID: uuid(0x1a),
  PF2_2_UUID: uuid(0x1b),
  PF2_3_UUID: uuid(0x1c),
  PF2_4_UUID: uuid(0x1d),
  PF3_1_UUID: uuid(0x1e),
  /** The two consumers of the fixture's own allocations (upstream's are random). */
  NUMA0_CONSUMER: uuid(0xc0),
  CN2_CONSUMER: uuid(0xc1),
} as const;

/** Builds the fixture on both servers (which must be empty); every call's result, to be compared. */
export async function numaNetworkFixture(pair: RestPair): Promise<{ results: PairResult[] }> {
  const f = NUMA_NETWORK_FIXTURE;
  const results: PairResult[] = [];
  const send = async (call: RestCall) => {
    const result = await pair.send(call);
    results.push(result);
    return result;
  };
  const knownTraits = new Set<string>();
  /** Creates a provider and gives it its traits while its generation is still 0. */
  const provider = async (name: string, uuid: string, parent?: string, traits: string[] = []) => {
    await send({
      method: 'POST',
      path: '/resource_providers',
      version: '1.14',
      body: { name, uuid, ...(parent === undefined ? {} : { parent_provider_uuid: parent }) },
    });
    if (traits.length === 0) return;
    for (const trait of traits.filter((t) => t.startsWith('CUSTOM_') && !knownTraits.has(t))) {
      knownTraits.add(trait);
      await send({ method: 'PUT', path: `/traits/${trait}`, version: '1.6' });
    }
    await send({
      method: 'PUT',
      path: `/resource_providers/${uuid}/traits`,
      version: '1.6',
      body: { resource_provider_generation: 0, traits },
    });
  };
  const aggregate = (rp: string) =>
    send({ method: 'PUT', path: `/resource_providers/${rp}/aggregates`, version: '1.10', body: [f.AGGA_UUID] });
  const inventory = (rp: string, resourceClass: string, total: number, extra: Record<string, number> = {}) =>
    send({
      method: 'POST',
      path: `/resource_providers/${rp}/inventories`,
      body: { resource_class: resourceClass, total, ...extra },
    });
  const allocate = (consumer: string, rp: string, vcpu: number) =>
    send({
      method: 'PUT',
      path: `/allocations/${consumer}`,
      version: '1.28',
      body: {
        allocations: { [rp]: { resources: { VCPU: vcpu } } },
        project_id: 'numafx-project',
        user_id: 'numafx-user',
        consumer_generation: null,
      },
    });

  await provider('ss1', f.SS1_UUID, undefined, ['MISC_SHARES_VIA_AGGREGATE']);
  await aggregate(f.SS1_UUID);
  await inventory(f.SS1_UUID, 'DISK_GB', 2000);

  await provider('cn1', f.CN1_UUID, undefined, ['COMPUTE_VOLUME_MULTI_ATTACH']);
  await aggregate(f.CN1_UUID);
  await provider('numa0', f.NUMA0_UUID, f.CN1_UUID, ['HW_NUMA_ROOT']);
  await inventory(f.NUMA0_UUID, 'VCPU', 4);
  await provider('numa1', f.NUMA1_UUID, f.CN1_UUID, ['HW_NUMA_ROOT', 'CUSTOM_FOO']);
  await inventory(f.NUMA1_UUID, 'VCPU', 4);
  await inventory(f.NUMA0_UUID, 'MEMORY_MB', 2048, { min_unit: 512, step_size: 256 });
  await inventory(f.NUMA1_UUID, 'MEMORY_MB', 2048, { min_unit: 256, max_unit: 1024 });
  await allocate(f.NUMA0_CONSUMER, f.NUMA0_UUID, 2);
  await provider('fpga0', f.FPGA0_UUID, f.NUMA0_UUID);
  await inventory(f.FPGA0_UUID, 'FPGA', 1);
  await provider('pgpu0', f.PGPU0_UUID, f.NUMA0_UUID);
  await inventory(f.PGPU0_UUID, 'VGPU', 8);
  await provider('fpga1_0', f.FPGA1_0_UUID, f.NUMA1_UUID);
  await inventory(f.FPGA1_0_UUID, 'FPGA', 1);
  await provider('fpga1_1', f.FPGA1_1_UUID, f.NUMA1_UUID);
  await inventory(f.FPGA1_1_UUID, 'FPGA', 1);
  await provider('sriov_agent', f.SRIOV_AGENT_UUID, f.CN1_UUID, ['CUSTOM_VNIC_TYPE_DIRECT']);
  for (const [i, esn] of [f.ESN1_UUID, f.ESN2_UUID].entries()) {
    await provider(`esn${i + 1}`, esn, f.SRIOV_AGENT_UUID, [`CUSTOM_PHYSNET${i + 1}`]);
    await inventory(esn, 'NET_BW_EGR_KILOBIT_PER_SEC', 10000 * (i + 1));
  }
  await provider('ovs_agent', f.OVS_AGENT_UUID, f.CN1_UUID, ['CUSTOM_VNIC_TYPE_NORMAL']);
  await provider('br_int', f.BR_INT_UUID, f.OVS_AGENT_UUID, ['CUSTOM_PHYSNET0']);
  await inventory(f.BR_INT_UUID, 'NET_BW_EGR_KILOBIT_PER_SEC', 1000);

  await provider('cn2', f.CN2_UUID, undefined, ['CUSTOM_FOO']);
  await aggregate(f.CN2_UUID);
  await inventory(f.CN2_UUID, 'VCPU', 8);
  await allocate(f.CN2_CONSUMER, f.CN2_UUID, 3);
  await inventory(f.CN2_UUID, 'MEMORY_MB', 2048, { min_unit: 1024, step_size: 128 });
  await inventory(f.CN2_UUID, 'DISK_GB', 1000);
  const nics = [f.NIC1_UUID, f.NIC2_UUID, f.NIC3_UUID];
  for (const [i, nic] of nics.entries()) {
    await provider(`nic${i + 1}`, nic, f.CN2_UUID, ['CUSTOM_HW_NIC_ROOT']);
  }
  await send({ method: 'PUT', path: '/resource_classes/CUSTOM_VF', version: '1.7' });
  const pfs: [string, string, string, number][] = [
    ['pf1_1', f.PF1_1_UUID, f.NIC1_UUID, 1],
    ['pf1_2', f.PF1_2_UUID, f.NIC1_UUID, 2],
    ['pf2_1', f.PF2_1_UUID, f.NIC2_UUID, 1],
    ['pf2_2', f.PF2_2_UUID, f.NIC2_UUID, 2],
    ['pf2_3', f.PF2_3_UUID, f.NIC2_UUID, 1],
    ['pf2_4', f.PF2_4_UUID, f.NIC2_UUID, 2],
    ['pf3_1', f.PF3_1_UUID, f.NIC3_UUID, 1],
  ];
  for (const [name, pf, nic, physnet] of pfs) {
    await provider(name, pf, nic, [`CUSTOM_PHYSNET${physnet}`]);
    await inventory(pf, 'CUSTOM_VF', name.startsWith('pf1') ? 4 : name.startsWith('pf2') ? 2 : 8);
  }
  return { results };
}
