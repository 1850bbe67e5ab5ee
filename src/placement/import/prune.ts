import { noteConsumers, noteProviders } from '../audit/trail.js';
import type { Queryable } from '../transactions.js';
import { recountProviders } from './counters.js';
import type { ImportChange } from './input.js';

/**
 * Removes the consumers and providers the source no longer has. Runs after the providers and
 * consumers are synced: a provider the source re-parented has left its stale parent by then,
 * so every descendant of a stale provider is stale too, and every kept consumer holds only
 * its source allocations. Consumers go first (with their allocations), then whatever is left
 * on stale providers, then the providers, in one statement (children with their parents).
 */
export async function prune(
  db: Queryable,
  keepProviders: readonly string[],
  keepConsumers: readonly string[],
): Promise<ImportChange[]> {
  const staleConsumers = await db.query<{ id: number; uuid: string }>(
    'SELECT id, uuid FROM consumers WHERE NOT (uuid = ANY($1::uuid[])) ORDER BY uuid FOR UPDATE',
    [[...keepConsumers]],
  );
  const staleProviders = await db.query<{ id: number; uuid: string }>(
    'SELECT id, uuid FROM resource_providers WHERE NOT (uuid = ANY($1::uuid[])) ORDER BY id FOR UPDATE',
    [[...keepProviders]],
  );
  const changes: ImportChange[] = [];
  const consumerIds = staleConsumers.rows.map((row) => row.id);
  if (consumerIds.length > 0) {
    noteConsumers(
      db,
      staleConsumers.rows.map((row) => row.uuid),
    );
    const touched = await db.query<{ providerId: number }>(
      'DELETE FROM allocations WHERE consumer_id = ANY($1::bigint[]) RETURNING provider_id AS "providerId"',
      [consumerIds],
    );
    await db.query('DELETE FROM consumers WHERE id = ANY($1::bigint[])', [consumerIds]);
    await recountProviders(
      db,
      touched.rows.map((row) => row.providerId),
    );
    changes.push(...staleConsumers.rows.map((row) => remove('CONSUMER', row.uuid)));
  }
  const providerIds = staleProviders.rows.map((row) => row.id);
  if (providerIds.length > 0) {
    noteProviders(
      db,
      staleProviders.rows.map((row) => row.uuid),
    );
    // Left only when the consumers were not synced first: a consumer holding nothing is gone.
    const emptied = await db.query<{ consumerId: number }>(
      'DELETE FROM allocations WHERE provider_id = ANY($1::int[]) RETURNING consumer_id AS "consumerId"',
      [providerIds],
    );
    if (emptied.rowCount) {
      await db.query(
        `DELETE FROM consumers c WHERE c.id = ANY($1::bigint[]) AND NOT EXISTS (SELECT 1 FROM allocations a WHERE a.consumer_id = c.id)`,
        [emptied.rows.map((row) => row.consumerId)],
      );
    }
    await db.query('DELETE FROM resource_providers WHERE id = ANY($1::int[])', [providerIds]);
    changes.push(...staleProviders.rows.map((row) => remove('PROVIDER', row.uuid)));
  }
  return changes;
}

const remove = (kind: 'CONSUMER' | 'PROVIDER', id: string): ImportChange => ({
  action: 'REMOVE',
  kind,
  id,
  detail: '',
});
