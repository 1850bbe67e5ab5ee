import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  formatDifference,
  type HttpMethod,
  type PairedServers,
  type RestCall,
  type RestPair,
  startPairedServers,
} from './support/rest-pair.js';

// Inventories, aggregates and usages through the REST API, call by call against the real Placement 8.0.
let servers: PairedServers;
let pair: RestPair;

type Step = [HttpMethod, string, Omit<RestCall, 'method' | 'path'>?];

/** Plays the steps on both servers; every difference, one line each. */
async function differences(steps: readonly Step[]): Promise<string[]> {
  const result = await pair.scenario(steps.map(([method, path, options]) => ({ method, path, ...options })));
  return result.differences.map((d) => formatDifference(d.call, d.difference));
}

const RP = 'bbbbbbbb-0000-4000-8000-000000000001';
const RP2 = 'bbbbbbbb-0000-4000-8000-000000000002';
const MISSING = 'bbbbbbbb-0000-4000-8000-0000000000ff';
const AGG1 = 'cccccccc-0000-4000-8000-000000000001';
const AGG2 = 'cccccccc-0000-4000-8000-000000000002';

beforeAll(async () => {
  servers = await startPairedServers();
  pair = servers.pair;
  const setup: Step[] = [
    ['POST', '/resource_providers', { body: { name: 'rp', uuid: RP } }],
    ['POST', '/resource_providers', { body: { name: 'rp2', uuid: RP2 } }],
  ];
  expect(await differences(setup)).toEqual([]);
}, 60_000);

afterAll(async () => {
  await servers?.close();
});

const inv = `/resource_providers/${RP}/inventories`;

describe('inventories', () => {
  it('follows Placement through every inventory endpoint', async () => {
    const steps: Step[] = [
      ['GET', inv],
      ['GET', inv, { version: '1.15' }],
      ['GET', `/resource_providers/${MISSING}/inventories`],
      ['POST', inv, { body: { resource_class: 'VCPU', total: 8 } }],
      [
        'POST',
        inv,
        { version: '1.15', body: { resource_class: 'DISK_GB', total: 100, reserved: 10, allocation_ratio: 1.5 } },
      ],
      ['POST', inv, { version: '1.23', body: { resource_class: 'CUSTOM_NOPE', total: 1 } }],
      ['POST', inv, { body: { resource_class: 'MEMORY_MB', total: 8, reserved: 8 } }],
      ['POST', inv, { version: '1.26', body: { resource_class: 'MEMORY_MB', total: 8, reserved: 9 } }],
      ['POST', inv, { body: { resource_class: 'MEMORY_MB', total: 0 } }],
      ['POST', inv, { body: { resource_class: 'memory', total: 1 } }],
      ['POST', inv, { body: { total: 1 } }],
      ['POST', inv, { body: { resource_class: 'MEMORY_MB', total: 1, bogus: 1 } }],
      ['POST', inv, { body: { resource_class: 'MEMORY_MB', total: 2147483648 } }],
      ['POST', inv, { body: { resource_class: 'MEMORY_MB', total: 'many' } }],
      ['POST', `/resource_providers/${MISSING}/inventories`, { body: { resource_class: 'VCPU', total: 1 } }],
      ['GET', inv],
      ['GET', `${inv}/VCPU`],
      ['GET', `${inv}/VCPU`, { version: '1.15' }],
      ['GET', `${inv}/PCI_DEVICE`],
      ['GET', `${inv}/CUSTOM_NOPE`],
      ['GET', `/resource_providers/${MISSING}/inventories/VCPU`],
      ['PUT', `${inv}/VCPU`, { body: { resource_provider_generation: 2, total: 16, max_unit: 4 } }],
      ['PUT', `${inv}/VCPU`, { version: '1.23', body: { resource_provider_generation: 2, total: 16 } }],
      ['PUT', `${inv}/VCPU`, { body: { total: 16 } }],
      ['PUT', `${inv}/PCI_DEVICE`, { body: { resource_provider_generation: 3, total: 2 } }],
      ['PUT', `${inv}/CUSTOM_NOPE`, { version: '1.23', body: { resource_provider_generation: 3, total: 2 } }],
      ['PUT', `${inv}/VCPU`, { version: '1.25', body: { resource_provider_generation: 3, total: 4, reserved: 4 } }],
      [
        'PUT',
        inv,
        {
          body: {
            resource_provider_generation: 3,
            inventories: { VCPU: { total: 32 }, PCI_DEVICE: { total: 4, step_size: 2 } },
          },
        },
      ],
      ['PUT', inv, { version: '1.23', body: { resource_provider_generation: 3, inventories: {} } }],
      ['PUT', inv, { body: { resource_provider_generation: 4, inventories: { CUSTOM_NOPE: { total: 1 } } } }],
      ['PUT', inv, { body: { resource_provider_generation: 4, inventories: { lower: { total: 1 } } } }],
      ['PUT', inv, { body: { resource_provider_generation: 4, inventories: { VCPU: { total: 1, reserved: 2 } } } }],
      ['PUT', inv, { body: { resource_provider_generation: 4 } }],
      ['GET', inv, { version: '1.15' }],
      ['GET', `/resource_providers/${RP}/usages`],
      ['GET', `/resource_providers/${RP}/usages`, { version: '1.15' }],
      ['GET', `/resource_providers/${MISSING}/usages`],
      ['DELETE', `${inv}/PCI_DEVICE`],
      ['DELETE', `${inv}/PCI_DEVICE`],
      ['DELETE', `${inv}/CUSTOM_NOPE`],
      // A name no class can have: Placement's 404 for an unknown class, not a validation error.
      ['DELETE', `${inv}/lower_case`],
      ['DELETE', `/resource_providers/${MISSING}/inventories/VCPU`],
      ['DELETE', inv, { version: '1.4' }],
      ['DELETE', inv, { version: '1.5' }],
      ['GET', inv],
      ['GET', `/resource_providers/${RP}`],
    ];
    expect(await differences(steps)).toEqual([]);
  });
});

