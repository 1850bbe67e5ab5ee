/**
 * Placement's NUMAAggregateFixture (placement/tests/functional/fixtures/gabbits.py): two compute
 * nodes without inventory, each with two NUMA children of 24 VCPU; cn1 in aggregate A, cn2 in A
 * and B; numa1_1 alone in aggregate C; a sharing storage provider in A and another in C.
 */
import { uuidOf } from '../candidate-world.js';
import type { RestPair } from '../rest-pair.js';
import { buildWorld, type Generations } from './build.js';

const id = (name: string) => uuidOf(`numa-aggregate/${name}`);

export const NUMA_AGGREGATE = {
  AGGA: id('aggA'),
  AGGB: id('aggB'),
  AGGC: id('aggC'),
  CN1: id('cn1'),
  CN2: id('cn2'),
  SS1: id('ss1'),
  SS2: id('ss2'),
  NUMA1_1: id('numa1_1'),
  NUMA1_2: id('numa1_2'),
  NUMA2_1: id('numa2_1'),
  NUMA2_2: id('numa2_2'),
} as const;

export function numaAggregateFixture(pair: RestPair): Promise<Generations> {
  const u = NUMA_AGGREGATE;
  const vcpu = { VCPU: { total: 24, allocation_ratio: 16.0 } };
  const disk = { DISK_GB: { total: 2000, reserved: 100, allocation_ratio: 1.0 } };
  const sharing = ['MISC_SHARES_VIA_AGGREGATE'];
  return buildWorld(pair, {
    providers: [
      { name: 'cn1', uuid: u.CN1, aggregates: [u.AGGA] },
      { name: 'cn2', uuid: u.CN2, aggregates: [u.AGGA, u.AGGB] },
      { name: 'ss1', uuid: u.SS1, aggregates: [u.AGGA], inventories: disk, traits: sharing },
      { name: 'ss2', uuid: u.SS2, aggregates: [u.AGGC], inventories: disk, traits: sharing },
      { name: 'numa1_1', uuid: u.NUMA1_1, parent: u.CN1, aggregates: [u.AGGC], inventories: vcpu },
      { name: 'numa1_2', uuid: u.NUMA1_2, parent: u.CN1, inventories: vcpu },
      { name: 'numa2_1', uuid: u.NUMA2_1, parent: u.CN2, inventories: vcpu },
      { name: 'numa2_2', uuid: u.NUMA2_2, parent: u.CN2, inventories: vcpu },
    ],
  });
}
