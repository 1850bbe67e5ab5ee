import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { text } from '../cli/format.js';
import { ERROR_FIELDS, hostWith, snapshot } from './support/fixtures.js';
import { createTestEnv, type TestEnv } from './support/harness.js';

/**
 * A control or format character (NUL, ESC, newline, U+202E…) or a lone surrogate in any
 * string input is a typed InvalidInput naming the field and the rule, and writes nothing.
 */

let env: TestEnv;
let host: { uuid: string; generation: number };
beforeAll(async () => {
  env = await createTestEnv(4);
  host = await hostWith(env, 'cc-host', { VCPU: 8 });
});
afterAll(async () => env?.close());

const RULE = 'no-control-characters';
const BAD = {
  NUL: 'a\u0000b',
  ESC: 'evil\u001b[31mred',
  newline: 'line\nforged',
  'RTL override': 'abc\u202Edef',
  'zero-width space': 'a\u200Bb',
  'lone surrogate': 'a\uD800b',
  DEL: 'a\u007Fb',
};

const claimInput = (consumer: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  consumers: [{ consumerUuid: randomUUID(), projectId: 'p', userId: 'u', ...consumer }],
  request: { resources: [{ resourceClass: 'VCPU', amount: 1 }] },
  alternates: 0,
  ...extra,
});

interface MutationCase {
  name: string;
  document: string;
  field: string;
  input: (bad: string) => Record<string, unknown>;
  result: string;
}

const mutations: MutationCase[] = [
  {
    name: 'createResourceProvider name',
    document: 'mutation($input: CreateResourceProviderInput!) { createResourceProvider(input: $input) { ERR } }',
    field: 'name',
    input: (bad) => ({ name: bad }),
    result: 'createResourceProvider',
  },
  {
    name: 'updateResourceProvider name',
    document: 'mutation($input: UpdateResourceProviderInput!) { updateResourceProvider(input: $input) { ERR } }',
    field: 'name',
    input: (bad) => ({ uuid: host.uuid, name: bad }),
    result: 'updateResourceProvider',
  },
  {
    name: 'createCell name',
    document: 'mutation($input: CreateCellInput!) { createCell(input: $input) { ERR } }',
    field: 'name',
    input: (bad) => ({ name: bad }),
    result: 'createCell',
  },
  {
    name: 'createAggregate name',
    document: 'mutation($input: CreateAggregateInput!) { createAggregate(input: $input) { ERR } }',
    field: 'name',
    input: (bad) => ({ name: bad }),
    result: 'createAggregate',
  },
  {
    name: 'setAllocations projectId',
    document: 'mutation($input: SetAllocationsInput!) { setAllocations(input: $input) { ERR } }',
    field: 'projectId',
    input: (bad) => ({
      consumerUuid: randomUUID(),
      consumerGeneration: null,
      projectId: bad,
      userId: 'u',
      allocations: [{ providerUuid: host.uuid, resources: [{ resourceClass: 'VCPU', amount: 1 }] }],
    }),
    result: 'setAllocations',
  },
  {
    name: 'claim userId',
    document: 'mutation($input: ClaimInput!) { claim(input: $input) { ERR } }',
    field: 'consumers[0].userId',
    input: (bad) => claimInput({ userId: bad }),
    result: 'claim',
  },
  {
    name: 'claim idempotencyKey',
    document: 'mutation($input: ClaimInput!) { claim(input: $input) { ERR } }',
    field: 'idempotencyKey',
    input: (bad) => claimInput({}, { idempotencyKey: bad }),
    result: 'claim',
  },
];

describe('mutations refuse control and format characters in every string', () => {
  for (const c of mutations) {
    for (const [what, bad] of Object.entries(BAD)) {
      it(`${c.name} with ${what} → InvalidInput { field: ${c.field}, rule: ${RULE} }, nothing written`, async () => {
        const before = await snapshot(env);
        const result = await env.gql<Record<string, { message: string }>>(c.document.replace('ERR', ERROR_FIELDS), {
          input: c.input(bad),
        });
        expect(result.errors).toBeUndefined();
        expect(result.data?.[c.result]).toMatchObject({
          __typename: 'InvalidInput',
          code: 'INVALID_INPUT',
          field: c.field,
          rule: RULE,
        });
        expect(result.data?.[c.result]?.message).toMatch(/must not contain control or format characters \(found U\+/);
        expect(await snapshot(env)).toBe(before);
      });
    }
  }
});

describe('queries refuse them with the INVALID_INPUT code', () => {
  it('usages(projectId:) with NUL', async () => {
    const result = await env.gql('query($p: String!) { usages(projectId: $p) { consumerCount } }', { p: 'a\u0000' });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_INPUT', field: 'projectId', rule: RULE });
  });

  it('resourceProviders(filter: { name }) with NUL', async () => {
    const result = await env.gql(
      'query($f: ResourceProviderFilter) { resourceProviders(filter: $f) { totalCount edges { node { uuid } } } }',
      { f: { name: 'cc-host\u0000' } },
    );
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_INPUT', field: 'filter.name', rule: RULE });
  });

  it('allocationCandidates with an ESC in a trait name', async () => {
    const result = await env.gql<{ allocationCandidates: unknown }>(
      `{ allocationCandidates(request: { resources: [{ resourceClass: "VCPU", amount: 1 }], requiredTraits: ["HW\\u001b"] }) {
        __typename ... on InvalidInput { field rule } } }`,
    );
    expect(result.data?.allocationCandidates).toEqual({
      __typename: 'InvalidInput',
      field: 'request.requiredTraits[0]',
      rule: RULE,
    });
  });

  it('printable non-ASCII text is still a valid free-text id', async () => {
    const result = await env.gql<{ usages: { consumerCount: number } }>(
      'query($p: String!) { usages(projectId: $p) { consumerCount } }',
      { p: 'projet-été-東京-🚀' },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.usages.consumerCount).toBe(0);
  });
});

describe('the CLI prints non-printable characters escaped', () => {
  it('ESC, newline and U+202E cannot colour the terminal or forge a line', () => {
    expect(text('evil\u001b[31mred\nforged\u202E')).toBe('evil\\u001b[31mred\\u000aforged\\u202e');
    expect(text('plain-name été')).toBe('plain-name été');
  });
});
