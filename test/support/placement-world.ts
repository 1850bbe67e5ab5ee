/**
 * Random placement worlds for the property tests: specs as plain data (indices resolved
 * modulo the world's sizes), writing a world through the engine's own write functions
 * (usage through real allocation writes), and a snapshot of the tables read back in SQL
 * for brute-force references. Shared by candidates-property and groups-property.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { expect } from 'vitest';
import { setProviderAggregates } from '../../src/placement/aggregates.js';
import { writeAllocations } from '../../src/placement/allocations.js';
import { createCell } from '../../src/placement/cells.js';
import { InvalidInputError } from '../../src/placement/errors.js';
import { setInventories } from '../../src/placement/inventories.js';
import { createProvider, updateProvider } from '../../src/placement/providers.js';
import { createResourceClass } from '../../src/placement/resource-classes.js';
import { createTrait, setProviderTraits } from '../../src/placement/traits.js';
import type { TestEnv } from './harness.js';

export const SHARING = 'MISC_SHARES_VIA_AGGREGATE';
export const CUSTOM_CLASS = 'CUSTOM_PROP_WIDGET';
export const CLASSES = ['VCPU', 'MEMORY_MB', 'DISK_GB', CUSTOM_CLASS];
export const CUSTOM_TRAITS = ['CUSTOM_PROP_A', 'CUSTOM_PROP_B', 'CUSTOM_PROP_C', 'CUSTOM_PROP_D', 'CUSTOM_PROP_E'];
export const MAX_INT32 = 2147483647;

/** Creates the custom class and traits the worlds use (once per database). */
export async function createWorldCatalogue(env: TestEnv): Promise<void> {
  await createResourceClass(env.db.pool, CUSTOM_CLASS);
  for (const t of CUSTOM_TRAITS) await createTrait(env.db.pool, t);
}

// ---------------------------------------------------------------------------------------------
// World specs.

export interface InventorySpec {
  cls: number;
  total: number;
  reserved: 'none' | 'all' | number; // number: fraction of total
  minUnit: number;
  maxUnit: number | null; // null: default (2^31−1); else minUnit + this
  stepSize: number;
  allocationRatio: number;
}

export interface ProviderSpec {
  parent: number | null; // index into earlier providers (modulo), null: a root
  cell: number | null; // roots only
  traits: number[];
  sharing: boolean;
  aggregates: number[];
  inventories: InventorySpec[];
}

export interface UsageSpec {
  provider: number;
  cls: number;
  pick: number; // 0..1, which fitting amount
}

export interface WorldSpec {
  cells: number;
  aggregates: number;
  providers: ProviderSpec[];
  consumers: UsageSpec[][];
  shrink: { provider: number; cls: number }[];
  /** Re-parenting after the world is built (null: make it a root); a move into its own subtree is skipped. */
  moves: { provider: number; parent: number | null }[];
}

/** `arb` with weight `some`, null with weight `none`. */
export const maybe = <T>(arb: fc.Arbitrary<T>, some: number, none: number): fc.Arbitrary<T | null> =>
  fc.oneof({ weight: none, arbitrary: fc.constant(null) }, { weight: some, arbitrary: arb });

export const inventoryArb = (cls: number): fc.Arbitrary<InventorySpec> =>
  fc.record({
    cls: fc.constant(cls),
    total: fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 4, max: 100 })),
    reserved: fc.oneof(
      { weight: 5, arbitrary: fc.constant<'none'>('none') },
      { weight: 1, arbitrary: fc.constant<'all'>('all') },
      { weight: 2, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) },
    ),
    minUnit: fc.oneof(
      { weight: 4, arbitrary: fc.constant(1) },
      { weight: 1, arbitrary: fc.integer({ min: 1, max: 4 }) },
    ),
    maxUnit: fc.oneof(
      { weight: 3, arbitrary: fc.constant(null) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 20 }) },
    ),
    stepSize: fc.constantFrom(1, 1, 1, 1, 1, 2, 3),
    allocationRatio: fc.constantFrom(1, 1, 1, 1.5, 2, 0.5, 16),
  });

// ---------------------------------------------------------------------------------------------
// Writing a world through the engine's own write functions.

export interface Built {
  cells: string[];
  aggregates: string[];
  providers: string[];
}

export const TABLES =
  'allocations, consumers, inventories, provider_traits, provider_aggregates, resource_providers, aggregates, cells, idempotency_keys';

