/**
 * Placement's GranularFixture (placement/tests/functional/fixtures/gabbits.py), built through
 * the REST API on both servers of a pair: three compute nodes (cn_left, cn_middle, cn_right)
 * and three sharing providers (shr_disk_1, shr_disk_2, shr_net) over aggregates A, B and C, with
 * the inventories and traits of upstream's drawing. Upstream's os.environ names come back as
 * fixed uuids.
 */
import { setUp } from '../gabbit-steps.js';
import type { RestPair } from '../rest-pair.js';
import { providerCalls } from './provider-calls.js';

export const GRANULAR_FIXTURE = {
  AGGA: '6a000000-0000-4000-8000-0000000000a1',
  AGGB: '6a000000-0000-4000-8000-0000000000a2',
  AGGC: '6a000000-0000-4000-8000-0000000000a3',
  CN_LEFT: '6a000000-0000-4000-8000-000000000001',
  CN_MIDDLE: '6a000000-0000-4000-8000-000000000002',
  CN_RIGHT: '6a000000-0000-4000-8000-000000000003',
  SHR_DISK_1: '6a000000-0000-4000-8000-000000000004',
  SHR_DISK_2: '6a000000-0000-4000-8000-000000000005',
  SHR_NET: '6a000000-0000-4000-8000-000000000006',
} as const;

export type GranularFixtureEnv = typeof GRANULAR_FIXTURE;

export async function granularFixture(pair: RestPair): Promise<GranularFixtureEnv> {
  const env = GRANULAR_FIXTURE;
  await setUp(pair, [
    { method: 'POST', path: '/resource_classes', version: '1.2', body: { name: 'CUSTOM_NET_MBPS' } },
    // Custom traits test_base.set_traits creates on the way.
    { method: 'PUT', path: '/traits/CUSTOM_FOO', version: '1.6' },
    { method: 'PUT', path: '/traits/CUSTOM_DISK_SSD', version: '1.6' },
    ...providerCalls({
      uuid: env.CN_LEFT,
      name: 'cn_left',
      aggregates: [env.AGGA],
      inventories: [
        ['VCPU', 8],
        ['MEMORY_MB', 4096],
        ['DISK_GB', 500],
        ['VGPU', 8],
        ['SRIOV_NET_VF', 8],
        ['CUSTOM_NET_MBPS', 4000],
      ],
      traits: ['HW_CPU_X86_AVX', 'HW_CPU_X86_AVX2', 'HW_GPU_API_DXVA', 'HW_NIC_DCB_PFC', 'CUSTOM_FOO'],
    }),
    ...providerCalls({
      uuid: env.CN_MIDDLE,
      name: 'cn_middle',
      aggregates: [env.AGGA, env.AGGB],
      inventories: [
        ['VCPU', 8],
        ['MEMORY_MB', 4096],
        ['SRIOV_NET_VF', 8],
        ['CUSTOM_NET_MBPS', 4000],
      ],
      traits: ['HW_CPU_X86_AVX', 'HW_CPU_X86_AVX2', 'HW_CPU_X86_SSE', 'HW_NIC_ACCEL_TLS'],
    }),
    ...providerCalls({
      uuid: env.CN_RIGHT,
      name: 'cn_right',
      aggregates: [env.AGGB, env.AGGC],
      inventories: [
        ['VCPU', 8],
        ['MEMORY_MB', 4096],
        ['DISK_GB', 500],
        ['VGPU', 8, { max_unit: 2 }],
      ],
      traits: ['HW_CPU_X86_MMX', 'HW_GPU_API_DXVA', 'CUSTOM_DISK_SSD'],
    }),
    ...providerCalls({
      uuid: env.SHR_DISK_1,
      name: 'shr_disk_1',
      aggregates: [env.AGGA],
      inventories: [['DISK_GB', 1000]],
      traits: ['MISC_SHARES_VIA_AGGREGATE', 'CUSTOM_DISK_SSD'],
    }),
    ...providerCalls({
      uuid: env.SHR_DISK_2,
      name: 'shr_disk_2',
      aggregates: [env.AGGA, env.AGGB],
      inventories: [['DISK_GB', 1000]],
      traits: ['MISC_SHARES_VIA_AGGREGATE'],
    }),
    ...providerCalls({
      uuid: env.SHR_NET,
      name: 'shr_net',
      aggregates: [env.AGGC],
      inventories: [
        ['SRIOV_NET_VF', 16],
        ['CUSTOM_NET_MBPS', 40000],
      ],
      traits: ['MISC_SHARES_VIA_AGGREGATE'],
    }),
  ]);
  return env;
}
