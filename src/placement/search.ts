import type pg from 'pg';
import { z } from 'zod';
import { fitsSql } from './fit.js';
import { resourceClassIds, traitIds } from './lookups.js';
import { Params } from './sql.js';
import { type Queryable, withClient } from './transactions.js';
import { distinctResourceAmounts, parseInput, referenceName, uuidString } from './validation.js';

/**
 * Provider search for `resourceProviders(filter:)`: every filter is a condition in one SQL
 * statement (the fit rule for `resources`), so the matching set never travels as a list
 * of ids, however many providers match. The statement returns one page of ids in name order;
 * the GraphQL layer loads those rows.
 */

export const providerFilterSchema = z.object({
  name: z.string().max(200).nullish(),
  uuid: uuidString.nullish(),
  cellUuid: uuidString.nullish(),
  inTree: uuidString.nullish(),
  requiredTraits: z.array(referenceName('trait')).max(100).nullish(),
  forbiddenTraits: z.array(referenceName('trait')).max(100).nullish(),
  memberOf: z
    .array(z.array(uuidString).min(1, { message: 'each memberOf list needs at least one aggregate' }).max(100))
    .max(20)
    .nullish(),
  resources: distinctResourceAmounts(100).nullish(),
});
export type ProviderFilter = z.output<typeof providerFilterSchema>;

export function parseProviderFilter(raw: unknown): ProviderFilter {
  return parseInput(providerFilterSchema, raw ?? {}, 'filter');
}

/** Checks that every trait the filter names exists (an unknown one is an input error, not an empty result). */
export async function assertTraitsExist(pool: pg.Pool, filter: ProviderFilter): Promise<void> {
  await withClient(pool, (client) => resolveFilter(client, filter));
}

/** A filter with its trait and class names resolved to ids; an unknown name is a NotFound naming its field. */
interface ResolvedFilter {
  filter: ProviderFilter;
  requiredTraitIds: number[];
  forbiddenTraitIds: number[];
  classIds: number[];
}

async function resolveFilter(db: Queryable, filter: ProviderFilter): Promise<ResolvedFilter> {
  const required = filter.requiredTraits ?? [];
  const forbidden = filter.forbiddenTraits ?? [];
  const classes = (filter.resources ?? []).map((r) => r.resourceClass);
  const requiredIds = await traitIds(db, required, (i) => `filter.requiredTraits[${i}]`);
  const forbiddenIds = await traitIds(db, forbidden, (i) => `filter.forbiddenTraits[${i}]`);
  const classIds = await resourceClassIds(db, classes, (i) => `filter.resources[${i}].resourceClass`);
  return {
    filter,
    requiredTraitIds: required.map((t) => requiredIds.get(t)!),
    forbiddenTraitIds: forbidden.map((t) => forbiddenIds.get(t)!),
    classIds: classes.map((c) => classIds.get(c)!),
  };
}

/** The filter as conditions on provider `p`. */
function filterConditions(r: ResolvedFilter, params: Params): string[] {
  const f = r.filter;
  const out: string[] = [];
  if (f.name != null) out.push(`p.name = ${params.add(f.name)}`);
  if (f.uuid != null) out.push(`p.uuid = ${params.add(f.uuid)}::uuid`);
  if (f.cellUuid != null) out.push(`p.cell_id = (SELECT id FROM cells WHERE uuid = ${params.add(f.cellUuid)}::uuid)`);
  if (f.inTree != null)
    out.push(
      `p.root_provider_id = (SELECT root_provider_id FROM resource_providers WHERE uuid = ${params.add(f.inTree)}::uuid)`,
    );
  // trait_ids is kept in step with provider_traits by its only writer.
  if (r.requiredTraitIds.length) out.push(`p.trait_ids @> ${params.add(r.requiredTraitIds)}::int[]`);
  if (r.forbiddenTraitIds.length) out.push(`NOT (p.trait_ids && ${params.add(r.forbiddenTraitIds)}::int[])`);
  for (const group of f.memberOf ?? [])
    out.push(`EXISTS (SELECT 1 FROM provider_aggregates pa JOIN aggregates a ON a.id = pa.aggregate_id
                       WHERE pa.provider_id = p.id AND a.uuid = ANY(${params.add(group)}::uuid[]))`);
  if (f.resources?.length)
    out.push(`(SELECT count(*) FROM unnest(${params.add(r.classIds)}::int[], ${params.add(f.resources.map((x) => x.amount))}::int[]) AS req(class_id, amount)
                JOIN inventories i ON i.provider_id = p.id AND i.resource_class_id = req.class_id
               WHERE ${fitsSql('i', 'req.amount')}) = ${params.add(f.resources.length)}`);
  return out;
}

/**
 * One page of a provider listing in name order. `take` > 0 reads forward from after
 * `afterName` (or the start), `take` < 0 reads backward from before `beforeName` (or the
 * end); either way the ids come back in ascending name order.
 */
export interface ProviderPage {
  take: number;
  afterName?: string;
  beforeName?: string;
}

export async function providerIdsPage(pool: pg.Pool, filter: ProviderFilter, page: ProviderPage): Promise<number[]> {
  return withClient(pool, async (client) => {
    const params = new Params();
    const conditions = filterConditions(await resolveFilter(client, filter), params);
    if (page.afterName != null) conditions.push(`p.name > ${params.add(page.afterName)}`);
    if (page.beforeName != null) conditions.push(`p.name < ${params.add(page.beforeName)}`);
    const backward = page.take < 0;
    const { rows } = await client.query<{ id: number }>(
      `SELECT p.id FROM resource_providers p WHERE ${conditions.join(' AND ') || 'true'}
        ORDER BY p.name ${backward ? 'DESC' : 'ASC'} LIMIT ${params.add(Math.abs(page.take))}`,
      params.values,
    );
    const ids = rows.map((r) => r.id);
    return backward ? ids.reverse() : ids;
  });
}

/** How many providers the filter matches. */
export async function providerCount(pool: pg.Pool, filter: ProviderFilter): Promise<number> {
  return withClient(pool, async (client) => {
    const params = new Params();
    const conditions = filterConditions(await resolveFilter(client, filter), params);
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM resource_providers p WHERE ${conditions.join(' AND ') || 'true'}`,
      params.values,
    );
    return rows[0]!.n;
  });
}
