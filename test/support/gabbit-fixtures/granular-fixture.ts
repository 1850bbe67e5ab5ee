/**
 * Placement's GranularFixture (placement/tests/functional/fixtures/gabbits.py): three compute
 * nodes (cn_left, cn_middle, cn_right) with different classes and traits, two sharing disk
 * providers and one sharing network provider, linked by aggregates A, B and C.
 */
import { uuidOf } from '../candidate-world.js';
import type { RestPair } from '../rest-pair.js';
import { buildWorld, type Generations } from './build.js';

const id = (name: string) => uuidOf(`granular/${name}`);

export const GRANULAR = {
  AGGA: id('aggA'),
  AGGB: id('aggB'),
  AGGC: id('aggC'),
  CN_LEFT: id('cn_left'),
  CN_MIDDLE: id('cn_middle'),
  CN_RIGHT: id('cn_right'),
  SHR_DISK_1: id('shr_disk_1'),
  SHR_DISK_2: id('shr_disk_2'),
  SHR_NET: id('shr_net'),
} as const;

export function granularFixture(pair: RestPair): Promise<Generations> {
  const u = GRANULAR;
  return buildWorld(pair, {
    customClasses: ['CUSTOM_NET_MBPS'],
    providers: [
      {
        name: 'cn_left',
        uuid: u.CN_LEFT,
        aggregates: [u.AGGA],
        inventories: {
          VCPU: { total: 8 },
          MEMORY_MB: { total: 4096 },
          DISK_GB: { total: 500 },
          VGPU: { total: 8 },
          SRIOV_NET_VF: { total: 8 },
          CUSTOM_NET_MBPS: { total: 4000 },
        },
        traits: ['HW_CPU_X86_AVX', 'HW_CPU_X86_AVX2', 'HW_GPU_API_DXVA', 'HW_NIC_DCB_PFC', 'CUSTOM_FOO'],
      },
      {
        name: 'cn_middle',
        uuid: u.CN_MIDDLE,
        aggregates: [u.AGGA, u.AGGB],
        inventories: {
          VCPU: { total: 8 },
          MEMORY_MB: { total: 4096 },
          SRIOV_NET_VF: { total: 8 },
          CUSTOM_NET_MBPS: { total: 4000 },
        },
        traits: ['HW_CPU_X86_AVX', 'HW_CPU_X86_AVX2', 'HW_CPU_X86_SSE', 'HW_NIC_ACCEL_TLS'],
      },
      {
        name: 'cn_right',
        uuid: u.CN_RIGHT,
        aggregates: [u.AGGB, u.AGGC],
        inventories: {
          VCPU: { total: 8 },
          MEMORY_MB: { total: 4096 },
          DISK_GB: { total: 500 },
          VGPU: { total: 8, max_unit: 2 },
        },
        traits: ['HW_CPU_X86_MMX', 'HW_GPU_API_DXVA', 'CUSTOM_DISK_SSD'],
      },
      {
        name: 'shr_disk_1',
        uuid: u.SHR_DISK_1,
        aggregates: [u.AGGA],
        inventories: { DISK_GB: { total: 1000 } },
        traits: ['MISC_SHARES_VIA_AGGREGATE', 'CUSTOM_DISK_SSD'],
      },
      {
        name: 'shr_disk_2',
        uuid: u.SHR_DISK_2,
        aggregates: [u.AGGA, u.AGGB],
        inventories: { DISK_GB: { total: 1000 } },
        traits: ['MISC_SHARES_VIA_AGGREGATE'],
      },
      {
        name: 'shr_net',
        uuid: u.SHR_NET,
        aggregates: [u.AGGC],
        inventories: { SRIOV_NET_VF: { total: 16 }, CUSTOM_NET_MBPS: { total: 40000 } },
        traits: ['MISC_SHARES_VIA_AGGREGATE'],
      },
    ],
  });
}
