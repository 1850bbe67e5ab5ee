import type pg from 'pg';
import { z } from 'zod';
import { fitsSql } from './fit.js';
import { resourceClassIds, traitIds } from './lookups.js';
import { withClient } from './transactions.js';
import { distinctResourceAmounts, parseInput, referenceName, uuidString } from './validation.js';

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
  return withClient(pool, async (client) => {
    const required = filter.requiredTraits ?? [];
    const forbidden = filter.forbiddenTraits ?? [];
    await traitIds(client, required, (i) => `filter.requiredTraits[${i}]`);
    await traitIds(client, forbidden, (i) => `filter.forbiddenTraits[${i}]`);
  });
}

/**
 * Ids of providers that can take every listed amount right now, by the shared fit rule.
 * Each class must be satisfied by the provider's own inventory.
 */
export async function providerIdsWithRoomFor(
  pool: pg.Pool,
  resources: NonNullable<ProviderFilter['resources']>,
): Promise<number[]> {
  return withClient(pool, async (client) => {
    const names = resources.map((r) => r.resourceClass);
    const ids = await resourceClassIds(client, names, (i) => `filter.resources[${i}].resourceClass`);
    const { rows } = await client.query<{ provider_id: number }>(
      `SELECT i.provider_id FROM inventories i
         JOIN unnest($1::int[], $2::int[]) AS r(class_id, amount) ON i.resource_class_id = r.class_id
        WHERE ${fitsSql('i', 'r.amount')}
        GROUP BY i.provider_id HAVING count(*) = $3`,
      [names.map((n) => ids.get(n)!), resources.map((r) => r.amount), names.length],
    );
    return rows.map((r) => r.provider_id);
  });
}
