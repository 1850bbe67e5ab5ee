/**
 * Placement's NonSharedStorageFixture (placement/tests/functional/fixtures/gabbits.py): three
 * compute nodes with local VCPU, MEMORY_MB and DISK_GB, in no aggregate; three aggregate uuids
 * for the test to associate.
 */
import { uuidOf } from '../candidate-world.js';
import type { RestPair } from '../rest-pair.js';
import { buildWorld, type Generations } from './build.js';

const id = (name: string) => uuidOf(`non-shared-storage/${name}`);

export const NON_SHARED_STORAGE = {
  AGGA: id('aggA'),
  AGGB: id('aggB'),
  AGGC: id('aggC'),
  CN1: id('cn1'),
  CN2: id('cn2'),
  CN3: id('cn3'),
} as const;

export function nonSharedStorageFixture(pair: RestPair): Promise<Generations> {
  const u = NON_SHARED_STORAGE;
  const inventories = { VCPU: { total: 24 }, MEMORY_MB: { total: 128 * 1024 }, DISK_GB: { total: 2000 } };
  return buildWorld(pair, {
    providers: [
      { name: 'cn1', uuid: u.CN1, inventories },
      { name: 'cn2', uuid: u.CN2, inventories },
      { name: 'cn3', uuid: u.CN3, inventories },
    ],
  });
}
