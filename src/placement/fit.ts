/**
 * The fit rule, the one definition used by allocation writes, provider search, candidate
 * search and claims:
 *   used + amount ≤ capacity,  minUnit ≤ amount ≤ maxUnit,  amount % stepSize = 0
 * where capacity = floor((total − reserved) × allocationRatio) (a generated column).
 */
export interface InventoryState {
  capacity: number;
  used: number;
  minUnit: number;
  maxUnit: number;
  stepSize: number;
}

export type FitViolation =
  | { rule: 'minUnit'; limit: number }
  | { rule: 'maxUnit'; limit: number }
  | { rule: 'stepSize'; limit: number }
  | { rule: 'capacity'; limit: number };

/** Unit rules apply to each amount as written. */
export function unitViolation(inv: InventoryState, amount: number): FitViolation | null {
  if (amount < inv.minUnit) return { rule: 'minUnit', limit: inv.minUnit };
  if (amount > inv.maxUnit) return { rule: 'maxUnit', limit: inv.maxUnit };
  if (amount % inv.stepSize !== 0) return { rule: 'stepSize', limit: inv.stepSize };
  return null;
}

/** Capacity applies to the sum on the provider; `increase` is what this write adds to `used`. */
export function capacityViolation(inv: InventoryState, increase: number): FitViolation | null {
  return increase > 0 && inv.used + increase > inv.capacity ? { rule: 'capacity', limit: inv.capacity } : null;
}

/**
 * The same rule as SQL over an `inventories` row alias and an amount expression, for
 * searches that must agree with `unitViolation` and `capacityViolation` exactly.
 */
export function fitsSql(inventoryAlias: string, amount: string): string {
  const i = inventoryAlias;
  return `(${i}.used + ${amount} <= ${i}.capacity AND ${amount} BETWEEN ${i}.min_unit AND ${i}.max_unit AND ${amount} % ${i}.step_size = 0)`;
}

/**
 * The weighers' unit: an inventory's free share (capacity − used) / capacity, as SQL over an
 * `inventories` alias. `extraUsed` is added to `used` first (for a statement that is moving
 * the counter in the same breath).
 */
export function freeShareSql(inventoryAlias: string, extraUsed = '0'): string {
  const i = inventoryAlias;
  return `((${i}.capacity - ${i}.used - ${extraUsed})::float8 / ${i}.capacity)`;
}

/** used ÷ capacity; 0 for an empty or zero-capacity inventory, above 1 when a shrunk capacity is over-used. */
export function utilization(used: number, capacity: number): number {
  if (capacity <= 0) return 0;
  return used / capacity;
}

/** The walk bounds are kept for requests of 1, 2 and 3+ classes. */
export const BOUND_CLASSES = 3;

/**
 * Bounds on a host's weight, kept on resource_providers and used as the search's walk
 * order. For a request of k classes (k ≤ 3; more use k = 3) a host's weight — the mean of
 * k of its free shares — is at most the mean of its k largest shares (spread_bounds[k]) and
 * at least the mean of its k smallest (pack_bounds[k]). SQL for an UPDATE … SET of
 * `resource_providers` aliased `p`; `share` is the free-share expression over inventories
 * `i` (and whatever `join` adds), so a statement that is moving counters can pass the
 * shares as they will be.
 */
export function shareBoundsSet(share = freeShareSql('i'), join = ''): string {
  const bounds = (direction: 'DESC' | 'ASC') => `(
    SELECT coalesce(array_agg(m ORDER BY k), '{}') FROM (
      SELECT row_number() OVER w AS k, avg(s) OVER w AS m
        FROM (SELECT ${share} AS s FROM inventories i ${join} WHERE i.provider_id = p.id AND i.capacity > 0) shares
      WINDOW w AS (ORDER BY s ${direction} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)) means
     WHERE k <= ${BOUND_CLASSES})`;
  return `spread_bounds = ${bounds('DESC')}, pack_bounds = ${bounds('ASC')}`;
}
