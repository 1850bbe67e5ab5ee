/** Collects positional parameters while SQL text is assembled. */
export class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/**
 * A candidate's score as SQL: the mean free share rounded to 12 decimals, so means that are
 * mathematically equal but summed in a different order (0.1+0.2+0.3 vs 0.3+0.2+0.1 differ in
 * the last bit) are one score and tie-break on uuid, as documented.
 */
export const roundedScore = (mean: string) => `(round(${mean} * 1e12::float8) / 1e12::float8)`;

/**
 * An int[] parameter as PostgreSQL's array text (cast it with `::int[]`): the driver would
 * quote and escape every element of a list of thousands (5 ms for 16 000 ids, against 0.2).
 */
export const intArrayText = (ids: readonly number[]): string => `{${ids.join(',')}}`;
