import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from './support/harness.js';
import { type RealPlacement, startRealPlacement } from './support/real-placement.js';
import { differences, RestPair, type Step } from './support/rest-compare.js';

// Resource providers and traits through the REST API, call by call against the real Placement 8.0.
let env: TestEnv;
let real: RealPlacement;
let pair: RestPair;

beforeAll(async () => {
  [env, real] = await Promise.all([createTestEnv(4), startRealPlacement()]);
  pair = new RestPair(env, real);
}, 60_000);

afterAll(async () => {
  await Promise.all([env?.close(), real?.stop()]);
});

const ROOT = 'aaaaaaaa-0000-4000-8000-000000000001';
const CHILD = 'aaaaaaaa-0000-4000-8000-000000000002';
const OTHER = 'aaaaaaaa-0000-4000-8000-000000000003';
const GRANDCHILD = 'aaaaaaaa-0000-4000-8000-000000000004';
const MISSING = 'aaaaaaaa-0000-4000-8000-0000000000ff';

describe('resource providers', () => {
  it('creates, shows, lists, updates and deletes providers at the versions where they change', async () => {
    for (const uuid of [ROOT, CHILD, OTHER, GRANDCHILD, MISSING]) pair.fixedUuids.add(uuid);
    const steps: Step[] = [
      ['POST', '/resource_providers', { body: { name: 'root', uuid: ROOT } }],
      [
        'POST',
        '/resource_providers',
        { version: '1.14', body: { name: 'child', uuid: CHILD, parent_provider_uuid: ROOT } },
      ],
      ['POST', '/resource_providers', { version: '1.20', body: { name: 'other', uuid: OTHER } }],
      ['POST', '/resource_providers', { version: '1.20', body: { name: 'other' } }],
      ['POST', '/resource_providers', { version: '1.23', body: { name: 'other2', uuid: OTHER } }],
      ['POST', '/resource_providers', { version: '1.13', body: { name: 'x', parent_provider_uuid: ROOT } }],
      [
        'POST',
        '/resource_providers',
        { version: '1.14', body: { name: 'x', uuid: MISSING, parent_provider_uuid: MISSING } },
      ],
      ['POST', '/resource_providers', { version: '1.14', body: { name: 'x', parent_provider_uuid: 'nope' } }],
      ['POST', '/resource_providers', { body: { name: 'x', uuid: 'not-a-uuid' } }],
      ['POST', '/resource_providers', { body: { name: 'y'.repeat(201) } }],
      ['POST', '/resource_providers', { body: { uuid: ROOT } }],
      ['GET', `/resource_providers/${ROOT}`],
      ['GET', `/resource_providers/${CHILD}`, { version: '1.14' }],
      ['GET', `/resource_providers/${CHILD}`, { version: '1.15' }],
      ['GET', `/resource_providers/${MISSING}`, { version: '1.23' }],
      ['GET', '/resource_providers'],
      ['GET', '/resource_providers', { version: '1.1' }],
      ['GET', '/resource_providers', { version: '1.6' }],
      ['GET', '/resource_providers', { version: '1.11' }],
      ['GET', '/resource_providers', { version: '1.14' }],
      ['GET', '/resource_providers?name=child', { version: '1.14' }],
      ['GET', `/resource_providers?uuid=${OTHER}`, { version: '1.14' }],
      ['GET', '/resource_providers?uuid=nope', { version: '1.14' }],
      ['GET', `/resource_providers?in_tree=${CHILD}`, { version: '1.14' }],
      ['GET', `/resource_providers?in_tree=${CHILD}`, { version: '1.13' }],
      ['GET', `/resource_providers?in_tree=${MISSING}`, { version: '1.14' }],
      ['GET', '/resource_providers?foo=bar', { version: '1.39' }],
      ['PUT', `/resource_providers/${OTHER}`, { version: '1.14', body: { name: 'other-renamed' } }],
      ['PUT', `/resource_providers/${OTHER}`, { version: '1.15', body: { name: 'child' } }],
      [
        'PUT',
        `/resource_providers/${OTHER}`,
        { version: '1.14', body: { name: 'other', parent_provider_uuid: CHILD } },
      ],
      ['PUT', `/resource_providers/${OTHER}`, { version: '1.14', body: { name: 'other', parent_provider_uuid: ROOT } }],
      ['PUT', `/resource_providers/${OTHER}`, { version: '1.14', body: { name: 'other', parent_provider_uuid: null } }],
      ['PUT', `/resource_providers/${OTHER}`, { version: '1.37', body: { name: 'other', parent_provider_uuid: ROOT } }],
      ['PUT', `/resource_providers/${ROOT}`, { version: '1.37', body: { name: 'root', parent_provider_uuid: CHILD } }],
      ['PUT', `/resource_providers/${ROOT}`, { version: '1.37', body: { name: 'root', parent_provider_uuid: ROOT } }],
      [
        'PUT',
        `/resource_providers/${OTHER}`,
        { version: '1.37', body: { name: 'other', parent_provider_uuid: MISSING } },
      ],
      ['PUT', `/resource_providers/${OTHER}`, { version: '1.37', body: { name: 'other', parent_provider_uuid: null } }],
      ['PUT', `/resource_providers/${MISSING}`, { version: '1.37', body: { name: 'zzz' } }],
      ['PUT', `/resource_providers/${OTHER}`, { version: '1.37', body: { name: 'other', uuid: OTHER } }],
      [
        'POST',
        '/resource_providers',
        { version: '1.14', body: { name: 'grandchild', uuid: GRANDCHILD, parent_provider_uuid: CHILD } },
      ],
      ['GET', `/resource_providers?in_tree=${GRANDCHILD}`, { version: '1.14' }],
      ['DELETE', `/resource_providers/${CHILD}`, { version: '1.23' }],
      ['DELETE', `/resource_providers/${MISSING}`],
      ['DELETE', `/resource_providers/${GRANDCHILD}`],
      ['DELETE', `/resource_providers/${GRANDCHILD}`],
      ['GET', '/resource_providers', { version: '1.39' }],
    ];
    expect(await differences(pair, steps)).toEqual([]);
  });
});

