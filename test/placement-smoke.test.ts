import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_FIELDS, hostWith } from './support/fixtures.js';
import { createTestEnv, type TestEnv } from './support/harness.js';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => env?.close());

interface AllocationRequest {
  providerUuid: string;
  resources: { resourceClass: string; amount: number }[];
}

interface Selection {
  consumerGeneration: number;
  alternates: { providerUuid: string; allocationRequest: AllocationRequest }[];
}

describe('placement smoke', () => {
  it('searches, claims with alternates, reschedules', async () => {
    const cell = (
      await env.gql<{ createCell: { cell: { uuid: string } } }>(
        `mutation { createCell(input: {name: "c1"}) { ... on CellPayload { cell { uuid } } } }`,
      )
    ).data!.createCell.cell.uuid;
    const hosts = [];
    for (let i = 0; i < 5; i++)
      hosts.push(await hostWith(env, `h${i}`, { VCPU: 8, MEMORY_MB: 1000 }, { cellUuid: cell }));
    const search = await env.gql<{
      allocationCandidates: { candidates: unknown[] };
    }>(`{ allocationCandidates(request: {resources: [{resourceClass: "VCPU", amount: 2}], cell: "${cell}"}, limit: 3) {
      __typename ... on AllocationCandidates { candidates { providerUuid weight cellUuid allocationRequest { providerUuid resources { resourceClass amount } } summary { resourceClass capacity used free } resourceProvider { name } } } ... on Error { code message } } }`);
    expect(search.errors).toBeUndefined();
    expect(search.data!.allocationCandidates.candidates).toHaveLength(3);
    const claimed = await env.gql<{
      claim: { selections: Selection[] };
    }>(`mutation { claim(input: {consumers: [{consumerUuid: "11111111-1111-4111-8111-111111111111", projectId: "p", userId: "u"}],
      request: {resources: [{resourceClass: "VCPU", amount: 2}, {resourceClass: "MEMORY_MB", amount: 100}]}, alternates: 2}) {
      __typename ... on ClaimPayload { selections { consumerGeneration providerUuid cellUuid hostsTried allocations { providerUuid resources { resourceClass amount } } alternates { providerUuid allocationRequest { providerUuid resources { resourceClass amount } } } } } ${ERROR_FIELDS} } }`);
    expect(claimed.errors).toBeUndefined();
    const selection = claimed.data!.claim.selections[0]!;
    expect(selection.alternates).toHaveLength(2);
    const resched = await env.gql<{ reschedule: { selection: { providerUuid: string } } }>(
      `mutation($input: RescheduleInput!) { reschedule(input: $input) { __typename ... on ReschedulePayload { selection { providerUuid consumerGeneration alternates { providerUuid } } } ${ERROR_FIELDS} } }`,
      {
        input: {
          consumerUuid: '11111111-1111-4111-8111-111111111111',
          consumerGeneration: selection.consumerGeneration,
          alternates: selection.alternates.map((a) => ({
            providerUuid: a.providerUuid,
            allocations: a.allocationRequest,
          })),
        },
      },
    );
    expect(resched.data!.reschedule.selection.providerUuid).toBe(selection.alternates[0]!.providerUuid);
    const explain = await env.gql<{ explainPlacement: unknown }>(
      `{ explainPlacement(request: {resources: [{resourceClass: "VCPU", amount: 7}], requiredTraits: ["HW_CPU_X86_AVX2"]}) { __typename ... on PlacementExplanation { providersConsidered remaining steps { constraint detail eliminated } } } }`,
    );
    expect(explain.data!.explainPlacement).toMatchObject({ providersConsidered: 5, remaining: 0 });
  });
});
