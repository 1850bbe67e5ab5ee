/**
 * Builds the provider worlds of Placement's functional-test fixtures through the REST API, the
 * same calls to both servers of a pair: Placement prepares them in Python before its YAML runs,
 * we prepare them with ordinary calls, so both sides hold the same world with the same uuids.
 */
import { type InventorySpec, uuidOf } from '../candidate-world.js';
import { formatDifference, type RestCall, type RestPair } from '../rest-pair.js';

/** An inventory as Placement's REST API writes it. */
export type FixtureInventory = InventorySpec;

export interface FixtureProvider {
  name: string;
  uuid: string;
  parent?: string;
  inventories?: Record<string, FixtureInventory>;
  traits?: string[];
  aggregates?: string[];
  /**
   * Write the inventories one class per POST, in the order given, one generation each (as
   * test_base.add_inventory does, for fixtures whose YAML reads the generations); otherwise one
   * PUT of them all.
   */
  inventoryPerClass?: boolean;
}

export interface FixtureAllocation {
  consumer: string;
  /** Provider uuid → class → amount. */
  allocations: Record<string, Record<string, number>>;
  /** Default FIXTURE_PROJECT and FIXTURE_USER. */
  project?: string;
  user?: string;
}

export interface FixtureWorld {
  /** Custom classes to create first (custom traits are created from the providers' trait lists). */
  customClasses?: string[];
  providers: FixtureProvider[];
  allocations?: FixtureAllocation[];
}

/** The project and user of every fixture allocation (Placement's fixtures make one of each). */
export const FIXTURE_PROJECT = uuidOf('gabbit-fixture/project');
export const FIXTURE_USER = uuidOf('gabbit-fixture/user');

/** Every provider's generation once its fixture calls are done (what a later write must name). */
export type Generations = Map<string, number>;

/** The calls that build a world, and the generation each provider ends with. */
export function worldCalls(world: FixtureWorld): { calls: RestCall[]; generations: Generations } {
  const calls: RestCall[] = [];
  const generations: Generations = new Map();
  for (const name of world.customClasses ?? [])
    calls.push({ method: 'PUT', path: `/resource_classes/${name}`, version: '1.7' });
  const customTraits = new Set(world.providers.flatMap((p) => p.traits ?? []).filter((t) => t.startsWith('CUSTOM_')));
  for (const name of customTraits) calls.push({ method: 'PUT', path: `/traits/${name}`, version: '1.6' });
  for (const provider of world.providers) {
    const body: Record<string, string> = { name: provider.name, uuid: provider.uuid };
    if (provider.parent !== undefined) body.parent_provider_uuid = provider.parent;
    calls.push({ method: 'POST', path: '/resource_providers', version: '1.14', body });
    let generation = 0;
    const path = `/resource_providers/${provider.uuid}`;
    // Each PUT names the generation the write before it left.
    const write = (what: string, version: string | undefined, body: Record<string, unknown>) => {
      calls.push({
        method: 'PUT',
        path: `${path}/${what}`,
        ...(version === undefined ? {} : { version }),
        body: { resource_provider_generation: generation, ...body },
      });
      generation += 1;
    };
    if (provider.inventories !== undefined && provider.inventoryPerClass === true) {
      for (const [resourceClass, inventory] of Object.entries(provider.inventories)) {
        calls.push({
          method: 'POST',
          path: `${path}/inventories`,
          body: { resource_class: resourceClass, ...inventory },
        });
        generation += 1;
      }
    } else if (provider.inventories !== undefined) {
      write('inventories', undefined, { inventories: provider.inventories });
    }
    if (provider.traits !== undefined) write('traits', '1.6', { traits: provider.traits });
    if (provider.aggregates !== undefined) write('aggregates', '1.19', { aggregates: provider.aggregates });
    generations.set(provider.uuid, generation);
  }
  for (const allocation of world.allocations ?? []) {
    const allocations: Record<string, { resources: Record<string, number> }> = {};
    for (const [uuid, resources] of Object.entries(allocation.allocations)) {
      allocations[uuid] = { resources };
      generations.set(uuid, (generations.get(uuid) ?? 0) + 1);
    }
    calls.push({
      method: 'PUT',
      path: `/allocations/${allocation.consumer}`,
      version: '1.28',
      body: {
        allocations,
        project_id: allocation.project ?? FIXTURE_PROJECT,
        user_id: allocation.user ?? FIXTURE_USER,
        consumer_generation: null,
      },
    });
  }
  return { calls, generations };
}

/**
 * Builds a world on both servers. Any difference while building, or any call that fails on
 * Placement, is thrown: a scenario must start from the same state on both sides.
 */
export async function buildWorld(pair: RestPair, world: FixtureWorld): Promise<Generations> {
  const { calls, generations } = worldCalls(world);
  const { results, differences } = await pair.scenario(calls);
  const failed = results.filter((r) => r.placement.status >= 300);
  if (failed.length > 0 || differences.length > 0) {
    const lines = [
      ...failed.map((r) => `${r.call.method} ${r.call.path}: Placement answered ${r.placement.status}`),
      ...differences.map((d) => formatDifference(d.call, d.difference)),
    ];
    throw new Error(`fixture differs between the servers:\n${lines.join('\n')}`);
  }
  return generations;
}
