/**
 * Placement's AllocationFixture (placement/tests/functional/fixtures/gabbits.py), built through
 * the REST API on both servers of a pair: one provider with VCPU 10 and DISK_GB 2048 (step 10,
 * units 10 to 1000), two consumers of one user (DISK_GB 1000; VCPU 6) and one of another user
 * (DISK_GB 20 + VCPU 1), all in one project. The values upstream puts in os.environ come back,
 * under the same names, as fixed uuids.
 */
import { setUp } from '../gabbit-steps.js';
import type { RestCall, RestPair } from '../rest-pair.js';
import { providerCalls } from './provider-calls.js';

export const ALLOCATION_FIXTURE = {
  RP_UUID: 'a110c000-0000-4000-8000-000000000001',
  RP_NAME: 'a110c000-0000-4000-8000-0000000000aa',
  PROJECT_ID: 'a110c000-0000-4000-8000-0000000000b1',
  USER_ID: 'a110c000-0000-4000-8000-0000000000c1',
  ALT_USER_ID: 'a110c000-0000-4000-8000-0000000000c2',
  CONSUMER_0: 'a110c000-0000-4000-8000-0000000000d0',
  CONSUMER_ID: 'a110c000-0000-4000-8000-0000000000d1',
  ALT_CONSUMER_ID: 'a110c000-0000-4000-8000-0000000000d2',
  /** A provider the fixture does not create. */
  ALT_RP_UUID: 'a110c000-0000-4000-8000-000000000002',
  ALT_RP_NAME: 'a110c000-0000-4000-8000-0000000000ab',
} as const;

export type AllocationFixtureEnv = typeof ALLOCATION_FIXTURE;

function allocate(consumer: string, user: string, resources: Record<string, number>): RestCall {
  const env = ALLOCATION_FIXTURE;
  return {
    method: 'PUT',
    path: `/allocations/${consumer}`,
    version: '1.12',
    body: { allocations: { [env.RP_UUID]: { resources } }, project_id: env.PROJECT_ID, user_id: user },
  };
}

export async function allocationFixture(pair: RestPair): Promise<AllocationFixtureEnv> {
  const env = ALLOCATION_FIXTURE;
  await setUp(pair, [
    ...providerCalls({
      uuid: env.RP_UUID,
      name: env.RP_NAME,
      inventories: [
        ['DISK_GB', 2048, { step_size: 10, min_unit: 10, max_unit: 1000 }],
        ['VCPU', 10, { max_unit: 10 }],
      ],
    }),
    allocate(env.CONSUMER_0, env.USER_ID, { DISK_GB: 1000 }),
    allocate(env.CONSUMER_ID, env.USER_ID, { VCPU: 6 }),
    allocate(env.ALT_CONSUMER_ID, env.ALT_USER_ID, { DISK_GB: 20, VCPU: 1 }),
  ]);
  return env;
}
