/**
 * Placement's functional tests (gabbi YAML files in placement/tests/functional/gabbits/) about
 * resource providers, their links, aggregates and traits, re-expressed as differential scenarios:
 * every call goes to the real Placement 8.0 and to our /placement, and the two answers must agree
 * (status, normalised body, the headers that matter). One `it` per YAML file; each starts from
 * two empty servers, as upstream starts each file from an empty database.
 *
 * Skipped, with the reason:
 * - resource-provider.yaml "non admin forbidden": a non-admin token; roles differ by design and
 *   are compared in test/rest-role-matrix.test.ts.
 */
import { describe, it } from 'vitest';
import { ALLOCATION_FIXTURE, allocationFixture } from './support/gabbit-fixtures/allocation-fixture.js';
import { granularFixture } from './support/gabbit-fixtures/granular-fixture.js';
import { expectSame, gabbitPair, JSON_HEADERS, location, readText, type Step } from './support/gabbit-playback.js';
import type { PairResult } from './support/rest-pair.js';

const { pair, playback } = gabbitPair();

const JSON_ACCEPT = 'application/json';

describe('resource-provider.yaml', () => {
  // Stand-ins for the fixture's $ENVIRON uuids (RP_NAME is a uuid there too).
  const RP = 'b0000001-0000-4000-8000-000000000001';
  const RP_NAME = 'b0000001-0000-4000-8000-0000000000aa';
  const PARENT = 'b0000001-0000-4000-8000-000000000002';
  const ALT_PARENT = 'b0000001-0000-4000-8000-000000000003';
  const MISSING = 'd67370b5-4dc0-470d-a4fa-85e8e89abc6c';
  const LONG_NAME = `This is a long text of 201 characters${'s'.repeat(164)}`;

  it('creates, lists, filters, updates, re-parents and deletes providers', async () => {
    const steps: Step[] = [
      // what is at resource providers; route not found non json
      ['GET', '/resource_providers', { version: '1.15' }],
      ['GET', '/moo', { headers: { accept: 'text/plain' } }],
      // post new resource provider - old microversion; delete it
      ['POST', '/resource_providers', { version: '1.19', body: { name: RP_NAME, uuid: RP } }],
      (r) => ['DELETE', location(r[2])],
      // post new resource provider - new microversion; the same again; same name again
      ['POST', '/resource_providers', { body: { name: RP_NAME, uuid: RP } }],
      ['POST', '/resource_providers', { body: { name: RP_NAME, uuid: RP } }],
      ['POST', '/resource_providers', { body: { name: RP_NAME, uuid: 'ada30fb5-566d-4fe1-b43b-28a9e988790c' } }],
      // confirm the correct post; no accept; non-existing
      ['GET', `/resource_providers/${RP}`, { version: '1.15', headers: { 'content-type': JSON_ACCEPT } }],
      ['GET', `/resource_providers/${RP}`, { omitAccept: true }],
      ['GET', `/resource_providers/${MISSING}`],
      // listing and filtering
      ['GET', '/resource_providers', { version: '1.15' }],
      ['GET', '/resource_providers?name=flubblebubble'],
      ['GET', `/resource_providers?uuid=${MISSING}`],
      ['GET', `/resource_providers?name=${RP_NAME}`],
      ['GET', '/resource_providers?uuid=spameggs'],
      ['GET', '/resource_providers?spam=eggs'],
      ['GET', `/resource_providers?uuid=${RP}`, { version: '1.11' }],
      ['GET', `/resource_providers?uuid=${RP}`, { version: '1.10' }],
      // update a resource provider's name, check it, update poorly
      ['PUT', `/resource_providers/${RP}`, { version: '1.15', body: { name: 'new name' } }],
      ['GET', `/resource_providers/${RP}`],
      ['PUT', `/resource_providers/${RP}`, { body: { badfield: 'new name' } }],
      // nested providers: microversion limits, root uuid, self-parent, missing parent
      ['POST', '/resource_providers', { version: '1.13', body: { name: 'child', parent_provider_uuid: PARENT } }],
      ['PUT', `/resource_providers/${RP}`, { version: '1.13', body: { name: 'child', parent_provider_uuid: PARENT } }],
      ['PUT', `/resource_providers/${RP}`, { body: { root_provider_uuid: PARENT } }],
      ['POST', '/resource_providers', { body: { name: 'child', uuid: ALT_PARENT, parent_provider_uuid: ALT_PARENT } }],
      ['PUT', `/resource_providers/${RP}`, { body: { name: 'parent', parent_provider_uuid: PARENT } }],
      ['POST', '/resource_providers', { body: { name: 'parent', uuid: PARENT } }],
      ['GET', `/resource_providers/${PARENT}`, { version: '1.13', headers: { 'content-type': JSON_ACCEPT } }],
      ['GET', `/resource_providers/${PARENT}`, { headers: { 'content-type': JSON_ACCEPT } }],
      ['PUT', `/resource_providers/${RP}`, { body: { name: 'child', parent_provider_uuid: PARENT } }],
      ['GET', `/resource_providers/${RP}`, { headers: { 'content-type': JSON_ACCEPT } }],
      // un-parent and re-parent
      ['PUT', `/resource_providers/${RP}`, { version: '1.36', body: { name: 'child', parent_provider_uuid: null } }],
      ['PUT', `/resource_providers/${RP}`, { version: '1.37', body: { name: 'child', parent_provider_uuid: null } }],
      ['PUT', `/resource_providers/${RP}`, { version: '1.37', body: { name: 'child', parent_provider_uuid: PARENT } }],
      ['DELETE', `/resource_providers/${PARENT}`],
      // in_tree
      ['GET', `/resource_providers?in_tree=${ALT_PARENT}`],
      ['GET', `/resource_providers?in_tree=${RP}`],
      ['POST', '/resource_providers', { body: { name: 'altwparent', uuid: ALT_PARENT } }],
      ['GET', `/resource_providers?in_tree=${ALT_PARENT}`],
      // required and forbidden traits
      ['GET', '/resource_providers?required=HW_CPU_X86_SGX,HW_CPU_X86_SHA'],
      [
        'PUT',
        `/resource_providers/${RP}/traits`,
        { body: { resource_provider_generation: 0, traits: ['HW_CPU_X86_SGX', 'STORAGE_DISK_SSD'] } },
      ],
      [
        'PUT',
        `/resource_providers/${ALT_PARENT}/traits`,
        { body: { resource_provider_generation: 0, traits: ['MISC_SHARES_VIA_AGGREGATE', 'STORAGE_DISK_SSD'] } },
      ],
      ['GET', '/resource_providers?required=HW_CPU_X86_SGX,MISC_SHARES_VIA_AGGREGATE'],
      ['GET', '/resource_providers?required=STORAGE_DISK_SSD'],
      ['GET', `/resource_providers?required=STORAGE_DISK_SSD&in_tree=${RP}`],
      ['GET', '/resource_providers'],
      ['GET', '/resource_providers?required=!STORAGE_DISK_SSD'],
      (r) => ['GET', `/resource_providers/${readText(r.at(-1), 'resource_providers', 0, 'uuid')}/traits`],
      ['GET', '/resource_providers?required=!STORAGE_DISK_SSD', { version: '1.21' }],
      ['GET', '/resource_providers?required=!MISC_SHARES_VIA_AGGREGATE'],
      ['GET', '/resource_providers?required=!HW_CPU_X86_SGX,STORAGE_DISK_SSD'],
      (r) => ['GET', `/resource_providers/${readText(r.at(-1), 'resource_providers', 0, 'uuid')}/traits`],
      ['GET', '/resource_providers?required=!MISC_SHARES_VIA_AGGREGATE,!HW_CPU_X86_SGX'],
      (r) => ['GET', `/resource_providers/${readText(r.at(-1), 'resource_providers', 0, 'uuid')}/traits`],
      ['GET', '/resource_providers?required=!HW_CPU_X86_VMX'],
      // inventory, then required with resources; invalid required values
      [
        'PUT',
        `/resource_providers/${ALT_PARENT}/inventories`,
        {
          body: {
            resource_provider_generation: 1,
            inventories: { IPV4_ADDRESS: { total: 253 }, DISK_GB: { total: 1024 } },
          },
        },
      ],
      ['GET', '/resource_providers?required=STORAGE_DISK_SSD&resources=IPV4_ADDRESS:10'],
      ['GET', '/resource_providers?required='],
      ['GET', '/resource_providers?required=', { version: '1.21' }],
      ['GET', '/resource_providers?required=STORAGE_DISK_SSD,,MISC_SHARES_VIA_AGGREGATE'],
      ['GET', '/resource_providers?required=STORAGE_DISK_SSD,BOGUS_TRAIT,MISC_SHARES_VIA_AGGREGATE'],
      ['GET', '/resource_providers?required=HW_CPU_X86_SGX,MISC_SHARES_VIA_AGGREGATE', { version: '1.17' }],
      // re-parent to another provider and back
      [
        'PUT',
        `/resource_providers/${RP}`,
        { version: '1.36', body: { name: 'child', parent_provider_uuid: ALT_PARENT } },
      ],
      [
        'PUT',
        `/resource_providers/${RP}`,
        { version: '1.37', body: { name: 'child', parent_provider_uuid: ALT_PARENT } },
      ],
      ['PUT', `/resource_providers/${RP}`, { version: '1.37', body: { name: 'child', parent_provider_uuid: PARENT } }],
      // a provider with a generated uuid: rename to a taken name, put with uuid, delete twice
      ['POST', '/resource_providers', { body: { name: 'cow' } }],
      (r) => ['PUT', location(r.at(-1)), { body: { name: 'child' } }],
      (r) => [
        'PUT',
        location(r.at(-2)),
        { body: { name: 'second new name', uuid: '7d4275fc-8b40-4995-85e2-74fcec2cb3b6' } },
      ],
      (r) => ['DELETE', location(r.at(-3))],
      (r) => ['DELETE', location(r.at(-4))],
      ['GET', '/resource_providers/random_sauce'],
      ['DELETE', `/resource_providers/${MISSING}`],
      // bad bodies
      ['POST', '/resource_providers', { body: { name: 'a name' } }],
      ['POST', '/resource_providers', { rawBody: '{"foo": }' }],
      ['POST', '/resource_providers', { body: { name: 'my bad rp', uuid: 'this is not a uuid' } }],
      ['POST', '/resource_providers', { body: { name: LONG_NAME } }],
      ['PUT', `/resource_providers/${RP}`, { body: { name: LONG_NAME } }],
      ['GET', '/resource_providers', { version: '1.14' }],
      // loops in the tree
      ['PUT', `/resource_providers/${PARENT}`, { body: { name: 'parent', parent_provider_uuid: PARENT } }],
      ['PUT', `/resource_providers/${PARENT}`, { body: { name: 'parent', parent_provider_uuid: RP } }],
      // dashed and dashless uuids
      [
        'POST',
        '/resource_providers',
        { body: { name: 'rp with dashed uuid', uuid: '2290d4af-9e6e-400b-9d65-1ee01376f71a' } },
      ],
      [
        'POST',
        '/resource_providers',
        { body: { name: 'rp with dashless uuid', uuid: '2290d4af9e6e400b9d651ee01376f71a' } },
      ],
    ];
    const run = playback({ version: 'latest' });
    await run.play(
      steps,
      [
        200, 404, 201, 204, 200, 409, 409, 200, 200, 404, 200, 200, 200, 200, 400, 400, 200, 200, 200, 200, 400, 400,
        400, 400, 400, 400, 200, 200, 200, 200, 200, 400, 200, 200, 409, 200, 200, 200, 200, 200, 200, 200, 200, 200,
        200, 200, 200, 200, 400, 200, 200, 200, 200, 200, 200, 200, 200, 400, 400, 400, 400, 400, 400, 200, 200, 200,
        409, 400, 204, 404, 404, 404, 200, 400, 400, 400, 400, 200, 400, 400, 200, 409,
      ],
    );
    expectSame(run);
  });
});

