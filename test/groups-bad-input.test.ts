/**
 * Malformed grouped requests (GROUPS-SPEC, "Bad inputs"): each is a typed InvalidInputError
 * (field, rule) or NotFoundError (field) — the same from allocationCandidates,
 * explainPlacement and claim — and a claim that is refused writes nothing: every mutable
 * table, the idempotency keys and the audit trail are compared before and after. Each case
 * also has a corrected twin that finds a candidate, so the refusal is about the input alone.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allocationCandidates, explainPlacement } from '../src/placement/candidates.js';
import { claim } from '../src/placement/claims/index.js';
import { InvalidInputError, NotFoundError } from '../src/placement/errors.js';
import { snapshot } from './support/fixtures.js';
import { buildWorld, createCatalogue, type GroupedRequest, res } from './support/groups-world.js';
import { createTestEnv, type TestEnv } from './support/harness.js';
import { assertPlacementInvariants } from './support/invariants.js';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
  await createCatalogue(env.db.pool, { traits: ['CUSTOM_FOO', 'CUSTOM_BAR'] });
  await buildWorld(env.db.pool, [
    {
      name: 'host',
      traits: ['CUSTOM_FOO'],
      inventories: { VCPU: 8, MEMORY_MB: 4096 },
      children: [
        { name: 'numa0', traits: ['HW_NUMA_ROOT'], inventories: { VCPU: 4, MEMORY_MB: 2048 } },
        { name: 'numa1', traits: ['HW_NUMA_ROOT', 'CUSTOM_BAR'], inventories: { VCPU: 4, MEMORY_MB: 2048 } },
      ],
    },
  ]);
});
afterAll(async () => env?.close());

/** Every row a claim could write: the mutable tables, idempotency keys, audit events. */
async function everything(): Promise<string> {
  const keys = await env.sql('SELECT * FROM idempotency_keys ORDER BY 1, 2');
  const audit = await env.sql('SELECT * FROM audit_events ORDER BY 1');
  return JSON.stringify({ tables: await snapshot(env), keys, audit });
}

type Expected =
  | { error: typeof InvalidInputError; field: string; rule?: string }
  | { error: typeof NotFoundError; field: string; resourceType: string };

/** What an error carries that the expectation names. */
function facts(error: unknown, expected: Expected): Record<string, unknown> {
  if (error instanceof InvalidInputError)
    return {
      error: InvalidInputError,
      field: error.field,
      ...('rule' in expected && expected.rule !== undefined ? { rule: error.rule } : {}),
    };
  if (error instanceof NotFoundError)
    return { error: NotFoundError, field: error.field, resourceType: error.resourceType };
  throw error;
}

async function rejection(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  throw new Error('the call succeeded');
}

/** The same typed refusal from the three entry points, and nothing written by the claim. */
async function expectRefused(request: unknown, expected: Expected): Promise<void> {
  const candidates = await rejection(() => allocationCandidates(env.db.pool, { request }));
  expect(facts(candidates, expected), 'allocationCandidates').toEqual(expected);
  const explained = await rejection(() => explainPlacement(env.db.pool, request));
  expect(facts(explained, expected), 'explainPlacement').toEqual(expected);
  const before = await everything();
  const claimed = await rejection(() =>
    claim(env.db, {
      consumers: [{ consumerUuid: randomUUID(), projectId: 'p', userId: 'u' }],
      request,
      alternates: 1,
      idempotencyKey: `bad-${randomUUID()}`,
    }),
  );
  expect(facts(claimed, expected), 'claim').toEqual(expected);
  expect(await everything(), 'a refused claim writes nothing').toBe(before);
  await assertPlacementInvariants(env);
}

/** The corrected twin finds the host. */
async function expectAccepted(request: GroupedRequest): Promise<void> {
  const found = await allocationCandidates(env.db.pool, { request });
  expect(found.length, JSON.stringify(request)).toBe(1);
}

const g = (name: string, amounts: Record<string, number>, extra: Record<string, unknown> = {}) => ({
  name,
  resources: res(amounts),
  ...extra,
});

