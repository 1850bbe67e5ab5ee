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
      ...['', '/inventories', '/inventories/VCPU', '/traits', '/aggregates', '/usages', '/allocations'].map((tail) =>
        get(`/resource_providers/not-a-uuid${tail}`, '1.30'),
      ),
      { method: 'DELETE', path: '/resource_providers/not-a-uuid', version: '1.30' },
      { method: 'PUT', path: '/resource_providers/not-a-uuid', version: '1.30', body: { name: 'x' } },
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

describe('PUT /resource_providers/{uuid} Last-Modified', () => {
  it('absent for a child provider never updated, present once it was and on roots (updated_at loaded before the save)', async () => {
    const rp = uuidOf('fix-modified');
    await same([
      { ...createProvider('fix-modified'), version: '1.27' },
      { method: 'PUT', path: `/resource_providers/${rp}`, version: '1.27', body: { name: 'fix-modified-2' } },
      { method: 'PUT', path: `/resource_providers/${rp}`, version: '1.27', body: { name: 'fix-modified-3' } },
      { ...createProvider('fix-modified-b'), version: '1.27' },
      {
        method: 'PUT',
        path: `/resource_providers/${uuidOf('fix-modified-b')}/inventories`,
        version: '1.27',
        body: { resource_provider_generation: 0, inventories: { VCPU: { total: 2 } } },
      },
      { method: 'PUT', path: `/resource_providers/${uuidOf('fix-modified-b')}`, version: '1.27', body: { name: 'b2' } },
      get(`/resource_providers/${rp}`, '1.27'),
      {
        method: 'POST',
        path: '/resource_providers',
        version: '1.27',
        body: { name: 'fix-child', uuid: uuidOf('fix-child'), parent_provider_uuid: rp },
      },
      {
        method: 'PUT',
        path: `/resource_providers/${uuidOf('fix-child')}`,
        version: '1.27',
        body: { name: 'fix-child-2', parent_provider_uuid: rp },
      },
      {
        method: 'PUT',
        path: `/resource_providers/${uuidOf('fix-child')}`,
        version: '1.27',
        body: { name: 'fix-child-3', parent_provider_uuid: rp },
      },
      {
        method: 'POST',
        path: '/resource_providers',
        version: '1.27',
        body: { name: 'fix-child-c', uuid: uuidOf('fix-child-c'), parent_provider_uuid: rp },
      },
      // A save that changes nothing writes nothing (seed 7 s4#23, #27): still no Last-Modified.
      {
        method: 'PUT',
        path: `/resource_providers/${uuidOf('fix-child-c')}`,
        version: '1.14',
        body: { name: 'fix-child-c' },
      },
      {
        method: 'PUT',
        path: `/resource_providers/${uuidOf('fix-child-c')}`,
        version: '1.27',
        body: { name: 'fix-child-c2' },
      },
      {
        method: 'POST',
        path: '/resource_providers',
        version: '1.27',
        body: { name: 'fix-child-b', uuid: uuidOf('fix-child-b'), parent_provider_uuid: rp },
      },
      {
        method: 'PUT',
        path: `/resource_providers/${uuidOf('fix-child-b')}/traits`,
        version: '1.27',
        body: { resource_provider_generation: 0, traits: ['HW_CPU_X86_AVX'] },
      },
      {
        method: 'PUT',
        path: `/resource_providers/${uuidOf('fix-child-b')}`,
        version: '1.27',
        body: { name: 'fix-child-b2', parent_provider_uuid: rp },
      },
    ]);
  });
});

describe('allocation_ratio 0 (Placement takes it from 1.26; REST refuses it as GraphQL does)', () => {
  it('answers 400 naming the class and allocation_ratio, never an engine field path', async () => {
    const rp = uuidOf('fix-ratio');
    const { results } = await servers.pair.scenario([
      createProvider('fix-ratio'),
      {
        method: 'PUT',
        path: `/resource_providers/${rp}/inventories`,
        version: '1.36',
        body: { resource_provider_generation: 0, inventories: { VCPU: { total: 4, allocation_ratio: 0 } } },
      },
    ]);
    const answer = results[1]!;
    expect(answer.placement.status).toBe(200);
    expect(answer.ours.status).toBe(400);
    const detail = (answer.ours.body as { errors: { detail: string }[] }).errors[0]!.detail;
    expect(detail).toContain(`Bad inventory VCPU for resource provider ${rp}: allocation_ratio must be greater than 0`);
  });
});

describe('min_unit above max_unit (Placement takes it; REST refuses it as GraphQL does)', () => {
  it('answers 400 naming the class and min_unit; the generator of test/rest-diff.test.ts never sends it', async () => {
    const rp = uuidOf('fix-min-unit');
    const { results } = await servers.pair.scenario([
      createProvider('fix-min-unit'),
      {
        method: 'PUT',
        path: `/resource_providers/${rp}/inventories`,
        body: { resource_provider_generation: 0, inventories: { VCPU: { total: 2, max_unit: 2, min_unit: 3 } } },
      },
    ]);
    const answer = results[1]!;
    expect(answer.placement.status).toBe(200);
    expect(answer.ours.status).toBe(400);
    const detail = (answer.ours.body as { errors: { detail: string }[] }).errors[0]!.detail;
    expect(detail).toContain(`Bad inventory VCPU for resource provider ${rp}: min_unit `);
  });
});
