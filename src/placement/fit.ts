/**
 * The fit rule, the one definition used by allocation writes, provider search and (later)
 * candidate search and claims:
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

export function fits(inv: InventoryState, amount: number): boolean {
  return unitViolation(inv, amount) === null && capacityViolation(inv, amount) === null;
}

/**
 * The same rule as SQL over an `inventories` row alias and an amount expression, for
 * searches that must agree with `fits` exactly.
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

/**
 * The bounds of a provider's free shares over its own inventories with capacity > 0, kept
 * on resource_providers (free_share_max, free_share_min). A candidate's score is a mean of
 * such shares, so it lies between them: the search walks hosts in bound order and stops
 * once no unseen host can beat the best it has. SQL for an UPDATE … SET of
 * `resource_providers`, run after `inventories` changed in an earlier statement.
 */
export const SHARE_BOUNDS_SET = `
  free_share_max = (SELECT max(${freeShareSql('i')}) FROM inventories i WHERE i.provider_id = resource_providers.id AND i.capacity > 0),
  free_share_min = (SELECT min(${freeShareSql('i')}) FROM inventories i WHERE i.provider_id = resource_providers.id AND i.capacity > 0)`;