describe('aggregate.yaml', () => {
  const RP = 'b0000002-0000-4000-8000-000000000001';
  const RP_NAME = 'b0000002-0000-4000-8000-0000000000aa';
  const BAD = '/resource_providers/6984bb2d-830d-4c8d-ac64-c5a8103664be/aggregates';
  const AGGREGATES = `/resource_providers/${RP}/aggregates`;
  const AGG_1 = 'f918801a-5e54-4bee-9095-09a9d0c786b8';
  const AGG_2 = 'a893eb5c-e2a0-4251-ab26-f71d3b0cfc0b';

  it("reads and replaces a provider's aggregates in the old and the new payloads", async () => {
    const steps: Step[] = [
      ['GET', BAD],
      ['PUT', BAD, { body: [] }],
      ['POST', '/resource_providers', { body: { name: RP_NAME, uuid: RP } }],
      ['GET', AGGREGATES],
      ['GET', AGGREGATES, { version: '1.0' }],
      ['PUT', AGGREGATES, { version: '1.0' }],
      ['PUT', AGGREGATES, { body: [AGG_1, AGG_2] }],
      ['PUT', AGGREGATES, { version: '1.18', body: { resource_provider_generation: 0, aggregates: [AGG_1, AGG_2] } }],
      ['PUT', AGGREGATES, { body: { resource_provider_generation: 0, aggregates: [AGG_1, AGG_2] } }],
      ['GET', AGGREGATES],
      ['PUT', AGGREGATES, { body: { resource_provider_generation: 0, aggregates: [] } }],
      ['PUT', AGGREGATES, { body: { resource_provider_generation: 1, aggregates: [] } }],
      ['GET', AGGREGATES],
      ['PUT', AGGREGATES, { rawBody: '{"bad", "not json"}' }],
      ['PUT', AGGREGATES, { body: { aggregates: [AGG_1, AGG_2] } }],
      ['PUT', AGGREGATES, { body: { aggregates: ['harry', 'sally'], resource_provider_generation: 2 } }],
      ['PUT', AGGREGATES, { body: { aggregates: [AGG_1, AGG_1], resource_provider_generation: 2 } }],
      ['PUT', AGGREGATES, { version: '1.14', body: [AGG_1, AGG_2] }],
      ['GET', AGGREGATES, { version: '1.14' }],
    ];
    const run = playback({ version: 'latest', headers: JSON_HEADERS });
    await run.play(
      steps,
      [404, 404, 200, 200, 404, 404, 400, 400, 200, 200, 409, 200, 200, 400, 400, 400, 400, 200, 200],
    );
    expectSame(run);
  });
});

