import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProvider } from './support/fixtures.js';
import { createTestEnv, type TestEnv } from './support/harness.js';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => env?.close());

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('global IDs', () => {
  it('resolves a provider and answers null for an id that names nothing', async () => {
    const provider = await createProvider(env, { name: 'relay-host' });
    const id = b64(`ResourceProvider:${provider.uuid}`);
    const missing = b64('ResourceProvider:00000000-0000-4000-8000-000000000000');
    const result = await env.gql<{ nodes: unknown }>(
      `query($ids: [ID!]!) { nodes(ids: $ids) { id ... on ResourceProvider { name } } }`,
      {
        ids: [id, missing],
      },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.nodes).toEqual([{ id, name: 'relay-host' }, null]);
    const consumer = await env.gql(`query($id: ID!) { node(id: $id) { id } }`, {
      id: b64('Consumer:00000000-0000-4000-8000-000000000001'),
    });
    expect(consumer).toEqual({ data: { node: null } });
  });

  it.each([
    ['not base64 at all', '%%%'],
    ['no type separator', b64('ResourceProvider')],
    ['unknown type', b64('Spaceship:00000000-0000-4000-8000-000000000000')],
    ['uuid-keyed type with a non-uuid key', b64('ResourceProvider:not-a-uuid')],
  ])('a malformed id (%s) is a clear INVALID_INPUT error, not a masked one', async (_label, id) => {
    const result = await env.gql(`query($id: ID!) { node(id: $id) { id } }`, { id });
    expect(result.errors?.[0]?.message).toMatch(/is not a global ID of this API/);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_INPUT', field: 'id', rule: 'global-id' });
  });
});

/** A page of providers as these tests select it. */
interface ProviderPage {
  resourceProviders: { edges: { cursor: string; node: { name: string } }[] };
}

describe('connection arguments', () => {
  const providers = (args: string) => `{ resourceProviders(${args}) { edges { node { uuid } } } }`;
  it.each([
    ['a cursor the connection did not issue', providers('first: 1, after: "zzz"'), 'first, after'],
    ['a base64 cursor of another kind', providers(`after: "${b64('something-else')}"`), 'after'],
    ['a negative first', providers('first: -1'), 'first'],
    ['a negative last', providers('last: -1, before: "x"'), 'last, before'],
    ['before with first', providers(`first: 1, before: "${b64('GPC:S:x')}"`), 'first, before'],
    [
      'a bad cursor on a nested connection',
      '{ resourceProviders(first: 1) { edges { node { allocations(after: "zzz") { totalCount } } } } }',
      null,
    ],
  ])('%s → INVALID_INPUT naming the paging arguments, input not echoed', async (_label, query, field) => {
    await createProvider(env, { name: `paging-${Math.random().toString(36).slice(2)}` });
    const result = await env.gql(query);
    expect(result.errors).toHaveLength(1);
    const error = result.errors![0]!;
    expect(error.extensions).toMatchObject({ code: 'INVALID_INPUT', rule: 'connection-arguments' });
    if (field) expect(error.extensions?.field).toBe(field);
    expect(error.message).not.toMatch(/zzz|something-else/);
    expect(error.message).toMatch(/cursors this connection returned/);
  });

  it('a cursor the connection returned still pages', async () => {
    const first = await env.gql<ProviderPage>('{ resourceProviders(first: 1) { edges { cursor node { name } } } }');
    const cursor = first.data?.resourceProviders.edges[0]?.cursor as string;
    const next = await env.gql<ProviderPage>(
      'query($after: String) { resourceProviders(first: 1, after: $after) { edges { node { name } } } }',
      {
        after: cursor,
      },
    );
    expect(next.errors).toBeUndefined();
    expect(next.data!.resourceProviders.edges[0]!.node.name > first.data!.resourceProviders.edges[0]!.node.name).toBe(
      true,
    );
  });
});

describe('lookups by uuid', () => {
  it.each([
    ['consumer', 'consumer(uuid: "not-a-uuid") { uuid }'],
    ['resourceProvider', 'resourceProvider(uuid: "not-a-uuid") { uuid }'],
  ])('%s(uuid:) with an invalid uuid → INVALID_INPUT uuid, like every other lookup', async (_name, field) => {
    const result = await env.gql(`{ ${field} }`);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_INPUT', field: 'uuid', rule: 'uuid' });
  });
});
