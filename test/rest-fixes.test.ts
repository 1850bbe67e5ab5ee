/**
 * Differences the differential runs found (/work/wt/rest-diffs.md), each replayed against the
 * real Placement 8.0 on fresh, empty servers: every difference fails the test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidOf } from './support/candidate-world.js';
import { formatDifference, type PairedServers, type RestCall, startPairedServers } from './support/rest-pair.js';

let servers: PairedServers;
beforeAll(async () => {
  servers = await startPairedServers();
}, 120_000);
afterAll(async () => {
  await servers?.close();
});

async function same(calls: RestCall[]): Promise<void> {
  const { differences } = await servers.pair.scenario(calls);
  expect(differences.map((d) => formatDifference(d.call, d.difference))).toEqual([]);
}

const get = (path: string, version?: string): RestCall => ({ method: 'GET', path, version });
const createProvider = (name: string): RestCall => ({
  method: 'POST',
  path: '/resource_providers',
  version: '1.20',
  body: { name, uuid: uuidOf(name) },
});
const PROJECT = uuidOf('fix-project');
const USER = uuidOf('fix-user');

describe('bad input answered 400 as Placement, never 500', () => {
  it('POST /reshaper with an unknown resource class in inventories or allocations', async () => {
    const rp = uuidOf('fix-reshape');
    await same([
      createProvider('fix-reshape'),
      {
        method: 'POST',
        path: '/reshaper',
        version: '1.33',
        body: {
          inventories: { [rp]: { resource_provider_generation: 0, inventories: { lower_case: { total: 1 } } } },
          allocations: {},
        },
      },
      {
        method: 'POST',
        path: '/reshaper',
        version: '1.30',
        body: {
          inventories: { [rp]: { resource_provider_generation: 0, inventories: { CUSTOM_NOPE: { total: 1 } } } },
          allocations: {},
        },
      },
      {
        method: 'POST',
        path: '/reshaper',
        version: '1.30',
        body: {
          inventories: { [rp]: { resource_provider_generation: 0, inventories: { VCPU: { total: 4 } } } },
          allocations: {
            [uuidOf('fix-consumer-1')]: {
              allocations: { [rp]: { resources: { CUSTOM_NOPE: 1 } } },
              project_id: PROJECT,
              user_id: USER,
              consumer_generation: null,
            },
          },
        },
      },
      get(`/resource_providers/${rp}`, '1.30'),
    ]);
  });

  it('unknown classes and traits in inventories, allocations and provider traits', async () => {
    const rp = uuidOf('fix-bad');
    await same([
      createProvider('fix-bad'),
      {
        method: 'PUT',
        path: `/resource_providers/${rp}/inventories`,
        version: '1.20',
        body: { resource_provider_generation: 0, inventories: { CUSTOM_NOPE: { total: 1 } } },
      },
      {
        method: 'POST',
        path: `/resource_providers/${rp}/inventories`,
        version: '1.20',
        body: { resource_class: 'CUSTOM_NOPE', total: 1 },
      },
      {
        method: 'PUT',
        path: `/resource_providers/${rp}/inventories/CUSTOM_NOPE`,
        version: '1.20',
        body: { resource_provider_generation: 0, total: 1 },
      },
      {
        method: 'PUT',
        path: `/resource_providers/${rp}/traits`,
        version: '1.20',
        body: { resource_provider_generation: 0, traits: ['CUSTOM_NOPE'] },
      },
      {
        method: 'PUT',
        path: `/allocations/${uuidOf('fix-consumer-2')}`,
        version: '1.28',
        body: {
          allocations: { [rp]: { resources: { CUSTOM_NOPE: 1 } } },
          project_id: PROJECT,
          user_id: USER,
          consumer_generation: null,
        },
      },
      {
        method: 'POST',
        path: '/allocations',
        version: '1.28',
        body: {
          [uuidOf('fix-consumer-3')]: {
            allocations: { [uuidOf('fix-nowhere')]: { resources: { VCPU: 1 } } },
            project_id: PROJECT,
            user_id: USER,
            consumer_generation: null,
          },
        },
      },
      get('/allocation_candidates?resources=CUSTOM_NOPE:1', '1.20'),
      get('/resource_providers?resources=CUSTOM_NOPE:1', '1.20'),
      get('/resource_providers?required=CUSTOM_NOPE', '1.20'),
      get(`/resource_providers/${rp}`, '1.20'),
    ]);
  });
});

describe('answers and generations as Placement', () => {
  it('GET /usages @1.38+ groups consumers without a type under "unknown"', async () => {
    const rp = uuidOf('fix-usages');
    await same([
      createProvider('fix-usages'),
      {
        method: 'PUT',
        path: `/resource_providers/${rp}/inventories`,
        version: '1.20',
        body: { resource_provider_generation: 0, inventories: { VCPU: { total: 8 } } },
      },
      {
        method: 'PUT',
        path: `/allocations/${uuidOf('fix-untyped')}`,
        version: '1.28',
        body: {
          allocations: { [rp]: { resources: { VCPU: 1 } } },
          project_id: PROJECT,
          user_id: USER,
          consumer_generation: null,
        },
      },
      {
        method: 'PUT',
        path: `/allocations/${uuidOf('fix-typed')}`,
        version: '1.38',
        body: {
          allocations: { [rp]: { resources: { VCPU: 2 } } },
          project_id: PROJECT,
          user_id: USER,
          consumer_generation: null,
          consumer_type: 'INSTANCE',
        },
      },
      get(`/usages?project_id=${PROJECT}`, '1.38'),
      get(`/usages?project_id=${PROJECT}`, 'latest'),
      get(`/usages?project_id=${PROJECT}&consumer_type=unknown`, 'latest'),
    ]);
  });

  it('PUT …/inventories removing several classes in use names every class', async () => {
    const rp = uuidOf('fix-inuse');
    await same([
      createProvider('fix-inuse'),
      {
        method: 'PUT',
        path: `/resource_providers/${rp}/inventories`,
        version: '1.20',
        body: {
          resource_provider_generation: 0,
          inventories: { VCPU: { total: 8 }, MEMORY_MB: { total: 1024 }, DISK_GB: { total: 10 } },
        },
      },
      {
        method: 'PUT',
        path: `/allocations/${uuidOf('fix-inuse-consumer')}`,
        version: '1.28',
        body: {
          allocations: { [rp]: { resources: { VCPU: 1, MEMORY_MB: 64 } } },
          project_id: PROJECT,
          user_id: USER,
          consumer_generation: null,
        },
      },
      {
        method: 'PUT',
        path: `/resource_providers/${rp}/inventories`,
        body: { resource_provider_generation: 2, inventories: { DISK_GB: { total: 10 } } },
      },
      { method: 'DELETE', path: `/resource_providers/${rp}/inventories`, version: '1.5' },
      get(`/resource_providers/${rp}/inventories`),
    ]);
  });

  it('an unchanged trait set leaves the generation (seed 1313 s0#23: provider allocations @1.20)', async () => {
    const rp = uuidOf('fix-gen');
    await same([
      createProvider('fix-gen'),
      { method: 'DELETE', path: `/resource_providers/${rp}/traits`, version: '1.38' },
      {
        method: 'PUT',
        path: `/resource_providers/${rp}/traits`,
        version: '1.6',
        body: { resource_provider_generation: 0, traits: [] },
      },
      get(`/resource_providers/${rp}/allocations`, '1.20'),
      get(`/resource_providers/${rp}`, 'latest'),
    ]);
  });
});