describe('resource-provider-aggregates.yaml', () => {
  const RP_1 = '893337e9-1e55-49f0-bcfe-6a2f16fbf2f7';
  const RP_2 = '5202c48f-c960-4eec-bde3-89c4f22a17b9';
  const RP_3 = '0621521c-ad3a-4f9c-9b72-2933788fab19';
  const AGG_A = '83a3d69d-8920-48e2-8914-cadfd8fa2f91';
  const AGG_B = '99652f11-9f77-46b9-80b7-4b1989be9f8c';
  const AGG_C = '282d469e-29e2-4a8a-8f2e-31b3202b696a';
  const aggregates = (rp: string, generation: number, ...list: string[]): Step => [
    'PUT',
    `/resource_providers/${rp}/aggregates`,
    { body: { aggregates: list, resource_provider_generation: generation } },
  ];

  it('filters providers by member_of: any of, all of, and (1.32) none of', async () => {
    const steps: Step[] = [
      ['POST', '/resource_providers', { body: { name: 'rp_1', uuid: RP_1 } }],
      ['POST', '/resource_providers', { body: { name: 'rp_2', uuid: RP_2 } }],
      ['POST', '/resource_providers', { body: { name: 'rp_3', uuid: RP_3 } }],
      ['GET', `/resource_providers?member_of=in:${AGG_A}`],
      aggregates(RP_1, 0, AGG_A),
      ['GET', `/resource_providers?member_of=in:${AGG_A}`],
      ['GET', `/resource_providers?member_of=${AGG_A}`],
      ['GET', '/resource_providers?member_of=not+a+uuid'],
      aggregates(RP_2, 0, AGG_A),
      ['GET', `/resource_providers?member_of=in:${AGG_A}`],
      aggregates(RP_2, 1, AGG_B),
      ['GET', `/resource_providers?member_of=in:${AGG_A},${AGG_B}`],
      aggregates(RP_1, 1),
      ['GET', `/resource_providers?member_of=in:${AGG_A},${AGG_B}`],
      ['GET', `/resource_providers?member_of=in:${AGG_A},${AGG_B}`, { version: '1.1' }],
      ['GET', `/resource_providers?assoc_with_aggregate=in:${AGG_A},${AGG_B}`],
      ['GET', `/resource_providers?member_of=${AGG_A}&member_of=${AGG_B}`, { version: '1.23' }],
      ['GET', `/resource_providers?member_of=${AGG_A}&member_of=${AGG_B}`],
      aggregates(RP_2, 2, AGG_B, AGG_A),
      ['GET', `/resource_providers?member_of=${AGG_A}&member_of=${AGG_B}`],
      aggregates(RP_1, 2, AGG_C, AGG_A),
      ['GET', `/resource_providers?member_of=${AGG_A}&member_of=in:${AGG_B},${AGG_C}`],
      ['GET', `/resource_providers?member_of=${AGG_C}&member_of=${AGG_C}`],
      // forbidden aggregates
      ['GET', `/resource_providers?member_of=!${AGG_C}`, { version: '1.31' }],
      ['GET', `/allocation_candidates?resources=VCPU:1&member_of=!in:${AGG_C}`, { version: '1.31' }],
      ['GET', '/resource_providers?member_of=!(^o^)', { version: '1.32' }],
      ['GET', `/resource_providers?resources=VCPU:1&member_of=in:${AGG_B},!${AGG_C}`, { version: '1.32' }],
      ['GET', `/resource_providers?member_of=!${AGG_C}`, { version: '1.32' }],
      ['GET', `/resource_providers?member_of=!${AGG_C}&member_of=!${AGG_B}`, { version: '1.32' }],
      ['GET', `/resource_providers?member_of=!in:${AGG_C},${AGG_B}`, { version: '1.32' }],
      ['GET', `/resource_providers?member_of=!${AGG_C}&member_of=${AGG_A}`, { version: '1.32' }],
      ['GET', `/resource_providers?member_of=!in:${AGG_C},${AGG_A}&member_of=${AGG_B}`, { version: '1.32' }],
      ['GET', `/resource_providers?member_of=!${AGG_C}&member_of=in:${AGG_A},${AGG_C}`, { version: '1.32' }],
      ['GET', `/resource_providers?member_of=!${AGG_C}&member_of=${AGG_C}`, { version: '1.32' }],
    ];
    const run = playback({ version: 'latest', headers: JSON_HEADERS });
    await run.play(
      steps,
      [
        200, 200, 200, 200, 200, 200, 200, 400, 200, 200, 200, 200, 200, 200, 400, 400, 400, 200, 200, 200, 200, 200,
        200, 400, 400, 400, 400, 200, 200, 200, 200, 200, 200, 200,
      ],
    );
    expectSame(run);
  });
});

