/**
 * Allocations through the REST API against the real Placement 8.0: the same calls, in the
 * same order, on the same world (same uuids), at the versions where the bodies change
 * (1.0 list form, 1.8 project/user, 1.12 dict form, 1.13 POST, 1.28 consumer generations,
 * 1.34 mappings, 1.38 consumer types), valid and invalid; every difference fails the test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildInOurs, buildInPlacement, uuidOf, type WorldSpec } from './support/candidate-world.js';
import { formatDifference, type PairedServers, type RestCall, startPairedServers } from './support/rest-pair.js';

const WORLD: WorldSpec = {
  providers: [
    {
      name: 'cn1',
      inventories: {
        VCPU: { total: 8 },
        MEMORY_MB: { total: 4096, max_unit: 2048 },
        DISK_GB: { total: 100, step_size: 10 },
      },
    },
    { name: 'cn2', inventories: { VCPU: { total: 4 }, MEMORY_MB: { total: 1024, min_unit: 64 } } },
    { name: 'bare' },
    { name: 'rs-host', inventories: { VCPU: { total: 8 }, MEMORY_MB: { total: 4096 } } },
    { name: 'rs-numa', parent: 'rs-host' },
  ],
};

const cn1 = uuidOf('cn1');
const cn2 = uuidOf('cn2');
const bare = uuidOf('bare');
const c = (n: number) => uuidOf(`consumer-${n}`);
const PROJECT = uuidOf('p');
const USER = uuidOf('u');
const OTHER_PROJECT = uuidOf('p2');

let servers: PairedServers;
beforeAll(async () => {
  servers = await startPairedServers();
  await Promise.all([buildInPlacement(servers.placement, WORLD), buildInOurs(servers.env, WORLD)]);
}, 120_000);
afterAll(async () => servers?.close());

async function same(calls: RestCall[]): Promise<void> {
  const { differences } = await servers.pair.scenario(calls);
  expect(differences.map((d) => formatDifference(d.call, d.difference))).toEqual([]);
}

const get = (path: string, version?: string): RestCall => ({ method: 'GET', path, version });
const dictBody = (allocations: Record<string, Record<string, number>>, extra: Record<string, unknown> = {}) => ({
  allocations: Object.fromEntries(Object.entries(allocations).map(([p, resources]) => [p, { resources }])),
  project_id: PROJECT,
  user_id: USER,
  ...extra,
});

describe('allocations, version by version', () => {
  it('1.0: the list form, and no project or user', async () => {
    await same([
      {
        method: 'PUT',
        path: `/allocations/${c(1)}`,
        body: { allocations: [{ resource_provider: { uuid: cn1 }, resources: { VCPU: 2, MEMORY_MB: 512 } }] },
      },
      get(`/allocations/${c(1)}`),
      get(`/allocations/${c(1)}`, '1.12'),
      get(`/allocations/${c(1)}`, '1.28'),
      get(`/allocations/${c(1)}`, '1.38'),
      get(`/resource_providers/${cn1}/allocations`),
      get(`/resource_providers/${cn1}/allocations`, '1.28'),
      { method: 'PUT', path: `/allocations/${c(1)}`, body: { allocations: [] } },
      { method: 'PUT', path: `/allocations/${c(1)}`, body: { allocations: [{ resource_provider: { uuid: cn1 } }] } },
      { method: 'PUT', path: `/allocations/${c(1)}`, body: { allocations: [], project_id: PROJECT } },
    ]);
  });

  it('1.8 and 1.12: project and user, then the dict form', async () => {
    await same([
      {
        method: 'PUT',
        path: `/allocations/${c(2)}`,
        version: '1.8',
        body: {
          allocations: [{ resource_provider: { uuid: cn2 }, resources: { VCPU: 1 } }],
          project_id: PROJECT,
          user_id: USER,
        },
      },
      {
        method: 'PUT',
        path: `/allocations/${c(2)}`,
        version: '1.8',
        body: { allocations: [{ resource_provider: { uuid: cn2 }, resources: { VCPU: 1 } }] },
      },
      {
        method: 'PUT',
        path: `/allocations/${c(3)}`,
        version: '1.12',
        body: dictBody({ [cn1]: { VCPU: 1, DISK_GB: 20 } }),
      },
      get(`/allocations/${c(3)}`, '1.12'),
      { method: 'PUT', path: `/allocations/${c(3)}`, version: '1.12', body: dictBody({}) },
      {
        method: 'PUT',
        path: `/allocations/${c(3)}`,
        version: '1.12',
        body: { allocations: { [cn1]: { resources: { VCPU: 1 } } } },
      },
      get(`/resource_providers/${cn1}/allocations`, '1.12'),
    ]);
  });

  it('refusals: unknown provider or class, no inventory, capacity, unit rules, malformed consumer', async () => {
    await same([
      { method: 'PUT', path: `/allocations/${c(4)}`, version: '1.12', body: dictBody({ [bare]: { VCPU: 1 } }) },
      {
        method: 'PUT',
        path: `/allocations/${c(4)}`,
        version: '1.12',
        body: dictBody({ [uuidOf('nowhere')]: { VCPU: 1 } }),
      },
      { method: 'PUT', path: `/allocations/${c(4)}`, version: '1.12', body: dictBody({ [cn1]: { CUSTOM_NOPE: 1 } }) },
      { method: 'PUT', path: `/allocations/${c(4)}`, version: '1.12', body: dictBody({ [cn2]: { DISK_GB: 10 } }) },
      { method: 'PUT', path: `/allocations/${c(4)}`, version: '1.12', body: dictBody({ [cn1]: { VCPU: 100 } }) },
      { method: 'PUT', path: `/allocations/${c(4)}`, version: '1.12', body: dictBody({ [cn1]: { MEMORY_MB: 3000 } }) },
      { method: 'PUT', path: `/allocations/${c(4)}`, version: '1.12', body: dictBody({ [cn1]: { DISK_GB: 15 } }) },
      { method: 'PUT', path: `/allocations/${c(4)}`, version: '1.12', body: dictBody({ [cn2]: { MEMORY_MB: 32 } }) },
      { method: 'PUT', path: '/allocations/not-a-uuid', version: '1.12', body: dictBody({ [cn1]: { VCPU: 1 } }) },
      { method: 'PUT', path: `/allocations/${c(4)}`, version: '1.12', body: dictBody({ [cn1]: { VCPU: 0 } }) },
      { method: 'PUT', path: `/allocations/${c(4)}`, version: '1.12', rawBody: '{"allocations": ' },
      get(`/allocations/${c(4)}`, '1.28'),
      get(`/resource_providers/${uuidOf('nowhere')}/allocations`, '1.28'),
    ]);
  });

  it('1.28: consumer generations guard writes', async () => {
    await same([
      { method: 'PUT', path: `/allocations/${c(5)}`, version: '1.28', body: dictBody({ [cn1]: { VCPU: 1 } }) },
      {
        method: 'PUT',
        path: `/allocations/${c(5)}`,
        version: '1.28',
        body: dictBody({ [cn1]: { VCPU: 1 } }, { consumer_generation: 3 }),
      },
      {
        method: 'PUT',
        path: `/allocations/${c(5)}`,
        version: '1.28',
        body: dictBody({ [cn1]: { VCPU: 1 } }, { consumer_generation: null }),
      },
      get(`/allocations/${c(5)}`, '1.28'),
      {
        method: 'PUT',
        path: `/allocations/${c(5)}`,
        version: '1.28',
        body: dictBody({ [cn1]: { VCPU: 2 } }, { consumer_generation: null }),
      },
      {
        method: 'PUT',
        path: `/allocations/${c(5)}`,
        version: '1.28',
        body: dictBody({ [cn1]: { VCPU: 2 } }, { consumer_generation: 5 }),
      },
      {
        method: 'PUT',
        path: `/allocations/${c(5)}`,
        version: '1.28',
        body: dictBody({ [cn1]: { VCPU: 2 } }, { consumer_generation: 1 }),
      },
      get(`/allocations/${c(5)}`, '1.28'),
      get(`/resource_providers/${cn1}/allocations`, '1.28'),
      { method: 'PUT', path: `/allocations/${c(5)}`, version: '1.28', body: dictBody({}, { consumer_generation: 2 }) },
      get(`/allocations/${c(5)}`, '1.28'),
      {
        method: 'PUT',
        path: `/allocations/${c(6)}`,
        version: '1.28',
        body: dictBody({}, { consumer_generation: null }),
      },
      get(`/allocations/${c(6)}`, '1.28'),
    ]);
  });

  it('1.34 mappings and 1.38 consumer types', async () => {
    await same([
      {
        method: 'PUT',
        path: `/allocations/${c(7)}`,
        version: '1.34',
        body: dictBody({ [cn1]: { VCPU: 1 } }, { consumer_generation: null, mappings: { '': [cn1] } }),
      },
      {
        method: 'PUT',
        path: `/allocations/${c(8)}`,
        version: '1.38',
        body: dictBody({ [cn1]: { VCPU: 1 } }, { consumer_generation: null }),
      },
      {
        method: 'PUT',
        path: `/allocations/${c(8)}`,
        version: '1.38',
        body: dictBody({ [cn1]: { VCPU: 1 } }, { consumer_generation: null, consumer_type: 'INSTANCE' }),
      },
      get(`/allocations/${c(8)}`, '1.38'),
      get(`/allocations/${c(7)}`, '1.38'),
      {
        method: 'PUT',
        path: `/allocations/${c(8)}`,
        version: '1.38',
        body: dictBody(
          { [cn1]: { VCPU: 2 } },
          { consumer_generation: 1, consumer_type: 'MIGRATION', project_id: OTHER_PROJECT },
        ),
      },
      get(`/allocations/${c(8)}`, '1.38'),
    ]);
  });

  it('POST /allocations: several consumers at once (1.13+)', async () => {
    await same([
      { method: 'POST', path: '/allocations', version: '1.12', body: { [c(9)]: dictBody({ [cn2]: { VCPU: 1 } }) } },
      {
        method: 'POST',
        path: '/allocations',
        version: '1.13',
        body: { [c(9)]: dictBody({ [cn2]: { VCPU: 1 } }), [c(10)]: dictBody({ [cn2]: { VCPU: 1 } }) },
      },
      get(`/resource_providers/${cn2}/allocations`, '1.28'),
      {
        method: 'POST',
        path: '/allocations',
        version: '1.28',
        body: {
          [c(9)]: dictBody({}, { consumer_generation: 1 }),
          [c(11)]: dictBody({ [cn2]: { VCPU: 1 } }, { consumer_generation: null }),
        },
      },
      get(`/allocations/${c(9)}`, '1.28'),
      get(`/allocations/${c(11)}`, '1.28'),
      {
        method: 'POST',
        path: '/allocations',
        version: '1.28',
        body: { [c(12)]: dictBody({ [cn2]: { VCPU: 100 } }, { consumer_generation: null }) },
      },
      {
        method: 'POST',
        path: '/allocations',
        version: '1.28',
        body: { [c(12)]: dictBody({ [cn2]: { CUSTOM_NOPE: 1 } }, { consumer_generation: null }) },
      },
      {
        method: 'POST',
        path: '/allocations',
        version: '1.28',
        body: { [c(11)]: dictBody({}, { consumer_generation: 7 }) },
      },
      { method: 'POST', path: '/allocations', version: '1.28', body: {} },
      get(`/resource_providers/${cn2}/allocations`, '1.28'),
    ]);
  });

  it('DELETE /allocations/{consumer_uuid}', async () => {
    await same([
      { method: 'DELETE', path: `/allocations/${c(11)}` },
      { method: 'DELETE', path: `/allocations/${c(11)}`, version: '1.28' },
      { method: 'DELETE', path: '/allocations/not-a-uuid' },
      get(`/allocations/${c(11)}`, '1.28'),
      get(`/resource_providers/${cn2}/allocations`, '1.28'),
    ]);
  });
});

describe('POST /reshaper (1.30+)', () => {
  const host = uuidOf('rs-host');
  const numa = uuidOf('rs-numa');
  const moved = (generation: number, consumerGeneration: number) => ({
    inventories: {
      [host]: { resource_provider_generation: generation, inventories: { MEMORY_MB: { total: 4096 } } },
      [numa]: { resource_provider_generation: 0, inventories: { VCPU: { total: 8 } } },
    },
    allocations: { [c(20)]: dictBody({ [numa]: { VCPU: 2 } }, { consumer_generation: consumerGeneration }) },
  });

  it('moves a class and its allocations to a child in one call, generations as Placement bumps them', async () => {
    await same([
      {
        method: 'PUT',
        path: `/allocations/${c(20)}`,
        version: '1.28',
        body: dictBody({ [host]: { VCPU: 2 } }, { consumer_generation: null }),
      },
      get(`/resource_providers/${host}/allocations`, '1.28'),
      { method: 'POST', path: '/reshaper', version: '1.29', body: moved(2, 1) },
      { method: 'POST', path: '/reshaper', version: '1.30', body: moved(1, 1) },
      { method: 'POST', path: '/reshaper', version: '1.30', body: moved(2, 0) },
      { method: 'POST', path: '/reshaper', version: '1.30', body: { inventories: {}, allocations: {} } },
      {
        method: 'POST',
        path: '/reshaper',
        version: '1.30',
        body: {
          inventories: { [uuidOf('nowhere')]: { resource_provider_generation: 0, inventories: {} } },
          allocations: {},
        },
      },
      { method: 'POST', path: '/reshaper', version: '1.30', body: moved(2, 1) },
      get(`/allocations/${c(20)}`, '1.28'),
      get(`/resource_providers/${host}/allocations`, '1.28'),
      get(`/resource_providers/${numa}/allocations`, '1.28'),
      get(`/resource_providers/${host}/inventories`, '1.30'),
      get(`/resource_providers/${numa}/inventories`, '1.30'),
      {
        method: 'POST',
        path: '/reshaper',
        version: '1.38',
        body: {
          inventories: { [numa]: { resource_provider_generation: 3, inventories: {} } },
          allocations: {},
        },
      },
    ]);
  });
});
