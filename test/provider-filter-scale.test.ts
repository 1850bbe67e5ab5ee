/**
 * resourceProviders(filter: {resources}) with more fitting providers than a statement may
 * have bind parameters (32 767): the filter runs in one SQL statement, not as a list of ids.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from './support/harness.js';

let env: TestEnv;
const FITTING = 33_000;

beforeAll(async () => {
  env = await createTestEnv();
  // FITTING hosts with 4 VCPU free, and 10 full ones that must not match.
  await env.sql(
    `WITH ids AS (SELECT nextval('resource_providers_id_seq')::int AS id, g FROM generate_series(1, $1::int + 10) g),
          made AS (INSERT INTO resource_providers (id, uuid, name, root_provider_id)
                   SELECT id, gen_random_uuid(), 'bulk-' || lpad(g::text, 6, '0'), id FROM ids RETURNING id, name)
     INSERT INTO inventories (provider_id, resource_class_id, total, reserved, min_unit, max_unit, step_size, allocation_ratio)
     SELECT made.id, rc.id, 4, CASE WHEN made.name > 'bulk-' || lpad($1::text, 6, '0') THEN 4 ELSE 0 END, 1, 4, 1, 1
       FROM made CROSS JOIN resource_classes rc WHERE rc.name = 'VCPU'`,
    [FITTING],
  );
}, 120_000);
afterAll(async () => env?.close());

const LIST = `query($filter: ResourceProviderFilter, $first: Int, $last: Int, $after: String) {
  resourceProviders(filter: $filter, first: $first, last: $last, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { name } } } }`;

interface Listing {
  resourceProviders: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { node: { name: string } }[];
  };
}
const names = (result: { data?: Listing | null }) => result.data!.resourceProviders.edges.map((e) => e.node.name);

describe(`resourceProviders(filter: {resources}) with ${FITTING} fitting providers`, () => {
  const filter = { resources: [{ resourceClass: 'VCPU', amount: 2 }] };

  it('counts and pages them in name order', async () => {
    const first = await env.gql<Listing>(LIST, { filter, first: 3 });
    expect(first.errors).toBeUndefined();
    expect(first.data!.resourceProviders.totalCount).toBe(FITTING);
    expect(names(first)).toEqual(['bulk-000001', 'bulk-000002', 'bulk-000003']);
    const next = await env.gql<Listing>(LIST, {
      filter,
      first: 2,
      after: first.data!.resourceProviders.pageInfo.endCursor,
    });
    expect(names(next)).toEqual(['bulk-000004', 'bulk-000005']);
    const last = await env.gql<Listing>(LIST, { filter, last: 2 });
    expect(last.errors).toBeUndefined();
    expect(names(last)).toEqual([`bulk-0${FITTING - 1}`, `bulk-0${FITTING}`]);
  });

  it('combines with the other filters', async () => {
    const named = await env.gql<Listing>(LIST, { filter: { ...filter, name: 'bulk-000007' } });
    expect(named.data!.resourceProviders).toMatchObject({ totalCount: 1, edges: [{ node: { name: 'bulk-000007' } }] });
    const full = await env.gql<Listing>(LIST, { filter: { ...filter, name: `bulk-0${FITTING + 1}` } });
    expect(full.data!.resourceProviders).toMatchObject({ totalCount: 0, edges: [] });
  });
});