describe('resource-provider-links.yaml', () => {
  const RP = 'b0000003-0000-4000-8000-000000000001';
  const RP_NAME = 'b0000003-0000-4000-8000-0000000000aa';

  it("lists a provider's links as each microversion adds them", async () => {
    const steps: Step[] = [
      ['POST', '/resource_providers', { body: { name: RP_NAME, uuid: RP } }],
      ...['latest', '1.0', '1.1', '1.5', '1.6', '1.7', '1.11'].map(
        (version): Step => ['GET', `/resource_providers/${RP}`, { version }],
      ),
    ];
    const run = playback();
    await run.play(steps, [201, 200, 200, 200, 200, 200, 200, 200]);
    expectSame(run);
  });
});

describe('resource-provider-duplication.yaml', () => {
  const RP = 'b0000004-0000-4000-8000-000000000001';
  const RP_NAME = 'b0000004-0000-4000-8000-0000000000aa';

  it('refuses a second provider with the same uuid, the same name, or both', async () => {
    const steps: Step[] = [
      ['POST', '/resource_providers', { body: { name: 'shared disk', uuid: RP } }],
      ['POST', '/resource_providers', { body: { name: 'shared disk X', uuid: RP } }],
      ['POST', '/resource_providers', { body: { name: 'shared disk', uuid: '2c2059d8-005c-4f5c-82b1-b1701b1a29b7' } }],
      ['POST', '/resource_providers', { body: { name: RP_NAME, uuid: RP } }],
    ];
    const run = playback({ headers: JSON_HEADERS });
    await run.play(steps, [201, 409, 409, 409]);
    expectSame(run);
  });
});

