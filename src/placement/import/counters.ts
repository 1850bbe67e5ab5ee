import { shareBoundsSet } from '../fit.js';
import type { Queryable } from '../transactions.js';

/**
 * Recomputes the usage counters of the given providers' inventories from their allocations,
 * and the search bounds that follow them. The import writes allocations as they are at the
 * source, not as deltas through the fit rule (the source may hold an allocation a shrunk
 * inventory no longer fits), so the counters are recounted rather than moved.
 */
export async function recountProviders(db: Queryable, providerIds: Iterable<number>): Promise<void> {
  const ids = [...new Set(providerIds)];
  if (ids.length === 0) return;
  await db.query(
    `UPDATE inventories i SET used = coalesce(
       (SELECT sum(a.used) FROM allocations a WHERE a.provider_id = i.provider_id AND a.resource_class_id = i.resource_class_id), 0)
      WHERE i.provider_id = ANY($1::int[])`,
    [ids],
  );
  await db.query(`UPDATE resource_providers p SET ${shareBoundsSet()} WHERE id = ANY($1::int[])`, [ids]);
}

/**
 * Locks providers in id order, as every writer that moves an inventory's `used` does before
 * touching it (docs/PLACEMENT-ENGINE.md, "One lock order"): the import queues behind claims
 * and plain writes on those providers instead of deadlocking with them.
 */
export async function lockProviderRows(db: Queryable, providerIds: Iterable<number>): Promise<void> {
  const ids = [...new Set(providerIds)];
  if (ids.length > 0)
    await db.query('SELECT 1 FROM resource_providers WHERE id = ANY($1::int[]) ORDER BY id FOR UPDATE', [ids]);
}
