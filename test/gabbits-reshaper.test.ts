/**
 * Placement's functional test of the reshaper (placement/tests/functional/gabbits/reshaper.yaml),
 * re-expressed as a differential scenario on the real Placement 8.0 and our /placement
 * (test/support/gabbit-playback.ts), on the AllocationFixture with fixed uuids.
 *
 * Skipped, with reasons:
 * - reshaper.yaml "reshaper requires admin not user": sends noauth2's non-admin token `user`;
 *   roles differ by design, and test/rest-role-matrix.test.ts checks POST /reshaper's policy.
 * - reshaper-policy.yaml, reshaper-legacy-rbac.yaml, reshaper-secure-rbac.yaml: same reason.
 */
import { describe, it } from 'vitest';
import { ALLOCATION_FIXTURE, allocationFixture } from './support/gabbit-fixtures/allocation-fixture.js';
import { expectSame, gabbitPair, JSON_HEADERS } from './support/gabbit-playback.js';

const { playback } = gabbitPair();

const F = ALLOCATION_FIXTURE;
const INSTANCE = 'a110ca7e-0010-4000-8000-0000000000c1';
/** A child that does not exist (the YAML's literal uuid). */
const NO_CHILD = '39bafc00-3fff-444d-b87a-2ead3f866e05';
const NEW_VCPU_CONSUMER = '7bd2e864-0415-445c-8fc2-328520ef7642';
const NEW_ALT_CONSUMER = '2dfa608c-cecb-4fe0-a1bb-950015fa731f';

type Resources = Record<string, number>;

/** One consumer's entry in a reshape: its allocations by provider, owner and generation. */
function consumer(
  allocations: Record<string, Resources>,
  generation: number | null,
  extra: Record<string, unknown> = {},
  user: string = F.USER_ID,
) {
  return {
    allocations: Object.fromEntries(Object.entries(allocations).map(([rp, resources]) => [rp, { resources }])),
    project_id: F.PROJECT_ID,
    user_id: user,
    consumer_generation: generation,
    ...extra,
  };
}

const DISK = { total: 2048, step_size: 10, min_unit: 10, max_unit: 1200 };
const CHILD_VCPU = { total: 10, max_unit: 8 };

/**
 * The YAML's move of VCPU from the fixture's provider to a child: parent keeps DISK_GB, the
 * child gets VCPU, the three fixture consumers follow. `change` alters one part per test.
 */
function moveToChild(
  change: {
    child?: string;
    disk?: Record<string, unknown>;
    diskClass?: string;
    consumer0Extra?: Record<string, unknown>;
  } = {},
) {
  const child = change.child ?? F.ALT_RP_UUID;
  return {
    inventories: {
      [F.RP_UUID]: {
        resource_provider_generation: 5,
        inventories: { [change.diskClass ?? 'DISK_GB']: { ...DISK, ...change.disk } },
      },
      [child]: { resource_provider_generation: 0, inventories: { VCPU: CHILD_VCPU } },
    },
    allocations: {
      [F.CONSUMER_0]: consumer({ [F.RP_UUID]: { DISK_GB: 1000 } }, 1, change.consumer0Extra),
      [F.CONSUMER_ID]: consumer({ [F.ALT_RP_UUID]: { VCPU: 8 } }, 1),
      [F.ALT_CONSUMER_ID]: consumer(
        { [F.RP_UUID]: { DISK_GB: 20 }, [F.ALT_RP_UUID]: { VCPU: 1 } },
        1,
        {},
        F.ALT_USER_ID,
      ),
    },
  };
}

/**
 * The YAML's move back: everything on the parent again, the child emptied, two consumers
 * replaced by new ones. Generations as given; `mappings` on consumer0 from 1.34.
 */
function consolidate(g: {
  parent: number;
  child: number;
  consumer0: number;
  vcpu: number | null;
  alt: number | null;
  consumerId: number | null;
  altConsumer: number;
  mappings?: boolean;
}) {
  return {
    inventories: {
      [F.RP_UUID]: { resource_provider_generation: g.parent, inventories: { DISK_GB: DISK, VCPU: CHILD_VCPU } },
      [F.ALT_RP_UUID]: { resource_provider_generation: g.child, inventories: {} },
    },
    allocations: {
      [F.CONSUMER_0]: consumer(
        { [F.RP_UUID]: { DISK_GB: 1000 } },
        g.consumer0,
        g.mappings ? { mappings: { '': [F.RP_UUID] } } : {},
      ),
      [NEW_VCPU_CONSUMER]: consumer({ [F.RP_UUID]: { VCPU: 8 } }, g.vcpu),
      [NEW_ALT_CONSUMER]: consumer({ [F.RP_UUID]: { DISK_GB: 20, VCPU: 1 } }, g.alt, {}, F.ALT_USER_ID),
      [F.CONSUMER_ID]: consumer({}, g.consumerId),
      [F.ALT_CONSUMER_ID]: consumer({ [F.RP_UUID]: { DISK_GB: 20 } }, g.altConsumer, {}, F.ALT_USER_ID),
    },
  };
}

