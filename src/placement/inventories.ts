import type pg from 'pg';
import { z } from 'zod';
import { InUseError, InvalidInputError, NotFoundError } from './errors.js';
import { shareBoundsSet } from './fit.js';
import { checkAndBumpGeneration, type ProviderRow, resourceClassIds } from './lookups.js';
import { defaultRetryPolicy, type Queryable } from './transactions.js';
import { int32, MAX_ALLOCATION_RATIO, parseInput, referenceName, uuidString } from './validation.js';
import type { WriteCaller } from './write-caller.js';
import { writeTransaction } from './write-transaction.js';

const inventoryFields = z
  .object({
    resourceClass: referenceName('resource class'),
    total: int32(1),
    reserved: int32(0).default(0),
    minUnit: int32(1).default(1),
    maxUnit: int32(1).default(2147483647),
    stepSize: int32(1).default(1),
    allocationRatio: z
      .number()
      // An exclusive bound: reported as gt:0 (the default `min:0` would read as "0 is allowed").
      .refine((ratio) => ratio > 0, { message: 'must be greater than 0', params: { rule: 'gt:0' } })
      .max(MAX_ALLOCATION_RATIO, { message: `must be at most ${MAX_ALLOCATION_RATIO}` })
      .default(1),
  })
  .superRefine((inv, ctx) => {
    if (inv.reserved > inv.total) {
      ctx.addIssue({
        code: 'custom',
        path: ['reserved'],
        message: 'must not exceed total',
        params: { rule: 'reserved<=total' },
      });
    }
    if (inv.minUnit > inv.maxUnit) {
      ctx.addIssue({
        code: 'custom',
        path: ['minUnit'],
        message: 'must not exceed maxUnit',
        params: { rule: 'minUnit<=maxUnit' },
      });
    }
  });
export type InventoryInput = z.input<typeof inventoryFields>;
export type Inventory = z.output<typeof inventoryFields>;

const setInventoriesInput = z.object({
  providerUuid: uuidString,
  generation: int32(0),
  inventories: z.array(inventoryFields).max(1000, { message: 'at most 1000 inventories' }),
});
const upsertInventoryInput = z.object({ providerUuid: uuidString, generation: int32(0), inventory: inventoryFields });
const deleteInventoryInput = z.object({
  providerUuid: uuidString,
  generation: int32(0),
  resourceClass: referenceName('resource class'),
});

export interface InventoryWriteResult {
  provider: ProviderRow;
  /** Non-fatal notes, e.g. capacity shrunk below current usage. */
  warnings: string[];
}

/**
 * Writes the given classes' inventories of one provider in two statements: an update of the
 * rows that exist, then an insert of the missing ones. Not an INSERT … ON CONFLICT, which
 * draws an id from the sequence even for a row it only updates. The caller holds the
 * provider's row lock, which every inventory writer takes first, so no row can appear
 * between the two. Returns, per class name, the usage where it now exceeds capacity.
 */
async function writeInventories(
  db: Queryable,
  providerId: number,
  inventories: Inventory[],
  classIds: Map<string, number>,
): Promise<Map<string, number>> {
  const columns = [
    inventories.map((i) => classIds.get(i.resourceClass)!),
    inventories.map((i) => i.total),
    inventories.map((i) => i.reserved),
    inventories.map((i) => i.minUnit),
    inventories.map((i) => i.maxUnit),
    inventories.map((i) => i.stepSize),
    inventories.map((i) => i.allocationRatio),
  ];
  const given = `unnest($2::int[], $3::int[], $4::int[], $5::int[], $6::int[], $7::int[], $8::float8[])
    AS v(resource_class_id, total, reserved, min_unit, max_unit, step_size, allocation_ratio)`;
  type Written = { classId: number; capacity: number; used: number };
  const updated = await db.query<Written>(
    `UPDATE inventories i SET total = v.total, reserved = v.reserved, min_unit = v.min_unit, max_unit = v.max_unit,
            step_size = v.step_size, allocation_ratio = v.allocation_ratio
       FROM ${given} WHERE i.provider_id = $1 AND i.resource_class_id = v.resource_class_id
     RETURNING i.resource_class_id AS "classId", i.capacity, i.used`,
    [providerId, ...columns],
  );
  const inserted = await db.query<Written>(
    `INSERT INTO inventories (provider_id, resource_class_id, total, reserved, min_unit, max_unit, step_size, allocation_ratio)
     SELECT $1::int, v.* FROM ${given}
      WHERE NOT EXISTS (SELECT 1 FROM inventories i WHERE i.provider_id = $1 AND i.resource_class_id = v.resource_class_id)
     RETURNING resource_class_id AS "classId", capacity, used`,
    [providerId, ...columns],
  );
  const written = new Map([...updated.rows, ...inserted.rows].map((r) => [r.classId, r]));
  const overUsed = new Map<string, number>();
  for (const inv of inventories) {
    const row = written.get(classIds.get(inv.resourceClass)!)!;
    if (row.used > row.capacity) overUsed.set(inv.resourceClass, row.used);
  }
  return overUsed;
}

/** Inventories changed: the provider's free-share bounds (search order) follow. */
async function refreshShareBounds(db: Queryable, providerId: number): Promise<void> {
  await db.query(`UPDATE resource_providers p SET ${shareBoundsSet()} WHERE id = $1`, [providerId]);
}

function shrinkWarning(resourceClass: string, used: number): string {
  return `${resourceClass}: capacity is now below current usage (${used}); existing allocations stay, new ones will not fit`;
}

