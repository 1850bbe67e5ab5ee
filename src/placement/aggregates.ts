import type pg from 'pg';
import { z } from 'zod';
import { checkAndBumpGeneration, lockProvider, type ProviderRow } from './lookups.js';
import { defaultRetryPolicy } from './transactions.js';
import { createUuidNamed, deleteUuidNamed, type NamedEntityInput } from './uuid-named.js';
import { int32, parseInput, uuidString } from './validation.js';
import type { WriteCaller } from './write-caller.js';
import { writeTransaction } from './write-transaction.js';

export const createAggregate = (pool: pg.Pool, raw: NamedEntityInput, caller?: WriteCaller) =>
  createUuidNamed(pool, 'aggregates', 'Aggregate', raw, caller);

/** Deletes an aggregate no provider is a member of. */
export const deleteAggregate = (pool: pg.Pool, raw: { uuid: string }, caller?: WriteCaller) =>
  deleteUuidNamed(
    pool,
    'aggregates',
    'Aggregate',
    { table: 'provider_aggregates', column: 'aggregate_id', reason: 'providers are members of it' },
    raw,
    caller,
  );

const setProviderAggregatesInput = z.object({
  providerUuid: uuidString,
  generation: int32(0),
  aggregates: z.array(uuidString).max(1000, { message: 'at most 1000 aggregates' }),
  // Placement's REST API before 1.19 replaces aggregates without a generation check or bump.
  keepGeneration: z.boolean().optional(),
});

/**
 * Replaces a provider's aggregates (generation-checked); unknown aggregate uuids are
 * created, as in Placement. Only the unknown ones reach the INSERT, so known aggregates
 * draw no id from the sequence; ON CONFLICT covers one created concurrently meanwhile, and
 * inserting in uuid order keeps two such writers from waiting on each other in a cycle.
 */
export async function setProviderAggregates(
  pool: pg.Pool,
  raw: z.input<typeof setProviderAggregatesInput>,
  caller?: WriteCaller,
): Promise<ProviderRow> {
  const input = parseInput(setProviderAggregatesInput, raw);
  const uuids = [...new Set(input.aggregates)];
  return writeTransaction(
    pool,
    async (db) => {
      const provider = input.keepGeneration
        ? await lockProvider(db, input.providerUuid, 'providerUuid')
        : await checkAndBumpGeneration(db, input.providerUuid, input.generation);
      await db.query(
        `INSERT INTO aggregates (uuid)
       SELECT u FROM unnest($1::uuid[]) AS u WHERE NOT EXISTS (SELECT 1 FROM aggregates a WHERE a.uuid = u)
       ORDER BY u ON CONFLICT (uuid) DO NOTHING`,
        [uuids],
      );
      await db.query('DELETE FROM provider_aggregates WHERE provider_id = $1', [provider.id]);
      await db.query(
        'INSERT INTO provider_aggregates (provider_id, aggregate_id) SELECT $1, id FROM aggregates WHERE uuid = ANY($2::uuid[])',
        [provider.id, uuids],
      );
      return provider;
    },
    defaultRetryPolicy,
    caller,
  );
}

/** The uuids of the aggregates a provider is a member of. */
export async function providerAggregateUuids(pool: pg.Pool, providerId: number): Promise<string[]> {
  const { rows } = await pool.query<{ uuid: string }>(
    `SELECT a.uuid FROM provider_aggregates pa JOIN aggregates a ON a.id = pa.aggregate_id
      WHERE pa.provider_id = $1 ORDER BY a.uuid`,
    [providerId],
  );
  return rows.map((row) => row.uuid);
}
