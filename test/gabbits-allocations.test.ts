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
    await run.call('GET', '/allocations', { status: 405 });
    await run.call('GET', `/allocations/${C1}`);
    await run.call('PUT', `/allocations/${C1}`, {
      status: 400,
      body: { allocations: [{ resources: { DISK_GB: 10 } }] },
    });
    await run.call('POST', '/resource_providers', {
      status: 201,
      body: { name: 'a110ca7e-0001-4000-8000-0000000000a1', uuid: RP },
    });
    await run.call('PUT', `/allocations/${C1}`, { status: 400, headers: JSON_HEADERS });
    await run.call('PUT', `/allocations/${C1}`, { status: 400, body: { allocations: [] } });
    await run.call('PUT', `/allocations/${C1}`, {
      status: 400,
      body: { allocations: [{ resource_provider: { uuid: RP }, resources: { cow: 10 } }] },
    });
    await run.call('PUT', `/allocations/${C1}`, { status: 409, body: disk(RP, 10) });
    await run.call('POST', `/resource_providers/${RP}/inventories`, {
      status: 201,
      body: { resource_class: 'DISK_GB', total: 2048, min_unit: 10, max_unit: 1024 },
    });
    await run.call('PUT', `/allocations/${C1}`, { status: 400, body: disk(RP, 0) });
    await run.call('PUT', `/allocations/${C1}`, {
      status: 400,
      body: { allocations: [{ resource_provider: { uuid: RP } }] },
    });
    await run.call('PUT', `/allocations/${C1}`, { status: 204, body: disk(RP, 10) });
    await run.call('DELETE', `/resource_providers/${RP}`, { status: 409, version: '1.23', headers: JSON_HEADERS });
    await run.call('PUT', `/allocations/${C2}`, { status: 204, body: disk(RP, 10) });
    await run.call('GET', `/resource_providers/${RP}/usages`);
    await run.call('PUT', `/allocations/${C1}`, { status: 204, body: disk(RP, 12) });
    await run.call('GET', `/resource_providers/${RP}/usages`);
    await run.call('PUT', `/allocations/${C1}`, {
      status: 400,
      body: { allocations: [{ resource_provider: { uuid: RP }, resources: { COWS: 12 } }] },
    });
    await run.call('DELETE', `/allocations/${C1}`, { status: 204 });
    await run.call('DELETE', `/allocations/${C1}`, { status: 404 });
    await run.call('DELETE', `/allocations/${UNKNOWN_CONSUMER}`, { status: 404 });
    await run.call('PUT', `/allocations/${C1}`, { status: 204, body: disk(RP, 10) });
    await run.call('POST', `/resource_providers/${RP}/inventories`, {
      status: 201,
      body: { resource_class: 'VCPU', total: 32, min_unit: 1, max_unit: 8 },
    });
    await run.call('PUT', `/allocations/${C3}`, {
      status: 204,
      body: { allocations: [{ resource_provider: { uuid: RP }, resources: { DISK_GB: 20, VCPU: 4 } }] },
    });
    await run.call('GET', `/resource_providers/${RP}/usages`);
    await run.call('GET', `/resource_providers/${RP}/allocations`);
    await run.call('GET', `/resource_providers/${MISSING_RP}/allocations`, { status: 404 });
    await run.call('GET', `/allocations/${C3}`);
    await run.call('GET', `/allocations/${C1}`);
    await run.call('POST', '/resource_providers', { status: 201, body: { name: 'rp1', uuid: RP1 } });
    await run.call('POST', '/resource_providers', { status: 201, body: { name: 'rp2', uuid: RP2 } });
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
    await run.call('PUT', `/allocations/${C4}`, {
      status: 204,
      body: onBoth({ DISK_GB: 10, VCPU: 8 }, { DISK_GB: 5, VCPU: 16 }),
    });
    await run.call('PUT', `/allocations/${C5}`, {
      status: 204,
      body: onBoth({ DISK_GB: 5, VCPU: 4 }, { DISK_GB: 2, VCPU: 8 }),
    });
    await run.call('GET', `/allocations/${C4}`);
    await run.call('GET', `/resource_providers/${RP2}/allocations`);
    await run.call('PUT', `/allocations/${C5.replaceAll('-', '')}`, {
      status: 204,
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
      status: 400,
      body: { allocations: [{ resource_provider: { uuid: MISSING_RP }, resources: { DISK_GB: 5, VCPU: 4 } }] },
    });
    await run.call('GET', `/resource_providers/${RP2}/allocations`, { version: '1.15' });
    await run.call('GET', `/resource_providers/${RP2}/allocations`, { version: '1.14' });
    await run.call('GET', `/allocations/${C4}`, { version: '1.15' });
    await run.call('GET', `/allocations/${C4}`, { version: '1.14' });
    await run.call('PUT', '/allocations/not-a-uuid', {
      status: 400,
      body: { allocations: [{ resource_provider: { uuid: RP2 }, resources: { DISK_GB: 1, VCPU: 1 } }] },
    });
    expectSame(run);
  });

  // allocations-1-8.yaml: from 1.8 project_id and user_id are required (absent, empty, too long),
  // then a good allocation.
  it('allocations-1-8.yaml', async () => {
    const run = playback({ version: '1.8' });
    const RP = 'a110ca7e-0002-4000-8000-000000000001';
    const C = 'a110ca7e-0002-4000-8000-0000000000c1';
    const tooLong = '78725f09-5c01-4c9e-97a5-98d75e1e32b1'.repeat(8);
    const body = (extra: Record<string, unknown>) => ({
      allocations: [{ resource_provider: { uuid: RP }, resources: { DISK_GB: 10 } }],
      ...extra,
    });
    await run.call('PUT', `/allocations/${C}`, { status: 400, body: body({}) });
    await run.call('PUT', `/allocations/${C}`, { status: 400, body: body({ user_id: USER }) });
    await run.call('PUT', `/allocations/${C}`, { status: 400, body: body({ project_id: PROJECT }) });
    await run.call('PUT', `/allocations/${C}`, { status: 400, body: body({ project_id: '', user_id: USER }) });
    await run.call('PUT', `/allocations/${C}`, { status: 400, body: body({ project_id: PROJECT, user_id: '' }) });
    await run.call('PUT', `/allocations/${C}`, { status: 400, body: body({ project_id: tooLong, user_id: USER }) });
    await run.call('PUT', `/allocations/${C}`, { status: 400, body: body({ project_id: PROJECT, user_id: tooLong }) });
    await run.call('POST', '/resource_providers', {
      status: 201,
      body: { name: 'a110ca7e-0002-4000-8000-0000000000a1', uuid: RP },
    });
    await run.call('POST', `/resource_providers/${RP}/inventories`, {
      status: 201,
      body: { resource_class: 'DISK_GB', total: 2048, min_unit: 10, max_unit: 1024 },
    });
    await run.call('PUT', `/allocations/${C}`, { status: 204, body: body({ project_id: PROJECT, user_id: USER }) });
    expectSame(run);
  });

  // allocations-1-12.yaml: the dict form from 1.12: list form refused, provider key not a uuid,
  // bad class name, empty allocations, unknown field; then a good one, read back and put back
  // as read (generations in it are ignored).
  it('allocations-1-12.yaml', async () => {
    const run = playback({ version: '1.12', headers: JSON_HEADERS });
    const RP = 'a110ca7e-0003-4000-8000-000000000001';
    const C = 'a110ca7e-0003-4000-8000-0000000000c1';
    const P = '42a32c07-3eeb-4401-9373-68a8cdca6784';
    const U = '66cb2f29-c86d-47c3-8af5-69ae7b778c70';
    const dict = (allocations: unknown, extra: Record<string, unknown> = {}) => ({
      allocations,
      project_id: P,
      user_id: U,
      ...extra,
    });
    await run.call('PUT', `/allocations/${C}`, {
      status: 400,
      body: dict([{ resource_provider: { uuid: RP }, resources: { DISK_GB: 10 } }]),
    });
    await run.call('PUT', `/allocations/${C}`, {
      status: 400,
      body: dict({ nice_house_friend: { resources: { VCPU: 1, DISK_GB: 20 } } }),
    });
    await run.call('PUT', `/allocations/${C}`, {
      status: 400,
      body: dict({ [RP]: { resources: { vcpu: 1, DISK_GB: 20 } } }),
    });
    await run.call('PUT', `/allocations/${C}`, { status: 400, body: dict({}) });
    await run.call('PUT', `/allocations/${C}`, {
      status: 400,
      body: dict({ [RP]: { resources: { VCPU: 1, DISK_GB: 20 } } }, { bad_field: 'moo' }),
    });
    await run.call('POST', '/resource_providers', {
      status: 201,
      body: { name: 'a110ca7e-0003-4000-8000-0000000000a1', uuid: RP },
    });
    await run.call('PUT', `/resource_providers/${RP}/inventories`, {
      body: {
        resource_provider_generation: 0,
        inventories: { DISK_GB: { total: 2048, min_unit: 10, max_unit: 1024 }, VCPU: { total: 96 } },
      },
    });
    await run.call('PUT', `/allocations/${C}`, {
      status: 204,
      body: dict({ [RP]: { resources: { VCPU: 1, DISK_GB: 20 } } }),
    });
    const got = await run.call('GET', `/allocations/${C}`);
    await run.call('PUT', `/allocations/${C}`, { status: 204, body: dict(read(got, 'allocations')) });
    expectSame(run);
  });

  // allocations-1.28.yaml (AllocationFixture): consumer generations: below 1.28 none needed; from
  // 1.28 required, null for a new consumer, matching for an existing one (conflicts otherwise);
  // empty allocations dict; then allocations from a candidate with a sharing provider put to a
  // new and to an existing consumer.
  it('allocations-1.28.yaml', async () => {
    const run = playback({ version: '1.28', headers: JSON_HEADERS });
    await withAllocationFixture(run);
    const C1 = '11111111-1111-1111-1111-111111111111';
    const C2 = '22222222-2222-2222-2222-222222222222';
    const C3 = '33333333-3333-3333-3333-333333333333';
    const C4 = '44444444-4444-4444-4444-444444444444';
    const C5 = '55555555-5555-5555-5555-555555555555';
    const SHARED = '8aa83304-4b6d-4a23-b954-06d8b36b206a';
    const AGG = '7fade9e1-ab01-4d1b-84db-ac74f740bb42';
    const disk10 = (extra: Record<string, unknown> = {}) => ({
      allocations: { [F.RP_UUID]: { resources: { DISK_GB: 10 } } },
      project_id: F.PROJECT_ID,
      user_id: F.USER_ID,
      ...extra,
    });
    await run.call('GET', `/allocations/${C1}`, { version: '1.27' });
    await run.call('GET', `/allocations/${C2}`);
    await run.call('PUT', `/allocations/${C1}`, { status: 204, version: '1.27', body: disk10() });
    await run.call('PUT', `/allocations/${C2}`, { status: 400, body: disk10() });
    await run.call('PUT', `/allocations/${C2}`, { status: 409, body: disk10({ consumer_generation: 5 }) });
    await run.call('PUT', `/allocations/${C2}`, { status: 204, body: disk10({ consumer_generation: null }) });
    await run.call('PUT', `/allocations/${C3}`, { status: 409, body: disk10({ consumer_generation: 33 }) });
    await run.call('PUT', `/allocations/${C4}`, { status: 204, body: disk10({ consumer_generation: null }) });
    await run.call('PUT', `/allocations/${C4}`, { status: 409, body: disk10({ consumer_generation: null }) });
    const current = await run.call('GET', `/allocations/${C4}`);
    await run.call('PUT', `/allocations/${C4}`, {
      status: 204,
      body: disk10({ consumer_generation: read(current, 'consumer_generation') }),
    });
    await run.call('PUT', `/allocations/${C4}`, { status: 409, body: disk10({ consumer_generation: 12 }) });
    await run.call('PUT', `/allocations/${C4}`, { status: 204, version: '1.27', body: disk10() });
    const serialised = await run.call('GET', `/allocations/${C4}`);
    await run.call('PUT', `/allocations/${C4}`, {
      status: 204,
      body: disk10({ allocations: {}, consumer_generation: read(serialised, 'consumer_generation') }),
    });
    await run.call('GET', `/allocations/${C4}`, { version: '1.27' });
    await run.call('GET', `/allocations/${C4}`);
    const shared = await run.call('POST', '/resource_providers', { body: { name: 'shared_disker', uuid: SHARED } });
    const traits = await run.call('PUT', `/resource_providers/${SHARED}/traits`, {
      body: {
        resource_provider_generation: read(shared, 'generation'),
        traits: ['MISC_SHARES_VIA_AGGREGATE', 'STORAGE_DISK_SSD'],
      },
    });
    const inventory = await run.call('PUT', `/resource_providers/${SHARED}/inventories`, {
      body: {
        inventories: { DISK_GB: { total: 5000 } },
        resource_provider_generation: read(traits, 'resource_provider_generation'),
      },
    });
    await run.call('PUT', `/resource_providers/${SHARED}/aggregates`, {
      body: { resource_provider_generation: read(inventory, 'resource_provider_generation'), aggregates: [AGG] },
    });
    await run.call('PUT', `/resource_providers/${F.RP_UUID}/aggregates`, { version: '1.10', body: [AGG] });
    const candidates = await run.call(
      'GET',
      '/allocation_candidates?resources=VCPU:1,DISK_GB:200&required=STORAGE_DISK_SSD',
    );
    const chosen = read(candidates, 'allocation_requests', 0, 'allocations');
    await run.call('PUT', `/allocations/${C5}`, {
      status: 204,
      body: disk10({ allocations: chosen, consumer_generation: null }),
    });
    await run.call('PUT', `/allocations/${C2}`, {
      status: 204,
      body: disk10({ allocations: chosen, consumer_generation: 1 }),
    });
    expectSame(run);
  });
});
