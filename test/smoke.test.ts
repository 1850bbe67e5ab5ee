import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_FIELDS, hostWith } from './support/fixtures.js';
import { createTestEnv, type TestEnv } from './support/harness.js';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => env?.close());

describe('smoke', () => {
  it('creates a provider with inventory and reads capacity, used and free', async () => {
    const host = await hostWith(env, 'host-a', {
      VCPU: { total: 8, allocationRatio: 2 },
      MEMORY_MB: { total: 4096, reserved: 512 },
    });
    const result = await env.gql<{ resourceProvider: unknown }>(
      `query($uuid: String!) { resourceProvider(uuid: $uuid) { name generation inventories { resourceClass total capacity used free } } }`,
      { uuid: host.uuid },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.resourceProvider).toEqual({
      name: 'host-a',
      generation: 1,
      inventories: [
        { resourceClass: 'MEMORY_MB', total: 4096, capacity: 3584, used: 0, free: 3584 },
        { resourceClass: 'VCPU', total: 8, capacity: 16, used: 0, free: 16 },
      ],
    });
    const bad = await env.gql<{ createResourceProvider: unknown }>(
      `mutation { createResourceProvider(input: {name: "host-a"}) { ${ERROR_FIELDS} } }`,
    );
    expect(bad.data?.createResourceProvider).toMatchObject({
      __typename: 'AlreadyExists',
      code: 'ALREADY_EXISTS',
      field: 'name',
    });
  });
});