describe('aggregates', () => {
  it('replaces and lists a provider’s aggregates in the 1.1 and 1.19 forms', async () => {
    const agg = `/resource_providers/${RP2}/aggregates`;
    const steps: Step[] = [
      ['GET', agg, { version: '1.0' }],
      ['GET', agg, { version: '1.1' }],
      ['GET', agg, { version: '1.19' }],
      ['GET', `/resource_providers/${MISSING}/aggregates`, { version: '1.1' }],
      ['PUT', agg, { version: '1.1', body: [AGG1] }],
      ['GET', `/resource_providers/${RP2}`, { version: '1.1' }],
      ['PUT', agg, { version: '1.1', body: [AGG1, AGG1] }],
      ['PUT', agg, { version: '1.1', body: ['not-a-uuid'] }],
      ['PUT', agg, { version: '1.1', body: { aggregates: [] } }],
      ['PUT', agg, { version: '1.19', body: [AGG1] }],
      ['PUT', agg, { version: '1.19', body: { aggregates: [AGG1, AGG2], resource_provider_generation: 0 } }],
      ['PUT', agg, { version: '1.23', body: { aggregates: [AGG1, AGG2], resource_provider_generation: 5 } }],
      ['PUT', agg, { version: '1.19', body: { aggregates: [AGG2] } }],
      [
        'PUT',
        `/resource_providers/${MISSING}/aggregates`,
        { version: '1.19', body: { aggregates: [], resource_provider_generation: 0 } },
      ],
      ['GET', agg, { version: '1.19' }],
      ['GET', agg, { version: '1.15' }],
      ['GET', `/resource_providers?member_of=${AGG1}`, { version: '1.3' }],
      ['GET', `/resource_providers?member_of=in:${AGG1},${AGG2}`, { version: '1.3' }],
      ['GET', `/resource_providers?member_of=${AGG1},${AGG2}`, { version: '1.3' }],
      ['GET', `/resource_providers?member_of=${AGG1}`, { version: '1.2' }],
      ['GET', `/resource_providers?member_of=${AGG1}&member_of=${AGG2}`, { version: '1.23' }],
      ['GET', `/resource_providers?member_of=${AGG1}&member_of=${AGG2}`, { version: '1.24' }],
      ['GET', `/resource_providers?member_of=!${AGG1}`, { version: '1.31' }],
      ['GET', `/resource_providers?member_of=!${AGG1}`, { version: '1.32' }],
      ['GET', `/resource_providers?member_of=!in:${AGG1},${AGG2}`, { version: '1.32' }],
      ['GET', '/resource_providers?member_of=nope', { version: '1.32' }],
      ['GET', '/resource_providers?resources=VCPU:1', { version: '1.4' }],
      ['GET', '/resource_providers?resources=VCPU:1', { version: '1.3' }],
      ['GET', '/resource_providers?resources=VCPU:100,DISK_GB:1', { version: '1.4' }],
      ['GET', '/resource_providers?resources=DISK_GB:1', { version: '1.4' }],
      ['GET', '/resource_providers?resources=VCPU', { version: '1.4' }],
      ['GET', '/resource_providers?resources=VCPU:x', { version: '1.4' }],
      ['GET', '/resource_providers?resources=VCPU:0', { version: '1.4' }],
      ['GET', '/resource_providers?resources=', { version: '1.4' }],
      ['GET', '/resource_providers?resources=CUSTOM_NOPE:1', { version: '1.4' }],
      ['PUT', agg, { version: '1.19', body: { aggregates: [], resource_provider_generation: 1 } }],
      ['GET', agg, { version: '1.1' }],
    ];
    expect(await differences(steps)).toEqual([]);
  });
});

describe('usages', () => {
  it('answers /usages as Placement does for a project without allocations, and its errors', async () => {
    const steps: Step[] = [
      ['GET', '/usages?project_id=p1', { version: '1.8' }],
      ['GET', '/usages?project_id=p1', { version: '1.9' }],
      ['GET', '/usages?project_id=p1&user_id=u1', { version: '1.15' }],
      ['GET', '/usages', { version: '1.9' }],
      ['GET', '/usages?project_id=', { version: '1.9' }],
      ['GET', '/usages?project_id=p1&bad=1', { version: '1.9' }],
      ['GET', '/usages?project_id=p1&consumer_type=INSTANCE', { version: '1.37' }],
      ['GET', '/usages?project_id=p1&consumer_type=INSTANCE', { version: '1.38' }],
      ['GET', '/usages?project_id=p1&consumer_type=all', { version: '1.38' }],
      ['GET', '/usages?project_id=p1&consumer_type=lower', { version: '1.38' }],
    ];
    expect(await differences(steps)).toEqual([]);
  });
});