describe("Placement's reshaper gabbit", () => {
  // reshaper.yaml (AllocationFixture, 1.30): POST only, absent before 1.30, schema refusals,
  // inventory in use, allocation over the new inventory, provider and consumer generation
  // conflicts, a child that does not exist, unknown fields, unknown class, max_unit violated;
  // then VCPU moved to a child provider with its allocations, moved back with consumers
  // replaced, and again with mappings at 1.34 (refused at 1.33).
  it('reshaper.yaml', async () => {
    const run = playback({ version: '1.30', headers: JSON_HEADERS });
    await allocationFixture(run.pair);
    const vcpuOnly = (generation: number) => ({
      [F.RP_UUID]: { resource_provider_generation: generation, inventories: { VCPU: { total: 1 } } },
    });
    await run.call('GET', '/reshaper', { status: 405 });
    await run.call('POST', '/reshaper', { status: 404, version: '1.29' });
    await run.call('POST', '/reshaper', { status: 400, body: { cows: 'moo' } });
    await run.call('POST', '/reshaper', { status: 400, body: { inventories: vcpuOnly(0) } });
    await run.call('POST', '/reshaper', { status: 409, body: { inventories: vcpuOnly(5), allocations: {} } });
    await run.call('POST', '/reshaper', {
      status: 409,
      body: { inventories: vcpuOnly(5), allocations: { [INSTANCE]: consumer({ [F.RP_UUID]: { VCPU: 1 } }, null) } },
    });
    await run.call('POST', '/reshaper', { status: 409, body: { inventories: vcpuOnly(4), allocations: {} } });
    await run.call('POST', '/reshaper', {
      status: 409,
      body: { inventories: vcpuOnly(5), allocations: { [INSTANCE]: consumer({ [F.RP_UUID]: { VCPU: 1 } }, 99) } },
    });
    await run.call('POST', '/resource_providers', {
      body: { uuid: F.ALT_RP_UUID, name: F.ALT_RP_NAME, parent_provider_uuid: F.RP_UUID },
    });
    await run.call('POST', '/reshaper', { status: 400, body: moveToChild({ child: NO_CHILD }) });
    await run.call('POST', '/reshaper', { status: 400, body: moveToChild({ disk: { bad_field: 'moo' } }) });
    await run.call('POST', '/reshaper', { status: 400, body: moveToChild({ consumer0Extra: { bad_field: 'moo' } }) });
    await run.call('POST', '/reshaper', { status: 400, body: moveToChild({ diskClass: 'DISK_OF_STEEL' }) });
    await run.call('POST', '/reshaper', { status: 409, body: moveToChild({ disk: { max_unit: 600 } }) });
    await run.call('POST', '/reshaper', { status: 204, body: moveToChild() });
    await run.call('GET', `/resource_providers/${F.RP_UUID}/usages`);
    await run.call('GET', `/resource_providers/${F.ALT_RP_UUID}/usages`);
    await run.call('POST', '/reshaper', {
      status: 204,
      body: consolidate({ parent: 8, child: 3, consumer0: 2, vcpu: null, alt: null, consumerId: 2, altConsumer: 2 }),
    });
    await run.call('GET', `/resource_providers/${F.RP_UUID}/usages`);
    await run.call('GET', `/resource_providers/${F.ALT_RP_UUID}/usages`);
    await run.call('POST', '/reshaper', {
      status: 204,
      version: '1.34',
      body: consolidate({
        parent: 11,
        child: 5,
        consumer0: 3,
        vcpu: 1,
        alt: 1,
        consumerId: null,
        altConsumer: 3,
        mappings: true,
      }),
    });
    await run.call('POST', '/reshaper', {
      status: 400,
      version: '1.33',
      body: consolidate({
        parent: 8,
        child: 3,
        consumer0: 2,
        vcpu: null,
        alt: null,
        consumerId: 2,
        altConsumer: 2,
        mappings: true,
      }),
    });
    expectSame(run);
  });
});
