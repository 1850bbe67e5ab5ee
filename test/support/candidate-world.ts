/**
 * One provider world built identically in the real Placement (through its REST API) and in
 * ours (through the engine), with the same uuids, so candidate answers compare as they are.
 */
import { createHash } from 'node:crypto';
import { setProviderAggregates } from '../../src/placement/aggregates.js';
import { writeConsumerAllocations } from '../../src/placement/allocations.js';
import { createCustom } from '../../src/placement/catalogue-entries.js';
import { setInventories } from '../../src/placement/inventories.js';
import { createProvider } from '../../src/placement/providers.js';
import { setProviderTraits } from '../../src/placement/traits.js';
import type { TestEnv } from './harness.js';
import type { RealPlacement } from './real-placement.js';

export interface InventorySpec {
  total: number;
  reserved?: number;
  min_unit?: number;
  max_unit?: number;
  step_size?: number;
  allocation_ratio?: number;
}

export interface ProviderSpec {
  name: string;
  parent?: string;
  inventories?: Record<string, InventorySpec>;
  traits?: string[];
  /** Aggregate labels (each becomes a fixed uuid). */
  aggregates?: string[];
}

export interface AllocationSpec {
  consumer: string;
  allocations: Record<string, Record<string, number>>;
}

export interface WorldSpec {
  customTraits?: string[];
  customClasses?: string[];
  providers: ProviderSpec[];
  allocations?: AllocationSpec[];
}

/** A fixed uuid for a label: the same on both sides and in every run. */
export function uuidOf(label: string): string {
  const h = createHash('sha1').update(label).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const PROJECT = uuidOf('project');
const USER = uuidOf('user');

async function call(placement: RealPlacement, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${placement.url}${path}`, {
    method,
    headers: { 'x-auth-token': 'admin', 'openstack-api-version': 'placement 1.39', 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  const text = await response.text();
  return text === '' ? null : (JSON.parse(text) as unknown);
}

export async function buildInPlacement(placement: RealPlacement, spec: WorldSpec): Promise<void> {
  for (const t of spec.customTraits ?? []) await call(placement, 'PUT', `/traits/${t}`);
  for (const c of spec.customClasses ?? []) await call(placement, 'PUT', `/resource_classes/${c}`);
  for (const p of spec.providers) {
    const uuid = uuidOf(p.name);
    await call(placement, 'POST', '/resource_providers', {
      name: p.name,
      uuid,
      ...(p.parent ? { parent_provider_uuid: uuidOf(p.parent) } : {}),
    });
    let generation = 0;
    if (p.inventories) {
      const out = (await call(placement, 'PUT', `/resource_providers/${uuid}/inventories`, {
        resource_provider_generation: generation,
        inventories: p.inventories,
      })) as { resource_provider_generation: number };
      generation = out.resource_provider_generation;
    }
    if (p.traits) {
      const out = (await call(placement, 'PUT', `/resource_providers/${uuid}/traits`, {
        resource_provider_generation: generation,
        traits: p.traits,
      })) as { resource_provider_generation: number };
      generation = out.resource_provider_generation;
    }
    if (p.aggregates)
      await call(placement, 'PUT', `/resource_providers/${uuid}/aggregates`, {
        resource_provider_generation: generation,
        aggregates: p.aggregates.map(uuidOf),
      });
  }
  for (const a of spec.allocations ?? [])
    await call(placement, 'PUT', `/allocations/${uuidOf(a.consumer)}`, {
      allocations: Object.fromEntries(
        Object.entries(a.allocations).map(([p, resources]) => [uuidOf(p), { resources }]),
      ),
      project_id: PROJECT,
      user_id: USER,
      consumer_generation: null,
      consumer_type: 'INSTANCE',
    });
}

export async function buildInOurs(env: TestEnv, spec: WorldSpec): Promise<void> {
  const pool = env.db.pool;
  const generation = async (uuid: string) =>
    (await env.sql<{ generation: number }>('SELECT generation FROM resource_providers WHERE uuid = $1', [uuid]))[0]!
      .generation;
  for (const t of spec.customTraits ?? []) await createCustom(pool, 'traits', t);
  for (const c of spec.customClasses ?? []) await createCustom(pool, 'resource_classes', c);
  for (const p of spec.providers) {
    const uuid = uuidOf(p.name);
    await createProvider(pool, { uuid, name: p.name, parentProviderUuid: p.parent ? uuidOf(p.parent) : null });
    if (p.inventories)
      await setInventories(pool, {
        providerUuid: uuid,
        generation: await generation(uuid),
        inventories: Object.entries(p.inventories).map(([resourceClass, i]) => ({
          resourceClass,
          total: i.total,
          reserved: i.reserved,
          minUnit: i.min_unit,
          maxUnit: i.max_unit,
          stepSize: i.step_size,
          allocationRatio: i.allocation_ratio,
        })),
      });
    if (p.traits)
      await setProviderTraits(pool, { providerUuid: uuid, generation: await generation(uuid), traits: p.traits });
    if (p.aggregates)
      await setProviderAggregates(pool, {
        providerUuid: uuid,
        generation: await generation(uuid),
        aggregates: p.aggregates.map(uuidOf),
      });
  }
  for (const a of spec.allocations ?? [])
    await writeConsumerAllocations(pool, {
      consumerUuid: uuidOf(a.consumer),
      consumerGeneration: null,
      projectId: PROJECT,
      userId: USER,
      consumerType: 'INSTANCE',
      allocations: Object.entries(a.allocations).map(([p, resources]) => ({
        providerUuid: uuidOf(p),
        resources: Object.entries(resources).map(([resourceClass, amount]) => ({ resourceClass, amount })),
      })),
    });
}
