import type pg from 'pg';
import { z } from 'zod';
import { type CatalogueListing, createCustom, deleteCustom, findCatalogueEntry } from './catalogue-entries.js';
import { checkAndBumpGeneration, type ProviderRow, traitIds } from './lookups.js';
import { defaultRetryPolicy } from './transactions.js';
import { int32, parseInput, referenceName, uuidString } from './validation.js';
import type { WriteCaller } from './write-caller.js';
import { writeTransaction } from './write-transaction.js';

export const createTrait = (pool: pg.Pool, name: unknown, caller?: WriteCaller) =>
  createCustom(pool, 'traits', name, caller);
export const deleteTrait = (pool: pg.Pool, name: unknown, caller?: WriteCaller) =>
  deleteCustom(pool, 'traits', name, 'provider_traits', 'providers carry it', caller);

const setProviderTraitsInput = z.object({
  providerUuid: uuidString,
  generation: int32(0),
  traits: z.array(referenceName('trait')).max(1000, { message: 'at most 1000 traits' }),
});

/** Replaces a provider's traits (generation-checked, under the provider's row lock). */
export async function setProviderTraits(
  pool: pg.Pool,
  raw: z.input<typeof setProviderTraitsInput>,
  caller?: WriteCaller,
): Promise<ProviderRow> {
  const input = parseInput(setProviderTraitsInput, raw);
  const names = [...new Set(input.traits)];
  return writeTransaction(
    pool,
    async (db) => {
      const provider = await checkAndBumpGeneration(db, input.providerUuid, input.generation);
      const ids = await traitIds(db, names, (i) => `traits[${input.traits.indexOf(names[i]!)}]`);
      await db.query('DELETE FROM provider_traits WHERE provider_id = $1', [provider.id]);
      await db.query('INSERT INTO provider_traits (provider_id, trait_id) SELECT $1, unnest($2::int[])', [
        provider.id,
        [...ids.values()],
      ]);
      await db.query('UPDATE resource_providers SET trait_ids = $2::int[] WHERE id = $1', [
        provider.id,
        [...ids.values()].sort((x, y) => x - y),
      ]);
      return provider;
    },
    defaultRetryPolicy,
    caller,
  );
}

export interface TraitFilters {
  /** Only these names. */
  names?: readonly string[];
  /** Only names starting with this. */
  prefix?: string;
  /** true: carried by some provider; false: by none. */
  associated?: boolean;
}

/** Traits matching the filters, standard ones first in catalogue order, then custom ones as created. */
export async function listTraits(pool: pg.Pool, filters: TraitFilters = {}): Promise<CatalogueListing[]> {
  const { rows } = await pool.query<CatalogueListing>(
    `SELECT t.name, t.standard, t.created_at AS "createdAt" FROM traits t
      WHERE ($1::text[] IS NULL OR t.name = ANY($1::text[]))
        AND ($2::text IS NULL OR starts_with(t.name, $2))
        AND ($3::boolean IS NULL OR EXISTS (SELECT 1 FROM provider_traits pt WHERE pt.trait_id = t.id) = $3)
      ORDER BY t.standard DESC, t.id`,
    [filters.names ?? null, filters.prefix ?? null, filters.associated ?? null],
  );
  return rows;
}

export const findTrait = (pool: pg.Pool, name: string) => findCatalogueEntry(pool, 'traits', name);

/** A provider's traits, by name, with their creation times (Last-Modified of Placement's answers). */
export async function providerTraits(pool: pg.Pool, providerId: number): Promise<CatalogueListing[]> {
  const { rows } = await pool.query<CatalogueListing>(
    `SELECT t.name, t.standard, t.created_at AS "createdAt" FROM provider_traits pt JOIN traits t ON t.id = pt.trait_id
      WHERE pt.provider_id = $1 ORDER BY t.standard DESC, t.id`,
    [providerId],
  );
  return rows;
}
