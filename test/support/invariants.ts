import { expect } from 'vitest';
import type { TestEnv } from './harness.js';

/**
 * What every write must leave true, checked in SQL:
 * - each inventories row's usage counter equals the sum of its allocation rows;
 * - no allocation without inventory; no consumer without allocations;
 * - the copies kept for search (trait_ids, free-share bounds) equal what they copy.
 * Over-commit is checked separately: shrinking an inventory below usage is allowed.
 */
export async function assertPlacementInvariants(env: TestEnv): Promise<void> {
  const drift = await env.sql(
    `SELECT i.provider_id, i.resource_class_id, i.used, COALESCE(sum(a.used), 0)::bigint AS allocated
       FROM inventories i
       LEFT JOIN allocations a ON a.provider_id = i.provider_id AND a.resource_class_id = i.resource_class_id
      GROUP BY i.id HAVING i.used <> COALESCE(sum(a.used), 0)`,
  );
  expect(drift, 'usage counters equal allocation sums').toEqual([]);
  const orphans = await env.sql(
    `SELECT a.id FROM allocations a
       LEFT JOIN inventories i ON i.provider_id = a.provider_id AND i.resource_class_id = a.resource_class_id
      WHERE i.id IS NULL`,
  );
  expect(orphans, 'no allocation without inventory').toEqual([]);
  const empty = await env.sql(
    'SELECT c.uuid FROM consumers c WHERE NOT EXISTS (SELECT 1 FROM allocations a WHERE a.consumer_id = c.id)',
  );
  expect(empty, 'no consumer without allocations').toEqual([]);
  const staleTraits = await env.sql(
    `SELECT p.uuid FROM resource_providers p
      WHERE p.trait_ids <> COALESCE((SELECT array_agg(trait_id ORDER BY trait_id) FROM provider_traits WHERE provider_id = p.id), '{}')`,
  );
  expect(staleTraits, 'trait_ids equal provider_traits').toEqual([]);
  // Recomputed independently: sorted shares, prefix means for k = 1..3.
  const bounds = await env.sql<{ uuid: string; spread: number[]; pack: number[]; shares: number[] }>(
    `SELECT p.uuid, p.spread_bounds AS spread, p.pack_bounds AS pack,
            COALESCE((SELECT array_agg((i.capacity - i.used)::float8 / i.capacity) FROM inventories i WHERE i.provider_id = p.id AND i.capacity > 0), '{}') AS shares
       FROM resource_providers p`,
  );
  const prefixMeans = (sorted: number[]) =>
    sorted.slice(0, 3).map((_, k) => sorted.slice(0, k + 1).reduce((x, y) => x + y, 0) / (k + 1));
  const close = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => Math.abs(x - b[i]!) <= 1e-12);
  const staleBounds = bounds.filter(
    (p) =>
      !close(p.spread, prefixMeans([...p.shares].sort((x, y) => y - x))) ||
      !close(p.pack, prefixMeans([...p.shares].sort((x, y) => x - y))),
  );
  expect(staleBounds, 'free-share bounds equal their inventories').toEqual([]);
  expect(await env.sql(STALE_TREE_CLASSES), 'tree_class_ids equal the classes of each tree').toEqual([]);
  expect(await env.sql(STALE_CLASS_IDS), 'class_ids equal the classes of each provider').toEqual([]);
}

/** Providers whose class_ids differ from the sorted classes of their own inventories. */
export const STALE_CLASS_IDS = `SELECT p.uuid, p.class_ids FROM resource_providers p
   WHERE p.class_ids <> coalesce((SELECT array_agg(i.resource_class_id ORDER BY i.resource_class_id)
                                    FROM inventories i WHERE i.provider_id = p.id), '{}')`;

/** Roots with descendants whose tree_class_ids differ from their tree's inventories, and others whose set is not empty. */
export const STALE_TREE_CLASSES = `SELECT p.uuid, p.tree_class_ids FROM resource_providers p
   WHERE p.tree_class_ids <> (
     SELECT CASE WHEN p.parent_provider_id IS NULL
                  AND EXISTS (SELECT 1 FROM resource_providers d WHERE d.root_provider_id = p.id AND d.id <> p.id)
            THEN coalesce((SELECT array_agg(DISTINCT i.resource_class_id ORDER BY i.resource_class_id)
                             FROM resource_providers m JOIN inventories i ON i.provider_id = m.id
                            WHERE m.root_provider_id = p.id), '{}') ELSE '{}' END)`;

/** No inventory holds more than its capacity (true whenever no inventory was shrunk below usage). */
export async function assertNoOvercommit(env: TestEnv): Promise<void> {
  expect(await env.sql('SELECT id, used, capacity FROM inventories WHERE used > capacity'), 'no over-commit').toEqual(
    [],
  );
}
