import { noteConsumers, noteProviders } from '../audit/trail.js';
import type { Queryable } from '../transactions.js';
import { lockProviderRows, recountProviders } from './counters.js';
import type { ImportChange, ImportPrune } from './input.js';

/**
 * Removes the consumers and providers in the range that the source no longer has. Runs after
 * the providers and consumers are synced: a provider the source re-parented has left its stale
 * parent by then, so every descendant of a stale provider is stale too (wherever its uuid
 * falls) and goes with it, and every kept consumer holds only its source allocations.
 * Consumers go first (with their allocations), then whatever is left on stale providers, then
 * the providers, in one statement (children with their parents).
 */
export async function prune(db: Queryable, range: ImportPrune): Promise<ImportChange[]> {
  const inRange = 'uuid >= coalesce($2::uuid, uuid) AND ($3::uuid IS NULL OR uuid < $3::uuid)';
  const bounds = [range.fromUuid ?? null, range.toUuid ?? null];
  const staleConsumers = await db.query<{ id: number; uuid: string }>(
    `SELECT id, uuid FROM consumers WHERE ${inRange} AND NOT (uuid = ANY($1::uuid[])) ORDER BY uuid FOR UPDATE`,
    [range.keepConsumers, ...bounds],
  );
  const staleProviders = await db.query<{ id: number; uuid: string }>(
    `WITH RECURSIVE stale(id) AS (
       SELECT id FROM resource_providers WHERE ${inRange} AND NOT (uuid = ANY($1::uuid[]))
       UNION SELECT p.id FROM resource_providers p JOIN stale ON p.parent_provider_id = stale.id)
     SELECT p.id, p.uuid FROM resource_providers p JOIN stale USING (id) ORDER BY p.id FOR UPDATE OF p`,
    [range.keepProviders, ...bounds],
  );
  const changes: ImportChange[] = [];
  const consumerIds = staleConsumers.rows.map((row) => row.id);
  if (consumerIds.length > 0) {
    const { rows: holding } = await db.query<{ providerId: number }>(
      'SELECT DISTINCT provider_id AS "providerId" FROM allocations WHERE consumer_id = ANY($1::bigint[])',
      [consumerIds],
    );
    await lockProviderRows(
      db,
      holding.map((row) => row.providerId),
    );
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