describe('resource-provider-bug-1779818.yaml', () => {
  const RP = 'b0000005-0000-4000-8000-000000000001';
  const PARENT = 'b0000005-0000-4000-8000-000000000002';
  const ALT_PARENT = 'b0000005-0000-4000-8000-000000000003';

  it('moves a whole subtree under a new root when its root gets a parent', async () => {
    const steps: Step[] = [
      ['POST', '/resource_providers', { body: { name: 'alt_parent', uuid: ALT_PARENT } }],
      ['POST', '/resource_providers', { body: { name: 'parent', uuid: PARENT } }],
      ['POST', '/resource_providers', { body: { name: 'child', uuid: RP, parent_provider_uuid: PARENT } }],
      ['GET', '/resource_providers'],
      ['PUT', `/resource_providers/${PARENT}`, { body: { name: 'parent', parent_provider_uuid: ALT_PARENT } }],
      ['GET', '/resource_providers'],
      ['GET', `/resource_providers?in_tree=${RP}`],
      ['GET', `/resource_providers?in_tree=${PARENT}`],
      ['GET', `/resource_providers?in_tree=${ALT_PARENT}`],
    ];
    const run = playback({ version: 'latest' });
    await run.play(steps, [200, 200, 200, 200, 200, 200, 200, 200, 200]);
    expectSame(run);
  });
});

