/**
 * Placement's SharedStorageFixture (placement/tests/functional/fixtures/gabbits.py): two compute
 * nodes (cn1 without disk, with SSE traits; cn2 with disk), each with two NUMA children that each
 * parent one PF of 8 VFs, and two sharing storage providers, all in one aggregate.
 */
import { uuidOf } from '../candidate-world.js';
import type { RestPair } from '../rest-pair.js';
import { buildWorld, type FixtureProvider, type Generations } from './build.js';

const id = (name: string) => uuidOf(`shared-storage/${name}`);

export const SHARED_STORAGE = {
  AGG: id('agg'),
  CN1: id('cn1'),
  CN2: id('cn2'),
  SS: id('ss'),
  SS2: id('ss2'),
  NUMA1_1: id('numa1_1'),
  NUMA1_2: id('numa1_2'),
  NUMA2_1: id('numa2_1'),
  NUMA2_2: id('numa2_2'),
  PF1_1: id('pf1_1'),
  PF1_2: id('pf1_2'),
  PF2_1: id('pf2_1'),
  PF2_2: id('pf2_2'),
} as const;

export function sharedStorageFixture(pair: RestPair): Promise<Generations> {
  const u = SHARED_STORAGE;
  const compute = {
    VCPU: { total: 24, allocation_ratio: 16.0 },
    MEMORY_MB: { total: 128 * 1024, allocation_ratio: 1.5 },
  };
  const disk = { DISK_GB: { total: 2000, reserved: 100, allocation_ratio: 1.0 } };
  const vfs = { SRIOV_NET_VF: { total: 8, allocation_ratio: 1.0 } };
  const providers: FixtureProvider[] = [
    {
      name: 'cn1',
      uuid: u.CN1,
      aggregates: [u.AGG],
      inventories: compute,
      traits: ['HW_CPU_X86_SSE', 'HW_CPU_X86_SSE2'],
    },
    { name: 'cn2', uuid: u.CN2, aggregates: [u.AGG], inventories: { ...compute, ...disk } },
    { name: 'ss', uuid: u.SS, aggregates: [u.AGG], inventories: disk, traits: ['MISC_SHARES_VIA_AGGREGATE'] },
    { name: 'ss2', uuid: u.SS2, aggregates: [u.AGG], inventories: disk, traits: ['MISC_SHARES_VIA_AGGREGATE'] },
    { name: 'numa1_1', uuid: u.NUMA1_1, parent: u.CN1 },
    { name: 'numa1_2', uuid: u.NUMA1_2, parent: u.CN1 },
    { name: 'numa2_1', uuid: u.NUMA2_1, parent: u.CN2 },
    { name: 'numa2_2', uuid: u.NUMA2_2, parent: u.CN2 },
    { name: 'pf1_1', uuid: u.PF1_1, parent: u.NUMA1_1, inventories: vfs },
    { name: 'pf1_2', uuid: u.PF1_2, parent: u.NUMA1_2, inventories: vfs },
    { name: 'pf2_1', uuid: u.PF2_1, parent: u.NUMA2_1, inventories: vfs },
    { name: 'pf2_2', uuid: u.PF2_2, parent: u.NUMA2_2, inventories: vfs },
  ];
  return buildWorld(pair, { providers });
}