export function inventoryInput(spec: InventorySpec) {
  const reserved =
    spec.reserved === 'none' ? 0 : spec.reserved === 'all' ? spec.total : Math.floor(spec.reserved * spec.total);
  return {
    resourceClass: CLASSES[spec.cls]!,
    total: spec.total,
    reserved,
    minUnit: spec.minUnit,
    maxUnit: spec.maxUnit === null ? MAX_INT32 : spec.minUnit + spec.maxUnit,
    stepSize: spec.stepSize,
    allocationRatio: spec.allocationRatio,
  };
}

export async function buildWorld(env: TestEnv, world: WorldSpec): Promise<Built> {
  const pool = env.db.pool;
  await env.sql(`TRUNCATE ${TABLES} CASCADE`);
  const cells: string[] = [];
  for (let c = 0; c < world.cells; c++) cells.push((await createCell(pool, { name: `cell-${c}` })).uuid);
  const aggregates = Array.from({ length: world.aggregates }, () => randomUUID());
  const providers: string[] = [];
  const inventories: ReturnType<typeof inventoryInput>[][] = [];
  for (const [i, spec] of world.providers.entries()) {
    const parent = spec.parent === null || i === 0 ? null : providers[spec.parent % i]!;
    const cell = parent === null && spec.cell !== null ? cells[spec.cell % cells.length]! : null;
    const row = await createProvider(pool, { name: `p${i}`, parentProviderUuid: parent, cellUuid: cell });
    let generation = row.generation;
    const invs = spec.inventories.map(inventoryInput);
    inventories.push(invs);
    if (invs.length)
      generation = (await setInventories(pool, { providerUuid: row.uuid, generation, inventories: invs })).provider
        .generation;
    const traits = spec.traits.map((t) => CUSTOM_TRAITS[t]!);
    if (spec.sharing) traits.push(SHARING);
    if (traits.length)
      generation = (await setProviderTraits(pool, { providerUuid: row.uuid, generation, traits })).generation;
    const aggs = [...new Set(spec.aggregates.map((a) => aggregates[a % aggregates.length]!))];
    if (aggs.length) await setProviderAggregates(pool, { providerUuid: row.uuid, generation, aggregates: aggs });
    providers.push(row.uuid);
  }
  // Usage through real allocation writes: amounts chosen to fit what is already used.
  const used = new Map<string, number>();
  for (const consumer of world.consumers) {
    const allocations = new Map<string, { resourceClass: string; amount: number }[]>();
    for (const u of consumer) {
      const p = u.provider % providers.length;
      const inv = inventories[p]!.find((x) => x.resourceClass === CLASSES[u.cls]);
      if (!inv) continue;
      const key = `${p}/${inv.resourceClass}`;
      if ((allocations.get(providers[p]!) ?? []).some((r) => r.resourceClass === inv.resourceClass)) continue;
      const capacity = Math.floor((inv.total - inv.reserved) * inv.allocationRatio);
      const room = Math.min(inv.maxUnit, capacity - (used.get(key) ?? 0));
      const amounts: number[] = [];
      for (let a = inv.minUnit; a <= room && amounts.length < 200; a++) if (a % inv.stepSize === 0) amounts.push(a);
      if (amounts.length === 0) continue;
      const amount = amounts[Math.min(amounts.length - 1, Math.floor(u.pick * amounts.length))]!;
      used.set(key, (used.get(key) ?? 0) + amount);
      allocations.set(providers[p]!, [
        ...(allocations.get(providers[p]!) ?? []),
        { resourceClass: inv.resourceClass, amount },
      ]);
    }
    if (allocations.size === 0) continue;
    await writeAllocations(pool, {
      consumers: [
        {
          consumerUuid: randomUUID(),
          consumerGeneration: null,
          projectId: 'project',
          userId: 'user',
          allocations: [...allocations].map(([providerUuid, resources]) => ({ providerUuid, resources })),
        },
      ],
    });
  }
  // Shrink a used inventory below its usage (allowed, a warning): free share goes negative.
  for (const s of world.shrink) {
    const p = s.provider % providers.length;
    const invs = inventories[p]!;
    const target = invs.find((x) => x.resourceClass === CLASSES[s.cls]);
    if (!target || !(used.get(`${p}/${target.resourceClass}`) ?? 0)) continue;
    target.reserved = target.total;
    const [row] = await env.sql<{ generation: number }>('SELECT generation FROM resource_providers WHERE uuid = $1', [
      providers[p],
    ]);
    await setInventories(pool, { providerUuid: providers[p]!, generation: row!.generation, inventories: invs });
  }
  // Move subtrees between trees (and out to be roots): the search's per-tree class sets must follow.
  for (const move of world.moves) {
    const uuid = providers[move.provider % providers.length]!;
    const parent = move.parent === null ? null : providers[move.parent % providers.length]!;
    try {
      await updateProvider(pool, { uuid, parentProviderUuid: parent });
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error; // a loop (into itself or its subtree)
    }
  }
  return { cells, aggregates, providers };
}

