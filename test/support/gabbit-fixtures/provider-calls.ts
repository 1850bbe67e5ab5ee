import type { RestCall } from '../rest-pair.js';

/** One provider as Placement's fixtures build it (placement/tests/functional/db/test_base.py). */
export interface FixtureProvider {
  uuid: string;
  name: string;
  parent?: string;
  aggregates?: string[];
  /** Class, total and other fields; max_unit defaults to the total, as test_base.add_inventory does. */
  inventories?: [string, number, Record<string, number>?][];
  traits?: string[];
}

/**
 * The REST calls that build a provider as test_base's create_provider, add_inventory and
 * set_traits do, generation for generation: aggregates through the 1.1 list payload (which,
 * like rp.set_aggregates, leaves the generation alone), one POST per inventory class (one
 * generation each, like add_inventory), then the traits (one more). Custom traits and classes
 * must exist first.
 */
export function providerCalls(provider: FixtureProvider): RestCall[] {
  const path = `/resource_providers/${provider.uuid}`;
  const calls: RestCall[] = [
    {
      method: 'POST',
      path: '/resource_providers',
      version: '1.14',
      body: {
        name: provider.name,
        uuid: provider.uuid,
        ...(provider.parent === undefined ? {} : { parent_provider_uuid: provider.parent }),
      },
    },
  ];
  if (provider.aggregates !== undefined && provider.aggregates.length > 0)
    calls.push({ method: 'PUT', path: `${path}/aggregates`, version: '1.1', body: provider.aggregates });
  let generation = 0;
  for (const [resourceClass, total, fields = {}] of provider.inventories ?? []) {
    calls.push({
      method: 'POST',
      path: `${path}/inventories`,
      body: { resource_class: resourceClass, total, max_unit: total, ...fields },
    });
    generation += 1;
  }
  if (provider.traits !== undefined)
    calls.push({
      method: 'PUT',
      path: `${path}/traits`,
      version: '1.6',
      body: { traits: provider.traits, resource_provider_generation: generation },
    });
  return calls;
}