describe('traits', () => {
  it('lists, creates, shows and deletes traits; sets and clears a provider’s traits', async () => {
    const steps: Step[] = [
      ['GET', '/traits', { version: '1.5' }],
      ['PUT', '/traits/CUSTOM_GOLD', { version: '1.6' }],
      ['PUT', '/traits/CUSTOM_GOLD', { version: '1.15' }],
      ['PUT', '/traits/CUSTOM_SILVER', { version: '1.15' }],
      ['PUT', '/traits/HW_CPU_X86_AVX', { version: '1.6' }],
      ['PUT', '/traits/CUSTOM_lower', { version: '1.6' }],
      ['GET', '/traits/CUSTOM_GOLD', { version: '1.6' }],
      ['GET', '/traits/CUSTOM_GOLD', { version: '1.15' }],
      ['GET', '/traits/CUSTOM_NONE', { version: '1.6' }],
      ['GET', '/traits?name=in:CUSTOM_GOLD,CUSTOM_SILVER,HW_CPU_X86_AVX', { version: '1.6' }],
      ['GET', '/traits?name=startswith:CUSTOM_', { version: '1.15' }],
      ['GET', '/traits?name=CUSTOM_GOLD', { version: '1.6' }],
      ['GET', '/traits?name=other:x&associated=true', { version: '1.6' }],
      ['GET', '/traits?associated=maybe', { version: '1.6' }],
      ['GET', '/traits?name=startswith:CUSTOM_&associated=false', { version: '1.6' }],
      ['GET', '/traits?bad=1', { version: '1.6' }],
      ['GET', `/resource_providers/${ROOT}/traits`, { version: '1.6' }],
      ['GET', `/resource_providers/${MISSING}/traits`, { version: '1.6' }],
      [
        'PUT',
        `/resource_providers/${ROOT}/traits`,
        { version: '1.6', body: { traits: ['CUSTOM_GOLD', 'HW_CPU_X86_AVX'], resource_provider_generation: 0 } },
      ],
      [
        'PUT',
        `/resource_providers/${ROOT}/traits`,
        { version: '1.23', body: { traits: ['CUSTOM_GOLD'], resource_provider_generation: 0 } },
      ],
      [
        'PUT',
        `/resource_providers/${ROOT}/traits`,
        { version: '1.6', body: { traits: ['CUSTOM_NOPE'], resource_provider_generation: 1 } },
      ],
      [
        'PUT',
        `/resource_providers/${ROOT}/traits`,
        { version: '1.6', body: { traits: [''], resource_provider_generation: 1 } },
      ],
      ['PUT', `/resource_providers/${ROOT}/traits`, { version: '1.6', body: { traits: ['CUSTOM_GOLD'] } }],
      [
        'PUT',
        `/resource_providers/${MISSING}/traits`,
        { version: '1.6', body: { traits: [], resource_provider_generation: 0 } },
      ],
      ['GET', `/resource_providers/${ROOT}/traits`, { version: '1.15' }],
      ['GET', `/resource_providers/${ROOT}`, { version: '1.15' }],
      ['GET', '/traits?name=startswith:CUSTOM_&associated=true', { version: '1.6' }],
      ['GET', '/resource_providers?required=CUSTOM_GOLD', { version: '1.18' }],
      ['GET', '/resource_providers?required=CUSTOM_GOLD', { version: '1.17' }],
      ['GET', '/resource_providers?required=!CUSTOM_GOLD', { version: '1.18' }],
      ['GET', '/resource_providers?required=!CUSTOM_GOLD', { version: '1.22' }],
      ['GET', '/resource_providers?required=CUSTOM_GOLD,', { version: '1.22' }],
      ['GET', '/resource_providers?required=in:CUSTOM_GOLD,CUSTOM_SILVER', { version: '1.38' }],
      ['GET', '/resource_providers?required=in:CUSTOM_GOLD,CUSTOM_SILVER', { version: '1.39' }],
      ['GET', '/resource_providers?required=in:CUSTOM_SILVER&required=HW_CPU_X86_AVX', { version: '1.39' }],
      ['GET', '/resource_providers?required=CUSTOM_NOPE', { version: '1.39' }],
      ['DELETE', '/traits/CUSTOM_GOLD', { version: '1.6' }],
      ['DELETE', '/traits/HW_CPU_X86_AVX', { version: '1.6' }],
      ['DELETE', '/traits/CUSTOM_NONE', { version: '1.6' }],
      ['DELETE', `/resource_providers/${ROOT}/traits`, { version: '1.6' }],
      ['DELETE', `/resource_providers/${MISSING}/traits`, { version: '1.6' }],
      ['GET', `/resource_providers/${ROOT}/traits`, { version: '1.6' }],
      ['DELETE', '/traits/CUSTOM_GOLD', { version: '1.6' }],
      ['GET', '/traits?name=startswith:CUSTOM_', { version: '1.6' }],
    ];
    expect(await differences(pair, steps)).toEqual([]);
  });
});