// ---------------------------------------------------------------------------------------------
// A snapshot of the tables, for references computed in TypeScript.

export interface SnapInventory {
  capacity: number;
  used: number;
  minUnit: number;
  maxUnit: number;
  stepSize: number;
}

export interface SnapProvider {
  id: number;
  uuid: string;
  parentId: number | null;
  rootId: number;
  cell: string | null;
  traits: Set<string>;
  aggregates: Set<string>;
  inventories: Map<string, SnapInventory>;
}

export async function takeSnapshot(env: TestEnv): Promise<SnapProvider[]> {
  const rows = await env.sql<{ id: number; uuid: string; parent: number | null; root: number; cell: string | null }>(
    `SELECT p.id, p.uuid, p.parent_provider_id AS parent, p.root_provider_id AS root, c.uuid AS cell
       FROM resource_providers p LEFT JOIN cells c ON c.id = p.cell_id ORDER BY p.id`,
  );
  const byId = new Map<number, SnapProvider>();
  for (const r of rows) {
    byId.set(r.id, {
      id: r.id,
      uuid: r.uuid,
      parentId: r.parent,
      rootId: r.root,
      cell: r.cell,
      traits: new Set(),
      aggregates: new Set(),
      inventories: new Map(),
    });
  }
  // The root, computed by walking parents, must be the stored root.
  for (const p of byId.values()) {
    let top = p;
    while (top.parentId !== null) top = byId.get(top.parentId)!;
    expect(p.rootId).toBe(top.id);
    expect(p.cell).toBe(top.cell);
  }
  for (const r of await env.sql<{ provider_id: number; name: string }>(
    'SELECT pt.provider_id, t.name FROM provider_traits pt JOIN traits t ON t.id = pt.trait_id',
  )) {
    byId.get(r.provider_id)!.traits.add(r.name);
  }
  for (const r of await env.sql<{ provider_id: number; uuid: string }>(
    'SELECT pa.provider_id, a.uuid FROM provider_aggregates pa JOIN aggregates a ON a.id = pa.aggregate_id',
  )) {
    byId.get(r.provider_id)!.aggregates.add(r.uuid);
  }
  const inventories = await env.sql<{
    provider_id: number;
    name: string;
    total: number;
    reserved: number;
    min_unit: number;
    max_unit: number;
    step_size: number;
    allocation_ratio: number;
    capacity: number;
    used: number;
    allocated: number;
  }>(
    `SELECT i.provider_id, rc.name, i.total, i.reserved, i.min_unit, i.max_unit, i.step_size, i.allocation_ratio, i.capacity, i.used,
            COALESCE((SELECT sum(a.used) FROM allocations a WHERE a.provider_id = i.provider_id AND a.resource_class_id = i.resource_class_id), 0)::int AS allocated
       FROM inventories i JOIN resource_classes rc ON rc.id = i.resource_class_id`,
  );
  for (const r of inventories) {
    // capacity and usage are recomputed here, not trusted from the engine's columns
    const capacity = Math.floor((r.total - r.reserved) * r.allocation_ratio);
    expect(Number(r.capacity)).toBe(capacity);
    expect(Number(r.used)).toBe(r.allocated);
    byId.get(r.provider_id)!.inventories.set(r.name, {
      capacity,
      used: r.allocated,
      minUnit: r.min_unit,
      maxUnit: r.max_unit,
      stepSize: r.step_size,
    });
  }
  return [...byId.values()];
}

export const fitsRef = (inv: SnapInventory, amount: number) =>
  inv.used + amount <= inv.capacity && amount >= inv.minUnit && amount <= inv.maxUnit && amount % inv.stepSize === 0;
export const shareOf = (inv: SnapInventory) => (inv.capacity - inv.used) / inv.capacity;
