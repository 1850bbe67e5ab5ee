import type { TestEnv } from './harness.js';

/** Fragment every mutation test selects: the typed error, whatever it is. */
export const ERROR_FIELDS = `__typename ... on Error { code message }
  ... on InvalidInput { field rule }
  ... on NotFound { resourceType identifier field }
  ... on AlreadyExists { resourceType field value }
  ... on GenerationConflict { providerUuid expected actual }
  ... on ConsumerGenerationConflict { consumerUuid expectedConsumerGeneration actualConsumerGeneration }
  ... on InUse { resourceType identifier reason }
  ... on CapacityExceeded { providerUuid resourceClass requested used capacity }`;

export async function createProvider(
  env: TestEnv,
  input: Record<string, unknown>,
): Promise<{ uuid: string; generation: number }> {
  const result = await env.gql<{ createResourceProvider: { resourceProvider?: { uuid: string; generation: number } } }>(
    `mutation($input: CreateResourceProviderInput!) { createResourceProvider(input: $input) {
       ${ERROR_FIELDS} ... on ResourceProviderPayload { resourceProvider { uuid generation } } } }`,
    { input },
  );
  const payload = result.data?.createResourceProvider;
  if (!payload?.resourceProvider) throw new Error(`createProvider failed: ${JSON.stringify(result)}`);
  return payload.resourceProvider;
}

export async function setInventories(
  env: TestEnv,
  providerUuid: string,
  generation: number,
  inventories: Record<string, unknown>[],
): Promise<{ generation: number }> {
  const result = await env.gql<{ setInventories: { resourceProvider?: { generation: number } } }>(
    `mutation($input: SetInventoriesInput!) { setInventories(input: $input) {
       ${ERROR_FIELDS} ... on InventoriesPayload { resourceProvider { generation } } } }`,
    { input: { providerUuid, generation, inventories } },
  );
  const payload = result.data?.setInventories;
  if (!payload?.resourceProvider) throw new Error(`setInventories failed: ${JSON.stringify(result)}`);
  return payload.resourceProvider;
}

/** A provider with the given inventories (class → total, or full inventory objects). */
export async function hostWith(
  env: TestEnv,
  name: string,
  inventories: Record<string, number | Record<string, unknown>>,
  extra: Record<string, unknown> = {},
): Promise<{ uuid: string; generation: number }> {
  const provider = await createProvider(env, { name, ...extra });
  const list = Object.entries(inventories).map(([resourceClass, spec]) =>
    typeof spec === 'number' ? { resourceClass, total: spec } : { resourceClass, ...spec },
  );
  const { generation } = await setInventories(env, provider.uuid, provider.generation, list);
  return { uuid: provider.uuid, generation };
}

/** Snapshot of all mutable state, to prove a rejected write changed nothing. */
export async function snapshot(env: TestEnv): Promise<string> {
  const tables = [
    'cells',
    'resource_providers',
    'resource_classes',
    'traits',
    'provider_traits',
    'aggregates',
    'provider_aggregates',
    'inventories',
    'consumers',
    'allocations',
  ];
  const parts: Record<string, unknown> = {};
  for (const table of tables) {
    parts[table] = await env.sql(`SELECT * FROM ${table} ORDER BY 1, 2`);
  }
  return JSON.stringify(parts);
}
