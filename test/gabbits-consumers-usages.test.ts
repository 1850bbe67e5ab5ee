/**
 * Placement's functional tests of consumer types, usages over allocations and classes in use
 * (gabbi YAML files in placement/tests/functional/gabbits/), re-expressed as differential
 * scenarios on the real Placement 8.0 and our /placement (test/support/gabbit-playback.ts). One
 * `it` per YAML file, each from empty servers plus the file's fixture, fixed uuids where the
 * YAML draws them at random. Split from test/gabbits-allocations.test.ts for length.
 *
 * Skipped, with reasons:
 * - usage-policy.yaml, usage-legacy-rbac.yaml, usage-secure-rbac.yaml: roles differ by design
 *   (test/rest-role-matrix.test.ts covers them).
 */
import { describe, it } from 'vitest';
import { ALLOCATION_FIXTURE, allocationFixture } from './support/gabbit-fixtures/allocation-fixture.js';
import { goldProvider } from './support/gabbit-fixtures/gold-provider.js';
import { expectSame, gabbitPair, JSON_HEADERS } from './support/gabbit-playback.js';

const { playback } = gabbitPair();

const F = ALLOCATION_FIXTURE;

describe("Placement's consumer and usage gabbits", () => {
  // consumer-types-1.38.yaml (AllocationFixture): from 1.38 consumer_type is required on PUT
  // and POST /allocations, may change, must be upper case; usages by consumer type (all,
  // unknown, case-sensitive names); the reshaper takes and requires it from 1.38, refuses it
  // before.
  it('consumer-types-1.38.yaml', async () => {
    const run = playback({ version: '1.38', headers: JSON_HEADERS });
    await allocationFixture(run.pair);
    const TYPED = 'f5a91a0a-e111-4a9c-8a33-7b320ae1e52a';
    const UNTYPED = '4fa4553e-e739-4f0b-a758-2fa79fda2ee0';
    const RESHAPED = '4b01cd5a-9e12-46d7-9b2a-5bc0f6040a40';
    const disk10 = (extra: Record<string, unknown>) => ({
      project_id: F.PROJECT_ID,
      user_id: F.USER_ID,
      allocations: { [F.RP_UUID]: { resources: { DISK_GB: 10 } } },
      ...extra,
    });
    await run.call('POST', '/allocations', { status: 400, body: { [TYPED]: disk10({ consumer_generation: null }) } });
    await run.call('PUT', `/allocations/${TYPED}`, { status: 400, body: disk10({ consumer_generation: null }) });
    await run.call('POST', '/allocations', {
      status: 204,
      body: { [TYPED]: disk10({ consumer_type: 'INSTANCE', consumer_generation: null }) },
    });
    await run.call('PUT', `/allocations/${TYPED}`, {
      status: 204,
      body: disk10({ consumer_generation: 1, consumer_type: 'PONY' }),
    });
    await run.call('PUT', `/allocations/${UNTYPED}`, {
      status: 204,
      version: '1.36',
      body: disk10({ consumer_generation: null }),
    });
    await run.call('PUT', `/allocations/${UNTYPED}`, {
      status: 204,
      body: disk10({ consumer_generation: 1, consumer_type: 'INSTANCE' }),
    });
    await run.call('PUT', `/allocations/${UNTYPED}`, {
      status: 400,
      body: disk10({ consumer_generation: 1, consumer_type: 'instance' }),
    });
    await run.call('POST', '/allocations', {
      status: 400,
      body: { [UNTYPED]: disk10({ consumer_generation: 1, consumer_type: 'instance' }) },
    });
    for (const type of ['', '&consumer_type=PONY', '&consumer_type=COW', '&consumer_type=all', '&consumer_type=ALL']) {
      await run.call('GET', `/usages?project_id=${F.PROJECT_ID}${type}`);
    }
    for (const type of ['unknown', 'UNKNOWN']) {
      await run.call('GET', `/usages?project_id=${F.PROJECT_ID}&consumer_type=${type}`);
    }
    const reshape = (consumer: Record<string, unknown>) => ({
      inventories: {
        [F.RP_UUID]: {
          // 9: the fixture's 5 and the four allocation writes above.
          resource_provider_generation: 9,
          inventories: { DISK_GB: { total: 2048 }, VCPU: { total: 97 } },
        },
      },
      allocations: {
        [RESHAPED]: {
          allocations: { [F.RP_UUID]: { resources: { DISK_GB: 10 } } },
          project_id: F.PROJECT_ID,
          user_id: F.USER_ID,
          ...consumer,
        },
      },
    });
    await run.call('POST', '/reshaper', {
      status: 204,
      body: reshape({ consumer_generation: null, consumer_type: 'RESHAPED' }),
    });
    await run.call('GET', `/allocations/${RESHAPED}`);
    await run.call('POST', '/reshaper', { status: 400, body: reshape({ consumer_generation: 1 }) });
    await run.call('POST', '/reshaper', {
      status: 400,
      version: '1.36',
      body: reshape({ consumer_generation: 1, consumer_type: 'RESHAPED' }),
    });
    expectSame(run);
  });

  // consumer-types-bug-story-2009167.yaml (AllocationFixture): a consumer written before 1.38
  // reads back at 1.38 with consumer_type "unknown".
  it('consumer-types-bug-story-2009167.yaml', async () => {
    const run = playback({ headers: JSON_HEADERS });
    await allocationFixture(run.pair);
    const C = '44444444-4444-4444-4444-444444444444';
    await run.call('PUT', `/allocations/${C}`, {
      status: 204,
      version: '1.37',
      body: {
        allocations: { [F.RP_UUID]: { resources: { DISK_GB: 10 } } },
        project_id: F.PROJECT_ID,
        user_id: F.USER_ID,
        consumer_generation: null,
      },
    });
    await run.call('GET', `/allocations/${C}`, { version: '1.38' });
    expectSame(run);
  });

  // with-allocations.yaml (AllocationFixture): inventories, usages and allocations of a provider
  // with allocations; deleting it or all its inventory is refused (1.0, 1.5, 1.23 codes);
  // inventory may shrink below usage; usages by project and user; allocations' keys at 1.11 and
  // 1.12; cache headers at 1.15. Sent without an accept header, as the YAML does.
  it('with-allocations.yaml', async () => {
    const run = playback({ headers: {} });
    await allocationFixture(run.pair);
    const rp = `/resource_providers/${F.RP_UUID}`;
    const accept = { accept: 'application/json' };
    await run.call('GET', `${rp}/inventories`);
    await run.call('GET', `${rp}/usages`);
    await run.call('GET', `${rp}/allocations`);
    await run.call('DELETE', rp, { status: 409 });
    await run.call('PUT', `${rp}/inventories`, {
      status: 409,
      version: '1.23',
      headers: JSON_HEADERS,
      body: { resource_provider_generation: 5, inventories: {} },
    });
    await run.call('DELETE', `${rp}/inventories`, { status: 409, version: '1.5', headers: accept });
    await run.call('DELETE', `${rp}/inventories`, { status: 409, version: '1.23', headers: accept });
    await run.call('PUT', `${rp}/inventories`, {
      headers: JSON_HEADERS,
      body: { resource_provider_generation: 5, inventories: { DISK_GB: { total: 1019 }, VCPU: { total: 97 } } },
    });
    await run.call('GET', `/usages?project_id=${F.PROJECT_ID}`, { version: '1.9' });
    await run.call('GET', `/usages?project_id=${F.PROJECT_ID}&user_id=${F.USER_ID}`, { version: '1.9' });
    await run.call('GET', `/usages?project_id=${F.PROJECT_ID}&user_id=${F.ALT_USER_ID}`, { version: '1.9' });
    await run.call('GET', `/allocations/${F.CONSUMER_ID}`, { version: '1.11', headers: accept });
    await run.call('GET', `/allocations/${F.CONSUMER_ID}`, { version: '1.12', headers: accept });
    await run.call('GET', `/usages?project_id=${F.PROJECT_ID}&user_id=${F.ALT_USER_ID}`, { version: '1.15' });
    expectSame(run);
  });

  // resource-class-in-use.yaml (1.11): a custom class cannot be deleted while allocated or in
  // inventory, and can once neither.
  it('resource-class-in-use.yaml', async () => {
    const run = playback({ version: '1.11', headers: JSON_HEADERS });
    const C = '6d9f83db-6eb5-49f6-84b0-5d03c6aa9fc8';
    const rp = await goldProvider(run);
    await run.call('PUT', `/allocations/${C}`, {
      status: 204,
      body: {
        allocations: [{ resource_provider: { uuid: rp }, resources: { VCPU: 5, CUSTOM_GOLD: 1 } }],
        project_id: '42a32c07-3eeb-4401-9373-68a8cdca6784',
        user_id: '66cb2f29-c86d-47c3-8af5-69ae7b778c70',
      },
    });
    await run.call('DELETE', '/resource_classes/CUSTOM_GOLD', { status: 409 });
    await run.call('DELETE', `/allocations/${C}`, { status: 204 });
    await run.call('DELETE', '/resource_classes/CUSTOM_GOLD', { status: 409 });
    await run.call('DELETE', `/resource_providers/${rp}/inventories`, { status: 204 });
    await run.call('DELETE', '/resource_classes/CUSTOM_GOLD', { status: 204 });
    expectSame(run);
  });
});
