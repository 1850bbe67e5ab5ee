import type pg from 'pg';
import { z } from 'zod';
import { externalId, parseInput, referenceName } from './validation.js';

const usagesInput = z.object({
  projectId: externalId('projectId'),
  userId: externalId('userId').nullish(),
  consumerType: referenceName('consumer type').nullish(),
});

export interface UsageSummary {
  consumerCount: number;
  usages: { resourceClass: string; used: number }[];
}

/** Sums allocations per resource class over a project's consumers (optionally one user / type). */
export async function usages(pool: pg.Pool, raw: z.input<typeof usagesInput>): Promise<UsageSummary> {
  const input = parseInput(usagesInput, raw);
  const params = [input.projectId, input.userId ?? null, input.consumerType ?? null];
  const where = `c.project_id = $1 AND ($2::text IS NULL OR c.user_id = $2) AND ($3::text IS NULL OR c.consumer_type = $3)`;
  const [totals, count] = await Promise.all([
    pool.query<{ resourceClass: string; used: number }>(
      `SELECT rc.name AS "resourceClass", sum(a.used)::bigint AS used
         FROM consumers c JOIN allocations a ON a.consumer_id = c.id JOIN resource_classes rc ON rc.id = a.resource_class_id
        WHERE ${where} GROUP BY rc.name ORDER BY rc.name`,
      params,
    ),
    pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM consumers c WHERE ${where}`, params),
  ]);
  return { consumerCount: count.rows[0]?.n ?? 0, usages: totals.rows };
}
