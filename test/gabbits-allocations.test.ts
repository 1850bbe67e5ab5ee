/**
 * Placement's functional tests of allocations (gabbi YAML files in placement/tests/functional/
 * gabbits/), re-expressed as differential scenarios: each call goes to the real Placement 8.0 and
 * to our /placement, and every difference fails (test/support/gabbit-playback.ts). One `it` per
 * YAML file, each from empty servers (resetPair) plus the file's fixture, with fixed uuids where
 * the YAML draws them at random ($ENVIRON).
 *
 * Skipped, with reasons:
 * - allocations-policy.yaml, allocations-legacy-rbac.yaml, allocations-secure-rbac.yaml: roles
 *   differ by design (test/rest-role-matrix.test.ts covers them).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ALLOCATION_FIXTURE, allocationFixture } from './support/gabbit-fixtures/allocation.js';
import { JSON_HEADERS, link, location, Playback, type PlaybackDefaults, read } from './support/gabbit-playback.js';
import { resetPair } from './support/pair-reset.js';
import { type PairedServers, type RestPair, startPairedServers } from './support/rest-pair.js';

let servers: PairedServers;
let pair: RestPair;

beforeAll(async () => {
  servers = await startPairedServers();
  pair = servers.pair;
}, 120_000);

afterAll(async () => {
  await servers?.close();
});

beforeEach(async () => {
  await resetPair(pair);
}, 60_000);

/** A playback on the emptied pair, with gabbi's `accept: application/json` unless told otherwise. */
function playback(defaults: PlaybackDefaults = {}): Playback {
  return new Playback(pair, { ...defaults, headers: { accept: 'application/json', ...defaults.headers } });
}

/** The AllocationFixture built on the pair, its calls counted with the playback's. */
async function withAllocationFixture(run: Playback): Promise<void> {
  run.include((await allocationFixture(pair)).results);
}

/** No difference but those the listed allowances cover, and each of them covers one. */
function expectSame(run: Playback, allowances: string[] = []): void {
  const outcome = run.outcome();
  expect(outcome.unexpected).toEqual([]);
  expect(outcome.allowed).toEqual([...allowances].sort());
}

const F = ALLOCATION_FIXTURE;
/** A project and user for files that use $ENVIRON['PROJECT_ID'] / ['USER_ID'] on an empty fixture. */
const PROJECT = 'a110ca7e-0000-4000-8000-00000000f001';
const USER = 'a110ca7e-0000-4000-8000-00000000f002';
const PROJECT_ALT = 'a110ca7e-0000-4000-8000-00000000f003';
const USER_ALT = 'a110ca7e-0000-4000-8000-00000000f004';