describe('resource-provider-resources-query.yaml (AllocationFixture)', () => {
  it('filters providers by the resources they can still provide', async () => {
    const env = ALLOCATION_FIXTURE;
    const AGG = '83a3d69d-8920-48e2-8914-cadfd8fa2f91';
    const steps: Step[] = [
      ['GET', '/resource_providers'],
      ['POST', '/resource_providers', { body: { name: env.ALT_RP_NAME, uuid: env.ALT_RP_UUID } }],
      ['GET', '/resource_providers'],
      ['GET', '/resource_providers?resources=VCPU:1', { version: '1.3' }],
      ['GET', '/resource_providers?resources=VCPU'],
      ['GET', '/resource_providers?resources=VCPU:fred'],
      ['GET', '/resource_providers?resources=VCPU:-2'],
      ['GET', '/resource_providers?resources=MYMISSINGCLASS:1'],
      ['GET', '/resource_providers?resources=DISK_GB:500,'],
      ['GET', '/resource_providers?resources='],
      ['GET', '/resource_providers?resources=DISK_GB:500'],
      ['GET', '/resource_providers?resources=DISK_GB:500,VCPU:2'],
      ['GET', '/resource_providers?resources=DISK_GB:1'],
      ['GET', '/resource_providers?resources=DISK_GB:1010'],
      ['GET', '/resource_providers?resources=DISK_GB:102400'],
      ['GET', '/resource_providers?resources=DISK_GB:11'],
      ['GET', '/resource_providers?resources=MEMORY_MB:10240'],
      ['GET', '/resource_providers?resources=DISK_GB:500,VCPU:4'],
      // The generation as the "disk and vcpu" listing showed it ($HISTORY in the YAML).
      (r) => [
        'PUT',
        `/resource_providers/${env.RP_UUID}/aggregates`,
        { body: { aggregates: [AGG], resource_provider_generation: listedGeneration(r[11]) } },
      ],
      ['GET', `/resource_providers?member_of=in:${AGG}&resources=VCPU:2`],
    ];
    const run = playback({ version: 'latest', headers: JSON_HEADERS });
    await allocationFixture(run.pair);
    await run.play(
      steps,
      [200, 200, 200, 400, 400, 400, 400, 400, 400, 400, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
    );
    expectSame(run);
  });
});

describe('resource-provider-any-traits.yaml (GranularFixture)', () => {
  it('filters providers by any-of traits (in:, 1.39) with required and forbidden ones', async () => {
    await granularFixture(pair());
    const steps: Step[] = [
      ['GET', '/resource_providers?required=in:CUSTOM_FOO,HW_CPU_X86_MMX', { version: '1.38' }],
      ['GET', '/resource_providers?required=CUSTOM_FOO&required=HW_CPU_X86_MMX', { version: '1.38' }],
      ['GET', '/resource_providers?required=in:HW_GPU_API_DXVA,HW_NIC_ACCEL_TLS&required=HW_CPU_X86_AVX,!CUSTOM_FOO'],
      ['GET', '/resource_providers?required=in:HW_CPU_X86_MMX,HW_NIC_ACCEL_TLS&required=in:CUSTOM_DISK_SSD,CUSTOM_FOO'],
    ];
    const run = playback({ version: 'latest' });
    await run.play(steps, [400, 200, 200, 200]);
    expectSame(run);
  });
});

/** The generation of the first provider a listing showed (Placement's side). */
function listedGeneration(result: PairResult | undefined): number {
  const body = result?.placement.body as { resource_providers?: { generation?: unknown }[] } | null | undefined;
  const generation = body?.resource_providers?.[0]?.generation;
  if (typeof generation !== 'number') throw new Error('the listing showed no provider generation');
  return generation;
}

describe('beyond the YAML', () => {
  const RP = 'b0000006-0000-4000-8000-000000000001';

  it('takes or refuses content types, empty names and odd filters as Placement does', async () => {
    const steps: Step[] = [
      ['POST', '/resource_providers', { body: { name: 'p1', uuid: RP } }],
      // webob neither lowercases nor trims the media type: only `application/json` itself passes.
      ['POST', '/resource_providers', { body: { name: 'p2' }, headers: { 'content-type': 'APPLICATION/JSON' } }],
      [
        'POST',
        '/resource_providers',
        { body: { name: 'p2' }, headers: { 'content-type': 'application/json ; charset=utf-8' } },
      ],
      [
        'POST',
        '/resource_providers',
        { body: { name: 'p2' }, headers: { 'content-type': 'application/json;charset=utf-8' } },
      ],
      // ResourceProvider.create refuses an empty name ("name is required").
      ['POST', '/resource_providers', { body: { name: '' } }],
      ['GET', `/resource_providers/${RP.replace(/-/g, '')}`],
      ['GET', `/resource_providers/${RP.toUpperCase()}`],
      ['GET', `/resource_providers/${RP.toUpperCase()}/inventories`],
      ['GET', `/resource_providers/${RP.toUpperCase()}/traits`, { version: '1.6' }],
      ['GET', `/resource_providers/${RP.toUpperCase()}/aggregates`, { version: '1.1' }],
      ['GET', `/resource_providers/${RP.toUpperCase()}/usages`],
      ['GET', `/resource_providers?uuid=${RP.replace(/-/g, '')}`],
      ['GET', `/resource_providers?uuid=${RP.toUpperCase()}`],
      ['GET', `/resource_providers?in_tree=${RP.replace(/-/g, '')}`],
      ['GET', `/resource_providers?in_tree=${RP.toUpperCase()}`],
      ['GET', '/resource_providers?name=p1&name=p2'],
      ['GET', '/resource_providers?in_tree='],
      ['GET', '/resource_providers?member_of='],
      ['GET', '/resource_providers?member_of=in:'],
      ['GET', '/resource_providers/not-a-uuid/usages'],
      ['GET', '/resource_providers/not-a-uuid/aggregates', { version: '1.19' }],
      [
        'PUT',
        `/resource_providers/${RP}/inventories/VCPU`,
        { body: { total: 4, resource_provider_generation: 0, foo: 1 } },
      ],
      [
        'PUT',
        `/resource_providers/${RP}/aggregates`,
        { version: '1.19', body: { aggregates: [], resource_provider_generation: 99 } },
      ],
      ['DELETE', `/resource_providers/${RP}/aggregates`],
      ['PATCH', `/resource_providers/${RP}`, { body: {} }],
      ['GET', '/resource_providers', { headers: { accept: 'application/json;q=0' } }],
      ['GET', '/resource_providers', { headers: { 'openstack-api-version': 'placement 1.5, compute 2.1' } }],
      ['GET', '/resource_providers', { version: '1.40' }],
    ];
    const run = playback();
    await run.play(
      steps,
      [
        201, 415, 415, 201, 400, 404, 404, 404, 404, 404, 404, 200, 200, 400, 400, 200, 400, 400, 400, 404, 404, 400,
        409, 405, 405, 406, 200, 406,
      ],
    );
    expectSame(run);
  });
});
