import type { PairSide, RestPair } from './rest-pair.js';

/**
 * Empties both servers of a pair through their REST APIs, so scenarios that reuse names
 * (Placement's functional tests each start from an empty database) can share one pair of
 * servers: every consumer's allocations, then providers children first, then custom
 * classes and traits. Consumer types stay (Placement has no call that removes them).
 */
export async function resetPair(pair: RestPair): Promise<void> {
  await Promise.all([resetSide(pair.placement), resetSide(pair.ours)]);
}

interface ProviderListing {
  uuid: string;
  parent_provider_uuid: string | null;
}

async function call(side: PairSide, method: string, path: string): Promise<unknown> {
  const response = await fetch(`${side.baseUrl}${path}`, {
    method,
    headers: {
      'x-auth-token': side.adminToken,
      'openstack-api-version': 'placement latest',
      accept: 'application/json',
    },
  });
  const text = await response.text();
  // A consumer deleted through another provider's listing answers 404: already gone.
  if (!response.ok && response.status !== 404)
    throw new Error(`${side.label} ${method} ${path}: ${response.status} ${text}`);
  return text === '' ? null : JSON.parse(text);
}

async function resetSide(side: PairSide): Promise<void> {
  const { resource_providers: providers } = (await call(side, 'GET', '/resource_providers')) as {
    resource_providers: ProviderListing[];
  };
  const consumers = new Set<string>();
  for (const p of providers) {
    const { allocations } = (await call(side, 'GET', `/resource_providers/${p.uuid}/allocations`)) as {
      allocations: Record<string, unknown>;
    };
    for (const consumer of Object.keys(allocations)) consumers.add(consumer);
  }
  for (const consumer of consumers) await call(side, 'DELETE', `/allocations/${consumer}`);
  for (const uuid of childrenFirst(providers)) await call(side, 'DELETE', `/resource_providers/${uuid}`);
  const { resource_classes: classes } = (await call(side, 'GET', '/resource_classes')) as {
    resource_classes: { name: string }[];
  };
  for (const { name } of classes)
    if (name.startsWith('CUSTOM_')) await call(side, 'DELETE', `/resource_classes/${name}`);
  const { traits } = (await call(side, 'GET', '/traits?name=startswith:CUSTOM_')) as { traits: string[] };
  for (const name of traits) await call(side, 'DELETE', `/traits/${name}`);
}

/** Provider uuids ordered deepest first, so no provider is deleted before its children. */
function childrenFirst(providers: ProviderListing[]): string[] {
  const parentOf = new Map(providers.map((p) => [p.uuid, p.parent_provider_uuid]));
  const depth = (uuid: string): number => {
    let d = 0;
    for (let parent = parentOf.get(uuid); parent; parent = parentOf.get(parent)) d++;
    return d;
  };
  return providers.map((p) => p.uuid).sort((a, b) => depth(b) - depth(a));
}