async function removeInventories(db: Queryable, provider: ProviderRow, classIds: number[]): Promise<void> {
  if (classIds.length === 0) return;
  // Every allocated class in Placement's class id order (standard classes in catalogue order, then custom ones).
  const inUse = await db.query<{ name: string }>(
    `SELECT rc.name FROM resource_classes rc
     WHERE rc.id = ANY($2::int[]) AND EXISTS (SELECT 1 FROM allocations a WHERE a.provider_id = $1 AND a.resource_class_id = rc.id)
     ORDER BY rc.standard DESC, rc.id`,
    [provider.id, classIds],
  );
  if (inUse.rows.length > 0) {
    const names = inUse.rows.map((r) => r.name);
    // The identifier names one class (the first by name) as it always has; the error lists them all.
    const first = [...names].sort()[0]!;
    throw new InUseError('Inventory', `${provider.uuid}/${first}`, `${first} has allocations on this provider`, names);
  }
  await db.query('DELETE FROM inventories WHERE provider_id = $1 AND resource_class_id = ANY($2::int[])', [
    provider.id,
    classIds,
  ]);
}

/** Replaces all of a provider's inventories; classes left out are removed (refused while allocated). */
export async function setInventories(
  pool: pg.Pool,
  raw: z.input<typeof setInventoriesInput>,
  caller?: WriteCaller,
): Promise<InventoryWriteResult> {
  const input = parseInput(setInventoriesInput, raw);
  const seen = new Set<string>();
  input.inventories.forEach((inv, i) => {
    if (seen.has(inv.resourceClass)) {
      throw new InvalidInputError(
        `inventories[${i}].resourceClass`,
        'unique',
        `inventories[${i}].resourceClass: ${inv.resourceClass} is listed twice`,
      );
    }
    seen.add(inv.resourceClass);
  });
  return writeTransaction(
    pool,
    async (db) => {
      const provider = await checkAndBumpGeneration(db, input.providerUuid, input.generation);
      const warnings = await replaceInventoriesOf(db, provider, input.inventories);
      return { provider, warnings };
    },
    defaultRetryPolicy,
    caller,
  );
}

/**
 * Inside a write transaction holding the provider's row lock: its inventories become
 * exactly `inventories` (classes left out are removed, refused while allocated). Returns
 * the shrink warnings.
 */
export async function replaceInventoriesOf(
  db: Queryable,
  provider: ProviderRow,
  inventories: Inventory[],
): Promise<string[]> {
  const classIds = await resourceClassIds(
    db,
    inventories.map((i) => i.resourceClass),
    (i) => `inventories[${i}].resourceClass`,
  );
  const { rows: existing } = await db.query<{ resource_class_id: number }>(
    'SELECT resource_class_id FROM inventories WHERE provider_id = $1',
    [provider.id],
  );
  const kept = new Set(classIds.values());
  await removeInventories(
    db,
    provider,
    existing.map((r) => r.resource_class_id).filter((id) => !kept.has(id)),
  );
  const overUsed = await writeInventories(db, provider.id, inventories, classIds);
  await refreshShareBounds(db, provider.id);
  return [...overUsed].map(([resourceClass, used]) => shrinkWarning(resourceClass, used));
}

/** Inside a write transaction holding the provider's row lock: adds or replaces these classes, removes none. */
export async function mergeInventoriesOf(
  db: Queryable,
  provider: ProviderRow,
  inventories: Inventory[],
): Promise<void> {
  const classIds = await resourceClassIds(
    db,
    inventories.map((i) => i.resourceClass),
    (i) => `inventories[${i}].resourceClass`,
  );
  await writeInventories(db, provider.id, inventories, classIds);
  await refreshShareBounds(db, provider.id);
}

/** One provider's inventory list, validated as setInventories validates it. */
export function parseInventoryList(raw: InventoryInput[], prefix: string): Inventory[] {
  return parseInput(z.array(inventoryFields).max(1000), raw, prefix);
}

/** Adds or replaces the inventory of one class. */
export async function upsertInventory(
  pool: pg.Pool,
  raw: z.input<typeof upsertInventoryInput>,
  caller?: WriteCaller,
): Promise<InventoryWriteResult> {
  const input = parseInput(upsertInventoryInput, raw);
  return writeTransaction(
    pool,
    async (db) => {
      const provider = await checkAndBumpGeneration(db, input.providerUuid, input.generation);
      const classIds = await resourceClassIds(db, [input.inventory.resourceClass], () => 'inventory.resourceClass');
      const overUsed = await writeInventories(db, provider.id, [input.inventory], classIds);
      const used = overUsed.get(input.inventory.resourceClass);
      await refreshShareBounds(db, provider.id);
      return { provider, warnings: used === undefined ? [] : [shrinkWarning(input.inventory.resourceClass, used)] };
    },
    defaultRetryPolicy,
    caller,
  );
}

/** Removes the inventory of one class; refused while that class is allocated here. */
export async function deleteInventory(
  pool: pg.Pool,
  raw: z.input<typeof deleteInventoryInput>,
  caller?: WriteCaller,
): Promise<InventoryWriteResult> {
  const input = parseInput(deleteInventoryInput, raw);
  return writeTransaction(
    pool,
    async (db) => {
      const provider = await checkAndBumpGeneration(db, input.providerUuid, input.generation);
      const classIds = await resourceClassIds(db, [input.resourceClass], () => 'resourceClass');
      const classId = classIds.get(input.resourceClass)!;
      const found = await db.query('SELECT 1 FROM inventories WHERE provider_id = $1 AND resource_class_id = $2', [
        provider.id,
        classId,
      ]);
      if (!found.rowCount) {
        throw new NotFoundError('Inventory', `${provider.uuid}/${input.resourceClass}`, 'resourceClass');
      }
      await removeInventories(db, provider, [classId]);
      await refreshShareBounds(db, provider.id);
      return { provider, warnings: [] };
    },
    defaultRetryPolicy,
    caller,
  );
}
