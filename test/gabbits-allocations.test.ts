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
import { describe, it } from 'vitest';
import { ALLOCATION_FIXTURE, allocationFixture } from './support/gabbit-fixtures/allocation-fixture.js';
import { goldProvider } from './support/gabbit-fixtures/gold-provider.js';
import { numaNetworkFixture } from './support/gabbit-fixtures/numa-network-fixture.js';
import { expectSame, gabbitPair, JSON_HEADERS, link, location, read } from './support/gabbit-playback.js';

const { playback } = gabbitPair();

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
    await allocationFixture(run.pair);
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

  // allocations-post.yaml: POST /allocations (1.13+): 405 on GET, 404 at 1.12, two consumers at
  // once, clearing one with an empty dict, two projects and users, over capacity, schema
  // violations deep and shallow, unknown provider, class not in inventory, unknown class, and
  // consumer generations from 1.28 (missing, wrong, right). Providers get generated uuids.
  it('allocations-post.yaml', async () => {
    const run = playback({ version: '1.13', headers: JSON_HEADERS });
    const INSTANCE = 'a110ca7e-0005-4000-8000-0000000000c1';
    const MIGRATION = 'a110ca7e-0005-4000-8000-0000000000c2';
    const CONSUMER = 'a110ca7e-0005-4000-8000-0000000000c3';
    const provider = async (name: string) => {
      const created = await run.call('POST', '/resource_providers', { status: 201, body: { name } });
      return run.call('GET', location(created));
    };
    const compute01 = await provider('compute01');
    const compute02 = await provider('compute02');
    const storage01 = await provider('storage01');
    const cn1 = read(compute01, 'uuid') as string;
    const cn2 = read(compute02, 'uuid') as string;
    const ss = read(storage01, 'uuid') as string;
    for (const rp of [compute01, compute02]) {
      await run.call('PUT', link(rp, 'inventories'), {
        body: { resource_provider_generation: 0, inventories: { VCPU: { total: 16 }, MEMORY_MB: { total: 2048 } } },
      });
    }
    await run.call('PUT', link(storage01, 'inventories'), {
      body: { resource_provider_generation: 0, inventories: { DISK_GB: { total: 4096 } } },
    });
    const owned = (allocations: unknown, project = PROJECT, user = USER, extra: Record<string, unknown> = {}) => ({
      allocations,
      project_id: project,
      user_id: user,
      ...extra,
    });
    const instance = (extra: Record<string, unknown> = {}, vcpu = 2, disk = 5) =>
      owned(
        { [cn2]: { resources: { MEMORY_MB: 1024, VCPU: vcpu } }, [ss]: { resources: { DISK_GB: disk } } },
        PROJECT,
        USER,
        extra,
      );
    const onCn1 = (memory: number, vcpu: number, extra: Record<string, unknown> = {}) =>
      owned({ [cn1]: { resources: { MEMORY_MB: memory, VCPU: vcpu } } }, PROJECT_ALT, USER_ALT, extra);
    await run.call('GET', '/allocations', { status: 405 });
    await run.call('POST', '/allocations', { status: 404, version: '1.12' });
    await run.call('POST', '/allocations', {
      status: 204,
      body: { [INSTANCE]: instance(), [MIGRATION]: owned({ [cn1]: { resources: { MEMORY_MB: 1024, VCPU: 2 } } }) },
    });
    await run.call('GET', `/allocations/${INSTANCE}`, { version: '1.28' });
    await run.call('GET', `/allocations/${MIGRATION}`, { version: '1.28' });
    await run.call('GET', `/usages?project_id=${PROJECT}`);
    await run.call('POST', '/allocations', { status: 204, body: { [INSTANCE]: instance(), [MIGRATION]: owned({}) } });
    await run.call('GET', `/usages?project_id=${PROJECT}`);
    await run.call('POST', '/allocations', {
      status: 204,
      body: { [INSTANCE]: instance(), [CONSUMER]: onCn1(1024, 2) },
    });
    await run.call('GET', `/usages?project_id=${PROJECT}`);
    await run.call('GET', `/usages?project_id=${PROJECT_ALT}`);
    await run.call('POST', '/allocations', {
      status: 409,
      body: { [INSTANCE]: instance(), [CONSUMER]: onCn1(2049, 2) },
    });
    await run.call('POST', '/allocations', {
      status: 400,
      body: { [INSTANCE]: owned({ [cn2]: { cow: 'moo' } }) },
    });
    await run.call('POST', '/allocations', { status: 400, body: { [INSTANCE]: { cow: 'moo' } } });
    await run.call('POST', '/allocations', {
      status: 400,
      body: {
        [INSTANCE]: owned({
          'c42def7b-498b-4442-9502-c7970b14bea4': { resources: { MEMORY_MB: 1024, VCPU: 2 } },
          [ss]: { resources: { DISK_GB: 5 } },
        }),
      },
    });
    for (const extra of ['PCI_DEVICE', 'CUSTOM_PONY']) {
      await run.call('POST', '/allocations', {
        status: extra === 'PCI_DEVICE' ? 409 : 400,
        body: {
          [INSTANCE]: owned({
            [cn2]: { resources: { MEMORY_MB: 1024, VCPU: 2, [extra]: 1 } },
            [ss]: { resources: { DISK_GB: 5 } },
          }),
        },
      });
    }
    await run.call('POST', '/allocations', {
      status: 400,
      version: '1.28',
      body: { [INSTANCE]: instance(), [CONSUMER]: onCn1(2049, 2) },
    });
    await run.call('POST', '/allocations', {
      status: 409,
      version: '1.28',
      body: {
        [INSTANCE]: instance({ consumer_generation: 1 }, 1, 4),
        [CONSUMER]: onCn1(1024, 1, { consumer_generation: 1 }),
      },
    });
    await run.call('POST', '/allocations', {
      status: 204,
      version: '1.28',
      body: {
        [INSTANCE]: instance({ consumer_generation: 3 }, 1, 4),
        [CONSUMER]: onCn1(1024, 1, { consumer_generation: 1 }),
      },
    });
    // The refusal of a missing consumer_generation quotes the instance, whose two generated
    // provider uuids python's pprint sorts: their order differs between the servers in half the runs.
    expectSame(run, [], ['jsonschema-repr']);
  });

  // allocation-bad-class.yaml (1.11, list form): allocating a class the provider has no
  // inventory of, alone or with one it has, is a 409 (it used to be a 500).
  it('allocation-bad-class.yaml', async () => {
    const run = playback({ version: '1.11', headers: JSON_HEADERS });
    const C = '6d9f83db-6eb5-49f6-84b0-5d03c6aa9fc8';
    const rp = await goldProvider(run);
    const allocate = (status: number, resources: Record<string, number>) =>
      run.call('PUT', `/allocations/${C}`, {
        status,
        body: {
          allocations: [{ resource_provider: { uuid: rp }, resources }],
          project_id: '42a32c07-3eeb-4401-9373-68a8cdca6784',
          user_id: '66cb2f29-c86d-47c3-8af5-69ae7b778c70',
        },
      });
    await allocate(409, { DISK_GB: 5, CUSTOM_GOLD: 1 });
    await allocate(204, { CUSTOM_GOLD: 1 });
    await allocate(409, { DISK_GB: 1 });
    expectSame(run);
  });

  // allocations-bug-1714072.yaml: a provider with empty resources is a 400, in the list form
  // (1.11) and in the dict form (1.12).
  it('allocations-bug-1714072.yaml', async () => {
    const run = playback({ version: '1.11', headers: JSON_HEADERS });
    const C = 'c9f0186b-64f8-44fb-b6c9-83008d8d6940';
    const owner = {
      project_id: '42a32c07-3eeb-4401-9373-68a8cdca6784',
      user_id: '66cb2f29-c86d-47c3-8af5-69ae7b778c70',
    };
    const created = await run.call('POST', '/resource_providers', { status: 201, body: { name: 'an rp' } });
    const got = await run.call('GET', location(created));
    const rp = read(got, 'uuid') as string;
    await run.call('PUT', link(got, 'inventories'), {
      body: { resource_provider_generation: 0, inventories: { VCPU: { total: 24 }, MEMORY_MB: { total: 1024 } } },
    });
    const list = (resources: Record<string, number>) => ({
      allocations: [{ resource_provider: { uuid: rp }, resources }],
      ...owner,
    });
    const dict = (resources: Record<string, number>) => ({ allocations: { [rp]: { resources } }, ...owner });
    await run.call('PUT', `/allocations/${C}`, { status: 204, body: list({ VCPU: 1, MEMORY_MB: 1 }) });
    await run.call('PUT', `/allocations/${C}`, { status: 400, body: list({}) });
    await run.call('PUT', `/allocations/${C}`, { status: 204, version: '1.12', body: dict({ VCPU: 1, MEMORY_MB: 1 }) });
    await run.call('PUT', `/allocations/${C}`, { status: 400, version: '1.12', body: dict({}) });
    expectSame(run);
  });

  // allocations-bug-1778591.yaml (1.28): a new consumer whose first allocation fails keeps no
  // generation (GET shows none), so a retry still sends null.
  it('allocations-bug-1778591.yaml', async () => {
    const run = playback({ version: '1.28', headers: JSON_HEADERS });
    const RP = 'a110ca7e-0008-4000-8000-000000000001';
    const C = '88888888-8888-8888-8888-888888888888';
    const vcpu = (amount: number) => ({
      allocations: { [RP]: { resources: { VCPU: amount } } },
      project_id: PROJECT,
      user_id: USER,
      consumer_generation: null,
    });
    await run.call('POST', '/resource_providers', { body: { name: 'simple', uuid: RP } });
    await run.call('PUT', `/resource_providers/${RP}/inventories`, {
      body: { resource_provider_generation: 0, inventories: { VCPU: { total: 4 } } },
    });
    await run.call('PUT', `/allocations/${C}`, { status: 409, body: vcpu(9999) });
    await run.call('GET', `/allocations/${C}`);
    await run.call('PUT', `/allocations/${C}`, { status: 204, body: vcpu(1) });
    expectSame(run);
  });

  // allocations-bug-1778743.yaml (1.28): POST /allocations of three new consumers over capacity
  // together is a 409 and leaves no usage behind.
  it('allocations-bug-1778743.yaml', async () => {
    const run = playback({ version: '1.28', headers: JSON_HEADERS });
    const RP = '4e05a85b-e8a6-4b3a-82c1-5f6ad3f71d55';
    const one = {
      allocations: { [RP]: { resources: { VCPU: 1 } } },
      project_id: 'a2cec092-0f67-42ed-b870-f3925cc5c6d4',
      user_id: 'd28385b2-7860-4055-b32d-4cd1057cd5f2',
      consumer_generation: null,
    };
    await run.call('POST', '/resource_providers', { body: { uuid: RP, name: 'rp1' } });
    await run.call('PUT', `/resource_providers/${RP}/inventories`, {
      body: { resource_provider_generation: 0, inventories: { VCPU: { total: 2 } } },
    });
    await run.call('POST', '/allocations', {
      status: 409,
      body: {
        'a6ace019-f230-4dcc-8a76-36d27b9c2257': one,
        '2e613d4f-f5b2-4956-bd61-ea5be6600f80': one,
        '2b3abca1-b72b-4817-9217-397f19b52c92': one,
      },
    });
    await run.call('GET', `/resource_providers/${RP}/usages`);
    await run.call('GET', `/resource_providers/${RP}/inventories`);
    expectSame(run);
  });

  // allocations-bug-1779717.yaml (1.28): a consumer's project changes with a PUT and back with a
  // POST that also creates another consumer.
  it('allocations-bug-1779717.yaml', async () => {
    const run = playback({ version: '1.28', headers: JSON_HEADERS });
    const C1 = '11111111-1111-1111-1111-111111111111';
    const C2 = '22222222-2222-2222-2222-222222222222';
    const cn1 = await run.call('POST', '/resource_providers', { body: { name: 'cn1' } });
    const rp = read(cn1, 'uuid') as string;
    await run.call('PUT', link(cn1, 'inventories'), {
      body: { resource_provider_generation: 0, inventories: { VCPU: { total: 16 }, MEMORY_MB: { total: 2048 } } },
    });
    const on = (vcpu: number, project: string, user: string, generation: number | null) => ({
      allocations: { [rp]: { resources: { MEMORY_MB: 1024, VCPU: vcpu } } },
      project_id: project,
      user_id: user,
      consumer_generation: generation,
    });
    await run.call('PUT', `/allocations/${C1}`, { status: 204, body: on(2, PROJECT, USER, null) });
    await run.call('GET', `/allocations/${C1}`);
    await run.call('PUT', `/allocations/${C1}`, { status: 204, body: on(2, PROJECT_ALT, USER, 1) });
    await run.call('GET', `/allocations/${C1}`);
    await run.call('POST', '/allocations', {
      status: 204,
      body: { [C1]: on(1, PROJECT, USER, 2), [C2]: on(1, PROJECT_ALT, USER_ALT, null) },
    });
    await run.call('GET', `/allocations/${C1}`);
    expectSame(run);
  });

  // ensure-consumer.yaml (AllocationFixture): an allocation written at 1.7 without project or
  // user reads back at 1.12 with the incomplete-consumer placeholders.
  it('ensure-consumer.yaml', async () => {
    const run = playback({ version: '1.7' });
    await allocationFixture(run.pair);
    const CONSUMER = 'a110ca7e-000a-4000-8000-0000000000c1';
    await run.call('PUT', `/allocations/${CONSUMER}`, {
      status: 204,
      headers: JSON_HEADERS,
      body: { allocations: [{ resource_provider: { uuid: F.RP_UUID }, resources: { DISK_GB: 10 } }] },
    });
    await run.call('GET', `/allocations/${CONSUMER}`, { version: '1.12' });
    expectSame(run);
  });

  // allocations-mappings.yaml (NUMANetworkFixture, 1.34): an allocation request's mappings sent
  // back with its allocations on PUT and POST; refused at 1.33, as a non-list, and empty.
  it('allocations-mappings.yaml', async () => {
    const run = playback({ version: '1.34', headers: JSON_HEADERS });
    await numaNetworkFixture(run.pair);
    const owner = {
      user_id: '8c974f9a-f266-42f7-8613-a8017cbfb87F',
      project_id: 'b2e599e0-ded8-47fd-b8ab-ceb7fca578bd',
    };
    const candidates = await run.call(
      'GET',
      '/allocation_candidates?required_NET1=CUSTOM_PHYSNET1&resources_NET1=NET_BW_EGR_KILOBIT_PER_SEC:10' +
        '&required_NET2=CUSTOM_PHYSNET2&resources_NET2=NET_BW_EGR_KILOBIT_PER_SEC:20&resources=VCPU:1' +
        '&group_policy=isolate',
    );
    const allocations = read(candidates, 'allocation_requests', 0, 'allocations');
    const mappings = read(candidates, 'allocation_requests', 0, 'mappings');
    const body = (extra: Record<string, unknown>) => ({ allocations, consumer_generation: null, ...owner, ...extra });
    await run.call('PUT', '/allocations/254eea13-27e1-4305-b35f-5dedd9f58ba0', {
      status: 204,
      body: body({ mappings }),
    });
    await run.call('PUT', '/allocations/5662942e-497f-4a54-8257-dcbb3fa3e5f4', {
      status: 400,
      version: '1.33',
      body: body({ mappings }),
    });
    await run.call('PUT', '/allocations/5f9588de-079d-462a-a459-408524ab9b60', {
      status: 400,
      body: body({ mappings: { alpha: 'beta' } }),
    });
    await run.call('PUT', '/allocations/5f9588de-079d-462a-a459-408524ab9b60', {
      status: 400,
      body: body({ mappings: {} }),
    });
    const POSTED = '0b2c687e-89eb-47f6-bb68-2fc83e28032a';
    await run.call('POST', '/allocations', { status: 204, body: { [POSTED]: body({ mappings }) } });
    await run.call('POST', '/allocations', { status: 400, version: '1.33', body: { [POSTED]: body({ mappings }) } });
    expectSame(run);
  });
});

describe('found while re-expressing the allocation gabbits', () => {
  // Placement routes no HEAD: every HEAD is an error, which webob answers without a body and as
  // text/html whatever the Accept (WSGIHTTPException.__call__ skips the negotiation for HEAD).
  it('HEAD is refused as webob refuses it, whatever the Accept', async () => {
    const run = playback({ headers: {} });
    const C = 'a110ca7e-0020-4000-8000-0000000000c1';
    const accepts: Record<string, string>[] = [{}, { accept: 'application/json' }, { accept: 'text/plain' }];
    for (const headers of accepts) {
      for (const path of [
        `/allocations/${C}`,
        '/allocations',
        '/resource_providers',
        '/usages?project_id=p',
        '/nope',
        '/',
      ]) {
        await run.call('HEAD', path, { status: path === '/nope' ? 404 : 405, version: '1.39', headers });
      }
      await run.call('HEAD', `/allocations/${C}`, { status: 405, headers });
      await run.call('HEAD', `/allocations/${C}`, { status: 406, version: '9.99', headers });
      await run.call('HEAD', `/allocations/${C}`, { status: 401, headers, auth: 'none' });
    }
    expectSame(run);
  });
});
