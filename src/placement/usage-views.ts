import type pg from 'pg';

/** One total of Placement's GET /usages: a class's allocated sum, per consumer type when grouped. */
export interface UsageTotal {
  resourceClass: string;
  used: number;
  /** The consumers' type (null: none recorded); absent when not grouped by type. */
  consumerType?: string | null;
  /** Distinct consumers with allocations in the group. */
  consumerCount: number;
}

export interface UsageQuery {
  projectId: string;
  userId?: string;
  /**
   * Placement's consumer_type (1.38): undefined groups by type; `all` and `unknown` give one
   * group (unknown: consumers without a type); any other name keeps that type only.
   */
  consumerType?: string;
  /** Group the totals by consumer type (1.38 and later). */
  byType: boolean;
}

/**
 * Allocation totals of a project (and user), as Placement's usage objects compute them:
 * only consumers that hold allocations count.
 */
export async function usageTotals(pool: pg.Pool, query: UsageQuery): Promise<UsageTotal[]> {
  const single = !query.byType || query.consumerType === 'all' || query.consumerType === 'unknown';
  const params = [query.projectId, query.userId ?? null];
  let where = 'c.project_id = $1 AND ($2::text IS NULL OR c.user_id = $2)';
  if (query.byType && query.consumerType === 'unknown') where += ' AND c.consumer_type IS NULL';
  else if (query.byType && !single && query.consumerType !== undefined) {
    params.push(query.consumerType);
    where += ' AND c.consumer_type = $3';
  }
  const from = `allocations a JOIN consumers c ON c.id = a.consumer_id JOIN resource_classes rc ON rc.id = a.resource_class_id
    WHERE ${where}`;
  if (single) {
    const { rows } = await pool.query<UsageTotal>(
      `SELECT rc.name AS "resourceClass", sum(a.used)::float8 AS used,
              (SELECT count(DISTINCT a.consumer_id)::int FROM ${from}) AS "consumerCount"
         FROM ${from} GROUP BY rc.name, rc.id ORDER BY rc.id`,
      params,
    );
    return rows.map((row) => (query.byType ? { ...row, consumerType: query.consumerType ?? null } : row));
  }
  const [totals, counts] = await Promise.all([
    pool.query<Omit<UsageTotal, 'consumerCount'>>(
      `SELECT rc.name AS "resourceClass", sum(a.used)::float8 AS used, c.consumer_type AS "consumerType"
         FROM ${from} GROUP BY rc.name, rc.id, c.consumer_type ORDER BY c.consumer_type, rc.id`,
      params,
    ),
    pool.query<{ consumerType: string | null; consumerCount: number }>(
      `SELECT c.consumer_type AS "consumerType", count(DISTINCT a.consumer_id)::int AS "consumerCount"
         FROM ${from} GROUP BY c.consumer_type`,
      params,
    ),
  ]);
  const countOf = new Map(counts.rows.map((row) => [row.consumerType, row.consumerCount]));
  return totals.rows.map((row) => ({ ...row, consumerCount: countOf.get(row.consumerType ?? null) ?? 0 }));
}
