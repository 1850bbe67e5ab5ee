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
    const result = await env.gql(`query($ids: [ID!]!) { nodes(ids: $ids) { id ... on ResourceProvider { name } } }`, {
      ids: [id, missing],
    });
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
