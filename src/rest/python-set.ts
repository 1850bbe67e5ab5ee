/**
 * The order in which CPython (3.11, the interpreter Placement 8.0 runs on in Debian) iterates
 * `set(values)` built from non-negative ints: Placement joins such sets into its messages
 * (`', '.join(... for rc_id in rc_ids)`), so the order is part of what a client reads.
 *
 * An int hashes to itself, so the order is the slot order of CPython's open-addressing table:
 * Objects/setobject.c (set_add_entry, set_table_resize, set_insert_clean) re-expressed for ints.
 * Hand-written: no library models CPython's table.
 */

const MIN_SIZE = 8;
const LINEAR_PROBES = 9;
const PERTURB_SHIFT = 5;

/** The slot set_insert_clean / set_add_entry picks for `hash` in `table` (no deleted slots here). */
function freeSlot(table: (number | undefined)[], hash: number): number {
  const mask = table.length - 1;
  let perturb = hash;
  let i = hash & mask;
  for (;;) {
    const probes = i + LINEAR_PROBES <= mask ? LINEAR_PROBES : 0;
    for (let j = 0; j <= probes; j++) if (table[i + j] === undefined) return i + j;
    perturb = Math.floor(perturb / 2 ** PERTURB_SHIFT);
    i = (i * 5 + 1 + perturb) & mask;
  }
}

/** set_table_resize: a table of the smallest power of two above `minUsed`, old slots re-inserted in order. */
function resized(table: (number | undefined)[], minUsed: number): (number | undefined)[] {
  let size = MIN_SIZE;
  while (size <= minUsed) size *= 2;
  const next: (number | undefined)[] = new Array(size).fill(undefined);
  for (const value of table) if (value !== undefined) next[freeSlot(next, value)] = value;
  return next;
}

/** `list(set(values))` in CPython for non-negative ints below 2^31. */
export function pySetOrder(values: Iterable<number>): number[] {
  let table: (number | undefined)[] = new Array(MIN_SIZE).fill(undefined);
  let used = 0;
  for (const value of values) {
    if (table.includes(value)) continue;
    table[freeSlot(table, value)] = value;
    used++;
    // Without deletions fill equals used: CPython grows the table when it is 3/5 full.
    if (used * 5 >= (table.length - 1) * 3) table = resized(table, used > 50000 ? used * 2 : used * 4);
  }
  return table.filter((value): value is number => value !== undefined);
}
