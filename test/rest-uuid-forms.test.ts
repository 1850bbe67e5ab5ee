import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  formatDifference,
  type HttpMethod,
  type PairedServers,
  type RestCall,
  startPairedServers,
} from './support/rest-pair.js';

// Uuids in other spellings than the canonical lower-case dashed one (upper case, braces, no
// dashes), in paths, queries and bodies, against the real Placement 8.0: where it answers 404
// or 400, so do we, with its text.
let servers: PairedServers;

type Step = [HttpMethod, string, Omit<RestCall, 'method' | 'path'>?];

beforeAll(async () => {
  servers = await startPairedServers();
}, 180_000);

afterAll(async () => {
  await servers?.close();
});

const RP = 'bbbbbbbb-0000-4000-8000-000000000001';
const OTHER = 'bbbbbbbb-0000-4000-8000-000000000002';
const CONSUMER = 'bbbbbbbb-0000-4000-8000-0000000000c1';
const AGG = 'bbbbbbbb-0000-4000-8000-0000000000a1';

/** The other spellings Python's uuid.UUID() takes: upper case, braces, no dashes. */
const FORMS: ((uuid: string) => string)[] = [
  (uuid) => uuid.toUpperCase(),
  (uuid) => `{${uuid}}`,
  (uuid) => uuid.replace(/-/g, ''),
];

const setup: Step[] = [
  ['POST', '/resource_providers', { version: '1.20', body: { name: 'forms', uuid: RP } }],
  ['POST', '/resource_providers', { version: '1.20', body: { name: 'other', uuid: OTHER } }],
  [
    'PUT',
    `/resource_providers/${RP}/inventories`,
    { body: { resource_provider_generation: 0, inventories: { VCPU: { total: 8 } } } },
  ],
  [
    'PUT',
    `/resource_providers/${RP}/aggregates`,
    { version: '1.19', body: { aggregates: [AGG], resource_provider_generation: 1 } },
  ],
  [
    'PUT',
    `/allocations/${CONSUMER}`,
    {
      version: '1.28',
      body: {
        allocations: { [RP]: { resources: { VCPU: 1 } } },
        project_id: 'p',
        user_id: 'u',
        consumer_generation: null,
      },
    },
  ],
];

/** Every place a uuid goes, with `form` spelling it; none of these calls changes either server. */
function probes(form: (uuid: string) => string): Step[] {
  const [rp, other, consumer, agg] = [form(RP), form(OTHER), form(CONSUMER), form(AGG)];
  const q = encodeURIComponent;
  return [
    ['GET', `/resource_providers/${rp}`, { version: '1.39' }],
    ['GET', `/resource_providers/${rp}/inventories`],
    ['GET', `/resource_providers/${rp}/inventories/VCPU`],
    ['GET', `/resource_providers/${rp}/usages`],
    ['GET', `/resource_providers/${rp}/traits`, { version: '1.6' }],
    ['GET', `/resource_providers/${rp}/aggregates`, { version: '1.19' }],
    ['GET', `/resource_providers/${rp}/allocations`],
    ['GET', `/resource_providers?uuid=${q(rp)}`, { version: '1.39' }],
    ['GET', `/resource_providers?in_tree=${q(rp)}`, { version: '1.39' }],
    ['GET', `/resource_providers?in_tree=${q(rp)}&required=CUSTOM_NOPE`, { version: '1.39' }],
    ['GET', `/resource_providers?uuid=${q(rp)}&required=CUSTOM_NOPE`, { version: '1.39' }],
    ['GET', `/resource_providers?member_of=${q(agg)}`, { version: '1.39' }],
    ['GET', `/allocation_candidates?resources=VCPU:1&in_tree=${q(rp)}`, { version: '1.39' }],
    ['GET', `/allocation_candidates?resources=VCPU:1&member_of=${q(agg)}`, { version: '1.39' }],
    ['GET', `/allocations/${consumer}`, { version: '1.39' }],
    ['PUT', `/resource_providers/${rp}`, { version: '1.39', body: { name: 'renamed' } }],
    ['PUT', `/resource_providers/${OTHER}`, { version: '1.14', body: { name: 'other', parent_provider_uuid: rp } }],
    ['POST', '/resource_providers', { version: '1.39', body: { name: 'child', parent_provider_uuid: rp } }],
    ['POST', '/resource_providers', { version: '1.39', body: { name: 'forms', uuid: other } }],
    [
      'PUT',
      `/allocations/${CONSUMER}`,
      {
        version: '1.39',
        body: {
          allocations: { [rp]: { resources: { VCPU: 2 } } },
          project_id: 'p',
          user_id: 'u',
          consumer_generation: 1,
        },
      },
    ],
    [
      'POST',
      '/reshaper',
      {
        version: '1.30',
        body: {
          inventories: { [rp]: { resource_provider_generation: 3, inventories: { VCPU: { total: 8 } } } },
          allocations: {},
        },
      },
    ],
    ['DELETE', `/resource_providers/${rp}/inventories/VCPU`],
    ['DELETE', `/resource_providers/${rp}`],
  ];
}

describe('uuid spellings', () => {
  it('answers as Placement does for upper-case, braced and dash-less uuids in paths, queries and bodies', async () => {
    const steps: Step[] = [
      ...setup,
      ...FORMS.flatMap(probes),
      ['GET', `/resource_providers/${RP}`, { version: '1.39' }],
    ];
    const result = await servers.pair.scenario(steps.map(([method, path, options]) => ({ method, path, ...options })));
    expect(result.differences.map((d) => formatDifference(d.call, d.difference))).toEqual([]);
    // The probes reached Placement's refusals, not some earlier check: 404s for paths, 400s for parents.
    const statuses = result.results
      .slice(setup.length, setup.length + probes(FORMS[0]!).length)
      .map((r) => r.placement.status);
    expect(statuses).toEqual([
      404, 404, 404, 404, 404, 404, 404, 200, 200, 200, 400, 200, 200, 200, 200, 404, 400, 400, 409, 400, 400, 404, 404,
    ]);
  }, 120_000);
});
