import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostWith } from './support/fixtures.js';
import { createTestEnv, type TestEnv } from './support/harness.js';

/**
 * deleteResourceProvider and updateResourceProvider take the provider generation: optional in
 * 1.0/1.1 (checked when given), required from 1.2 (an intended breaking change,
 * scripts/schema-diff.ts INTENDED_BREAKING_CHANGES). A stale one is the typed GenerationConflict.
 */

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv({ poolMax: 4 });
});
afterAll(async () => env?.close());

const UPDATE = `mutation($input: UpdateResourceProviderInput!) { updateResourceProvider(input: $input) {
  __typename ... on ResourceProviderPayload { resourceProvider { name generation } }
  ... on GenerationConflict { expected actual } } }`;
const DELETE = `mutation($input: DeleteResourceProviderInput!) { deleteResourceProvider(input: $input) {
  __typename ... on GenerationConflict { expected actual } } }`;

type Reply = { errors?: readonly { extensions?: Record<string, unknown> }[] };

async function providerExists(uuid: string): Promise<boolean> {
  return (await env.sql('SELECT 1 FROM resource_providers WHERE uuid = $1', [uuid])).length === 1;
}

describe('1.2 requires the generation', () => {
  it('refuses an update or a delete without it, before running anything', async () => {
    const host = await hostWith(env, 'gen-required', { VCPU: 1 });
    for (const [doc, input] of [
      [UPDATE, { uuid: host.uuid, name: 'renamed' }],
      [DELETE, { uuid: host.uuid }],
    ] as const) {
      const reply: Reply = await env.gql(doc, { input }, '1.2');
      expect(reply.errors?.map((e) => e.extensions?.code)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    }
    const [row] = await env.sql<{ name: string; generation: number }>(
      'SELECT name, generation FROM resource_providers WHERE uuid = $1',
      [host.uuid],
    );
    expect(row).toEqual({ name: 'gen-required', generation: host.generation });
  });

  it('applies at the current generation and answers GenerationConflict at a stale one', async () => {
    const host = await hostWith(env, 'gen-current', { VCPU: 1 });
    const stale = await env.gql<{ updateResourceProvider: unknown }>(
      UPDATE,
      { input: { uuid: host.uuid, generation: host.generation + 5, name: 'nope' } },
      '1.2',
    );
    expect(stale.data?.updateResourceProvider).toEqual({
      __typename: 'GenerationConflict',
      expected: host.generation + 5,
      actual: host.generation,
    });
    const updated = await env.gql<{ updateResourceProvider: unknown }>(
      UPDATE,
      { input: { uuid: host.uuid, generation: host.generation, name: 'gen-renamed' } },
      '1.2',
    );
    expect(updated.data?.updateResourceProvider).toEqual({
      __typename: 'ResourceProviderPayload',
      resourceProvider: { name: 'gen-renamed', generation: host.generation + 1 },
    });
    const staleDelete = await env.gql<{ deleteResourceProvider: unknown }>(
      DELETE,
      { input: { uuid: host.uuid, generation: host.generation } },
      '1.2',
    );
    expect(staleDelete.data?.deleteResourceProvider).toMatchObject({ __typename: 'GenerationConflict' });
    expect(await providerExists(host.uuid)).toBe(true);
    const deleted = await env.gql<{ deleteResourceProvider: unknown }>(
      DELETE,
      { input: { uuid: host.uuid, generation: host.generation + 1 } },
      '1.2',
    );
    expect(deleted.data?.deleteResourceProvider).toEqual({ __typename: 'DeleteResourceProviderPayload' });
    expect(await providerExists(host.uuid)).toBe(false);
  });
});

describe.each([['1.0'], ['1.1']])('%s keeps the generation optional', (version) => {
  it('deletes without it, and checks it when given', async () => {
    const host = await hostWith(env, `gen-optional-${version}`, { VCPU: 1 });
    const stale = await env.gql<{ deleteResourceProvider: unknown }>(
      DELETE,
      { input: { uuid: host.uuid, generation: host.generation + 1 } },
      version,
    );
    expect(stale.data?.deleteResourceProvider).toMatchObject({ __typename: 'GenerationConflict' });
    const deleted = await env.gql<{ deleteResourceProvider: unknown }>(DELETE, { input: { uuid: host.uuid } }, version);
    expect(deleted.data?.deleteResourceProvider).toEqual({ __typename: 'DeleteResourceProviderPayload' });
    expect(await providerExists(host.uuid)).toBe(false);
  });
});
