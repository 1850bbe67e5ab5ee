/**
 * Placement's AllocationFixture (placement/tests/functional/fixtures/gabbits.py), built through
 * the REST API on both servers of a pair: one provider with DISK_GB and VCPU inventory and three
 * consumers' allocations on it, two of one user, one of another, all in one project.
 *
 *   consumer0 DISK_GB 1000 ─┐
 *   consumer  VCPU 6       ─┼─ rp: DISK_GB 2048 (step 10, min 10, max 1000), VCPU 10 (max 10)
 *   alt consumer (alt user) DISK_GB 20, VCPU 1 ─┘
 *
 * Placement writes it through its objects; the calls here leave the same state, generations
 * included: the provider is at generation 5 (two inventory writes, three allocation writes) and
 * each consumer at generation 1, with no consumer type ("unknown" at 1.38).
 * Upstream draws the uuids at random; these are fixed so both servers get the same ones.
 */
import type { RestPair } from '../rest-pair.js';
import { buildWorld, type FixtureAllocation, type Generations } from './build.js';

export const ALLOCATION_FIXTURE = {
  RP_UUID: 'a110ca7e-0000-4000-8000-000000000001',
  RP_NAME: 'a110ca7e-0000-4000-8000-0000000000a1',
  /** A provider the fixture does not create (upstream's ALT_RP_UUID / ALT_RP_NAME). */
  ALT_RP_UUID: 'a110ca7e-0000-4000-8000-000000000002',
  ALT_RP_NAME: 'a110ca7e-0000-4000-8000-0000000000a2',
  PROJECT_ID: 'a110ca7e-0000-4000-8000-0000000000b1',
  USER_ID: 'a110ca7e-0000-4000-8000-0000000000c1',
  ALT_USER_ID: 'a110ca7e-0000-4000-8000-0000000000c2',
  /** The DISK_GB 1000 consumer. */
  CONSUMER_0: 'a110ca7e-0000-4000-8000-0000000000d0',
  /** The VCPU 6 consumer. */
  CONSUMER_ID: 'a110ca7e-0000-4000-8000-0000000000d1',
  /** The alt user's consumer (DISK_GB 20, VCPU 1). */
  ALT_CONSUMER_ID: 'a110ca7e-0000-4000-8000-0000000000d2',
} as const;

/**
 * Builds the fixture on both servers (which must be empty): the inventories one class per write
 * and the three allocations one by one, so the generations are upstream's.
 */
export function allocationFixture(pair: RestPair): Promise<Generations> {
  const f = ALLOCATION_FIXTURE;
  const onRp = (consumer: string, user: string, resources: Record<string, number>): FixtureAllocation => ({
    consumer,
    project: f.PROJECT_ID,
    user,
    allocations: { [f.RP_UUID]: resources },
  });
  return buildWorld(pair, {
    providers: [
      {
        name: f.RP_NAME,
        uuid: f.RP_UUID,
        inventoryPerClass: true,
        inventories: {
          DISK_GB: { total: 2048, step_size: 10, min_unit: 10, max_unit: 1000 },
          VCPU: { total: 10, max_unit: 10 },
        },
      },
    ],
    allocations: [
      onRp(f.CONSUMER_0, f.USER_ID, { DISK_GB: 1000 }),
      onRp(f.CONSUMER_ID, f.USER_ID, { VCPU: 6 }),
      onRp(f.ALT_CONSUMER_ID, f.ALT_USER_ID, { DISK_GB: 20, VCPU: 1 }),
    ],
  });
}