describe("Placement's allocation gabbits", () => {
  // allocations.yaml: the 1.0 list form end to end: 405 on the collection, empty and invalid
  // bodies, no inventory, zero/omitted usage, in-use provider delete, re-put, bad class, delete
  // twice, several providers, dashless consumer uuid at 1.28, unknown provider, cache headers at
  // 1.15 vs 1.14, non-uuid consumer.
  it('allocations.yaml', async () => {
    const run = playback();
    const RP = 'a110ca7e-0001-4000-8000-000000000001';
    const RP1 = 'a110ca7e-0001-4000-8000-000000000002';
    const RP2 = 'a110ca7e-0001-4000-8000-000000000003';
    const C1 = 'a110ca7e-0001-4000-8000-0000000000c1';
    const C2 = 'a110ca7e-0001-4000-8000-0000000000c2';
    const C3 = 'a110ca7e-0001-4000-8000-0000000000c3';
    const C4 = 'a110ca7e-0001-4000-8000-0000000000c4';
    const C5 = 'a110ca7e-0001-4000-8000-0000000000c5';
    const UNKNOWN_CONSUMER = 'a110ca7e-0001-4000-8000-0000000000cf';
    const MISSING_RP = 'a110ca7e-0001-4000-8000-0000000000ff';
    const disk = (uuid: string, amount: number) => ({
      allocations: [{ resource_provider: { uuid }, resources: { DISK_GB: amount } }],
    });
    await run.call('GET', '/allocations');
    await run.call('GET', `/allocations/${C1}`);
    await run.call('PUT', `/allocations/${C1}`, { body: { allocations: [{ resources: { DISK_GB: 10 } }] } });
    await run.call('POST', '/resource_providers', { body: { name: 'a110ca7e-0001-4000-8000-0000000000a1', uuid: RP } });
    await run.call('PUT', `/allocations/${C1}`, { headers: JSON_HEADERS });
    await run.call('PUT', `/allocations/${C1}`, { body: { allocations: [] } });
    await run.call('PUT', `/allocations/${C1}`, {
      body: { allocations: [{ resource_provider: { uuid: RP }, resources: { cow: 10 } }] },
    });
    await run.call('PUT', `/allocations/${C1}`, { body: disk(RP, 10) });
    await run.call('POST', `/resource_providers/${RP}/inventories`, {
      body: { resource_class: 'DISK_GB', total: 2048, min_unit: 10, max_unit: 1024 },
    });
    await run.call('PUT', `/allocations/${C1}`, { body: disk(RP, 0) });
    await run.call('PUT', `/allocations/${C1}`, { body: { allocations: [{ resource_provider: { uuid: RP } }] } });
    await run.call('PUT', `/allocations/${C1}`, { body: disk(RP, 10) });
    await run.call('DELETE', `/resource_providers/${RP}`, { version: '1.23', headers: JSON_HEADERS });
    await run.call('PUT', `/allocations/${C2}`, { body: disk(RP, 10) });
    await run.call('GET', `/resource_providers/${RP}/usages`);
    await run.call('PUT', `/allocations/${C1}`, { body: disk(RP, 12) });
    await run.call('GET', `/resource_providers/${RP}/usages`);
    await run.call('PUT', `/allocations/${C1}`, {
      body: { allocations: [{ resource_provider: { uuid: RP }, resources: { COWS: 12 } }] },
    });
    await run.call('DELETE', `/allocations/${C1}`);
    await run.call('DELETE', `/allocations/${C1}`);
    await run.call('DELETE', `/allocations/${UNKNOWN_CONSUMER}`);
    await run.call('PUT', `/allocations/${C1}`, { body: disk(RP, 10) });
    await run.call('POST', `/resource_providers/${RP}/inventories`, {
      body: { resource_class: 'VCPU', total: 32, min_unit: 1, max_unit: 8 },
    });
    await run.call('PUT', `/allocations/${C3}`, {
      body: { allocations: [{ resource_provider: { uuid: RP }, resources: { DISK_GB: 20, VCPU: 4 } }] },
    });
    await run.call('GET', `/resource_providers/${RP}/usages`);
    await run.call('GET', `/resource_providers/${RP}/allocations`);
    await run.call('GET', `/resource_providers/${MISSING_RP}/allocations`);
    await run.call('GET', `/allocations/${C3}`);
    await run.call('GET', `/allocations/${C1}`);
    await run.call('POST', '/resource_providers', { body: { name: 'rp1', uuid: RP1 } });
    await run.call('POST', '/resource_providers', { body: { name: 'rp2', uuid: RP2 } });
    await run.call('PUT', `/resource_providers/${RP1}/inventories`, {
      body: {
        resource_provider_generation: 0,
        inventories: { VCPU: { total: 32, max_unit: 32 }, DISK_GB: { total: 10, max_unit: 10 } },
      },
    });
    await run.call('PUT', `/resource_providers/${RP2}/inventories`, {
      body: {
        resource_provider_generation: 0,
        inventories: { VCPU: { total: 16, max_unit: 16 }, DISK_GB: { total: 20, max_unit: 20 } },
      },
    });
    const onBoth = (two: Record<string, number>, one: Record<string, number>) => ({
      allocations: [
        { resource_provider: { uuid: RP2 }, resources: two },
        { resource_provider: { uuid: RP1 }, resources: one },
      ],
    });
    await run.call('PUT', `/allocations/${C4}`, { body: onBoth({ DISK_GB: 10, VCPU: 8 }, { DISK_GB: 5, VCPU: 16 }) });
    await run.call('PUT', `/allocations/${C5}`, { body: onBoth({ DISK_GB: 5, VCPU: 4 }, { DISK_GB: 2, VCPU: 8 }) });
    await run.call('GET', `/allocations/${C4}`);
    await run.call('GET', `/resource_providers/${RP2}/allocations`);
    await run.call('PUT', `/allocations/${C5.replaceAll('-', '')}`, {
      version: '1.28',
      body: {
        allocations: {
          [RP2]: { resources: { DISK_GB: 1, VCPU: 1 } },
          [RP1]: { resources: { DISK_GB: 1, VCPU: 1 } },
        },
        consumer_generation: 1,
        project_id: '00000000-0000-0000-0000-000000000000',
        user_id: '00000000-0000-0000-0000-000000000000',
      },
    });
    await run.call('GET', `/allocations/${C5}`);
    await run.call('PUT', `/allocations/${C5}`, {
      body: { allocations: [{ resource_provider: { uuid: MISSING_RP }, resources: { DISK_GB: 5, VCPU: 4 } }] },
    });
    await run.call('GET', `/resource_providers/${RP2}/allocations`, { version: '1.15' });
    await run.call('GET', `/resource_providers/${RP2}/allocations`, { version: '1.14' });
    await run.call('GET', `/allocations/${C4}`, { version: '1.15' });
    await run.call('GET', `/allocations/${C4}`, { version: '1.14' });
    await run.call('PUT', '/allocations/not-a-uuid', {
      body: { allocations: [{ resource_provider: { uuid: RP2 }, resources: { DISK_GB: 1, VCPU: 1 } }] },
    });
    expectSame(run);
  });
});