describe('grouped requests the spec refuses', () => {
  it('two groups without groupPolicy: request.groupPolicy, required-with-groups', async () => {
    const groups = [g('a', { VCPU: 1 }), g('b', { MEMORY_MB: 512 })];
    await expectRefused(
      { resources: [], groups },
      { error: InvalidInputError, field: 'request.groupPolicy', rule: 'required-with-groups' },
    );
    await expectAccepted({ resources: [], groups, groupPolicy: 'NONE' });
    // One group needs none.
    await expectAccepted({ resources: [], groups: [groups[0]!] });
  });

  it('a duplicate group name: request.groups[i].name, unique', async () => {
    await expectRefused(
      {
        resources: [],
        groups: [g('a', { VCPU: 1 }), g('b', { VCPU: 1 }), g('a', { MEMORY_MB: 1 })],
        groupPolicy: 'NONE',
      },
      { error: InvalidInputError, field: 'request.groups[2].name', rule: 'unique' },
    );
  });

  it('an unknown group in sameSubtree: request.sameSubtree[i][j], known-group', async () => {
    const groups = [g('cpu', { VCPU: 1 }), g('mem', { MEMORY_MB: 512 })];
    await expectRefused(
      {
        resources: [],
        groups,
        groupPolicy: 'NONE',
        sameSubtree: [
          ['cpu', 'mem'],
          ['cpu', 'nope'],
        ],
      },
      { error: InvalidInputError, field: 'request.sameSubtree[1][1]', rule: 'known-group' },
    );
    // The unnumbered group has no name to list.
    await expectRefused(
      { resources: res({ VCPU: 1 }), groups, groupPolicy: 'NONE', sameSubtree: [['', 'cpu']] },
      { error: InvalidInputError, field: 'request.sameSubtree[0][0]' },
    );
    await expectAccepted({ resources: [], groups, groupPolicy: 'NONE', sameSubtree: [['cpu', 'mem']] });
  });

  it('a name listed twice in one sameSubtree list, or an empty list, is refused', async () => {
    const groups = [g('cpu', { VCPU: 1 }), g('mem', { MEMORY_MB: 512 })];
    // Placement squashes repeats; the spec refuses them.
    await expectRefused(
      { resources: [], groups, groupPolicy: 'NONE', sameSubtree: [['cpu', 'mem', 'cpu']] },
      { error: InvalidInputError, field: 'request.sameSubtree[0][2]' },
    );
    await expectRefused(
      { resources: [], groups, groupPolicy: 'NONE', sameSubtree: [[]] },
      { error: InvalidInputError, field: 'request.sameSubtree[0]' },
    );
  });

  it('a resourceless group naming no required trait, any-of list or memberOf: request.groups[i], resourceless-needs-trait', async () => {
    const cpu = g('cpu', { VCPU: 1 });
    await expectRefused(
      { resources: [], groups: [cpu, { name: 'empty', resources: [] }], groupPolicy: 'NONE' },
      { error: InvalidInputError, field: 'request.groups[1]', rule: 'resourceless-needs-trait' },
    );
    // Forbidding traits or aggregates alone selects nothing to map the group to.
    await expectRefused(
      {
        resources: [],
        groups: [cpu, { name: 'empty', resources: [], forbiddenTraits: ['CUSTOM_BAR'] }],
        groupPolicy: 'NONE',
      },
      { error: InvalidInputError, field: 'request.groups[1]', rule: 'resourceless-needs-trait' },
    );
    await expectRefused(
      {
        resources: [],
        groups: [cpu, { name: 'empty', resources: [], forbiddenAggregates: [randomUUID()] }],
        groupPolicy: 'NONE',
      },
      { error: InvalidInputError, field: 'request.groups[1]', rule: 'resourceless-needs-trait' },
    );
    await expectAccepted({
      resources: [],
      groups: [cpu, { name: 'numa', resources: [], requiredTraits: ['HW_NUMA_ROOT'] }],
      groupPolicy: 'NONE',
    });
    await expectAccepted({
      resources: [],
      groups: [cpu, { name: 'numa', resources: [], anyOfTraits: [['CUSTOM_BAR', 'CUSTOM_FOO']] }],
      groupPolicy: 'NONE',
    });
  });

  it("no resources anywhere: request.resources, min:1 (a plain empty request keeps today's message)", async () => {
    await expectRefused(
      { resources: [], groups: [{ name: 'numa', resources: [], requiredTraits: ['HW_NUMA_ROOT'] }] },
      { error: InvalidInputError, field: 'request.resources', rule: 'min:1' },
    );
    await expectRefused({ resources: [] }, { error: InvalidInputError, field: 'request.resources', rule: 'min:1' });
    const plain = await rejection(() => allocationCandidates(env.db.pool, { request: { resources: [] } }));
    expect((plain as InvalidInputError).message).toBe('request.resources: list at least one resource');
  });

  it('a trait both required and forbidden in a group, or on the root: ...forbiddenTraits[j], not-also-required', async () => {
    await expectRefused(
      {
        resources: [],
        groups: [
          g('a', { VCPU: 1 }),
          g('b', { VCPU: 1 }, { requiredTraits: ['HW_NUMA_ROOT'], forbiddenTraits: ['CUSTOM_BAR', 'HW_NUMA_ROOT'] }),
        ],
        groupPolicy: 'ISOLATE',
      },
      { error: InvalidInputError, field: 'request.groups[1].forbiddenTraits[1]', rule: 'not-also-required' },
    );
    await expectRefused(
      {
        resources: res({ VCPU: 1 }),
        rootRequiredTraits: ['CUSTOM_FOO'],
        rootForbiddenTraits: ['CUSTOM_FOO'],
      },
      { error: InvalidInputError, field: 'request.rootForbiddenTraits[0]', rule: 'not-also-required' },
    );
    // Required in one group and forbidden in another is a fine request.
    await expectAccepted({
      resources: [],
      groups: [
        g('a', { VCPU: 1 }, { requiredTraits: ['CUSTOM_BAR'] }),
        g('b', { VCPU: 1 }, { forbiddenTraits: ['CUSTOM_BAR'] }),
      ],
      groupPolicy: 'ISOLATE',
    });
  });

  it("an unknown class or trait inside a group: NotFound naming the group's field", async () => {
    await expectRefused(
      {
        resources: [],
        groups: [g('a', { VCPU: 1 }), g('b', { MEMORY_MB: 1, CUSTOM_NO_SUCH_CLASS: 1 })],
        groupPolicy: 'NONE',
      },
      { error: NotFoundError, field: 'request.groups[1].resources[1].resourceClass', resourceType: 'ResourceClass' },
    );
    await expectRefused(
      {
        resources: [],
        groups: [g('a', { VCPU: 1 }, { requiredTraits: ['CUSTOM_FOO', 'CUSTOM_NO_SUCH_TRAIT'] })],
      },
      { error: NotFoundError, field: 'request.groups[0].requiredTraits[1]', resourceType: 'Trait' },
    );
    await expectRefused(
      { resources: res({ VCPU: 1 }), rootRequiredTraits: ['CUSTOM_NO_SUCH_TRAIT'] },
      { error: NotFoundError, field: 'request.rootRequiredTraits[0]', resourceType: 'Trait' },
    );
  });

  it('malformed groups: a bad name, a class listed twice, a zero amount, an unknown policy, more than 32 groups', async () => {
    await expectRefused(
      { resources: [], groups: [g('has space', { VCPU: 1 })] },
      { error: InvalidInputError, field: 'request.groups[0].name' },
    );
    await expectRefused(
      { resources: [], groups: [g('x'.repeat(65), { VCPU: 1 })] },
      { error: InvalidInputError, field: 'request.groups[0].name' },
    );
    await expectRefused(
      {
        resources: [],
        groups: [
          {
            name: 'a',
            resources: [
              { resourceClass: 'VCPU', amount: 1 },
              { resourceClass: 'VCPU', amount: 2 },
            ],
          },
        ],
      },
      { error: InvalidInputError, field: 'request.groups[0].resources[1].resourceClass', rule: 'unique' },
    );
    await expectRefused(
      { resources: [], groups: [g('a', { VCPU: 0 })] },
      { error: InvalidInputError, field: 'request.groups[0].resources[0].amount', rule: 'min:1' },
    );
    await expectRefused(
      { resources: [], groups: [g('a', { VCPU: 1 }), g('b', { VCPU: 1 })], groupPolicy: 'SOMETIMES' },
      { error: InvalidInputError, field: 'request.groupPolicy' },
    );
    await expectRefused(
      {
        resources: [],
        groups: Array.from({ length: 33 }, (_, i) => g(`g${i}`, { VCPU: 1 })),
        groupPolicy: 'NONE',
      },
      { error: InvalidInputError, field: 'request.groups', rule: 'max:32' },
    );
    // 16 groups of one VCPU under NONE: they may share providers, and the tree has 16 VCPU.
    await expectAccepted({
      resources: [],
      groups: Array.from({ length: 16 }, (_, i) => g(`g${i}`, { VCPU: 1 })),
      groupPolicy: 'NONE',
    });
  });
});
