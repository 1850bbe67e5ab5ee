import { noteConsumers, noteProviders } from '../audit/trail.js';
import { InvalidInputError, NotFoundError } from '../errors.js';
import { resourceClassIds } from '../lookups.js';
import type { Queryable } from '../transactions.js';
import { lockProviderRows, recountProviders } from './counters.js';
import type { ImportChange, ImportConsumer } from './input.js';

interface Current {
  id: number;
  projectId: string;
  userId: string;
  consumerType: string | null;
  generation: number;
}

interface AllocationRow {
  providerId: number;
  providerUuid: string;
  resourceClass: string;
  used: number;
}

const key = (providerUuid: string, resourceClass: string) => `${providerUuid}/${resourceClass}`;

/**
 * Makes each listed consumer equal to the source's: owner, type, generation and allocations.
 * Allocations are copied as they are, without the fit rule: the source's state is the
 * truth, and Placement keeps allocations an inventory shrunk below (its capacity warning).
 * Provider generations are left alone: the providers' own entries carry the source's.
 */
export async function syncConsumers(
  db: Queryable,
  consumers: readonly ImportConsumer[],
  path: string,
): Promise<ImportChange[]> {
  const changes: ImportChange[] = [];
  // Locked in uuid order, as every allocation writer does.
  const ordered = [...consumers.entries()].sort(([, a], [, b]) => a.uuid.localeCompare(b.uuid));
  for (const [index, consumer] of ordered) {
    const change = await syncConsumer(db, consumer, `${path}[${index}]`);
    if (change) changes.push(change);
  }
  return changes;
}

async function syncConsumer(db: Queryable, wanted: ImportConsumer, field: string): Promise<ImportChange | null> {
  const { rows } = await db.query<Current>(
    `SELECT id, project_id AS "projectId", user_id AS "userId", consumer_type AS "consumerType", generation
       FROM consumers WHERE uuid = $1 FOR UPDATE`,
    [wanted.uuid],
  );
  const current = rows[0];
  noteConsumers(db, [wanted.uuid]);
  const providerIds = await providerIdsOf(db, wanted, field);
  const classIds = await resourceClassIds(
    db,
    wanted.allocations.map((a) => a.resourceClass),
    (i) => `${field}.allocations[${i}].resourceClass`,
  );
  const consumerType = wanted.consumerType ?? null;
  const detail: string[] = [];
  let id: number;
  let before: AllocationRow[] = [];
  if (current) {
    id = current.id;
    if (current.projectId !== wanted.projectId) detail.push(`project ${current.projectId} → ${wanted.projectId}`);
    if (current.userId !== wanted.userId) detail.push(`user ${current.userId} → ${wanted.userId}`);
    if (current.consumerType !== consumerType)
      detail.push(`type ${current.consumerType ?? 'none'} → ${consumerType ?? 'none'}`);
    if (current.generation !== wanted.generation)
      detail.push(`generation ${current.generation} → ${wanted.generation}`);
    before = (
      await db.query<AllocationRow>(
        `SELECT a.provider_id AS "providerId", p.uuid AS "providerUuid", rc.name AS "resourceClass", a.used
           FROM allocations a JOIN resource_providers p ON p.id = a.provider_id
           JOIN resource_classes rc ON rc.id = a.resource_class_id WHERE a.consumer_id = $1`,
        [id],
      )
    ).rows;
    await db.query(
      `UPDATE consumers SET project_id = $2, user_id = $3, consumer_type = $4, generation = $5, updated_at = now()
        WHERE id = $1 AND (project_id, user_id, consumer_type, generation) IS DISTINCT FROM ($2, $3, $4, $5)`,
      [id, wanted.projectId, wanted.userId, consumerType, wanted.generation],
    );
  } else {
    const inserted = await db.query<{ id: number }>(
      `INSERT INTO consumers (uuid, project_id, user_id, consumer_type, generation) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [wanted.uuid, wanted.projectId, wanted.userId, consumerType, wanted.generation],
    );
    id = inserted.rows[0]!.id;
  }
  const allocationDetail = compareAllocations(before, wanted);
  if (allocationDetail.length > 0 || !current) {
    await lockProviderRows(db, [...before.map((row) => row.providerId), ...providerIds.values()]);
    await db.query('DELETE FROM allocations WHERE consumer_id = $1', [id]);
    await insertAllocations(db, id, wanted, providerIds, classIds, field);
    await recountProviders(db, [...before.map((row) => row.providerId), ...providerIds.values()]);
    detail.push(...allocationDetail);
  }
  if (!current) return { action: 'CREATE', kind: 'CONSUMER', id: wanted.uuid, detail: allocationDetail.join('; ') };
  return detail.length > 0 ? { action: 'UPDATE', kind: 'CONSUMER', id: wanted.uuid, detail: detail.join('; ') } : null;
}

async function providerIdsOf(db: Queryable, wanted: ImportConsumer, field: string): Promise<Map<string, number>> {
  const uuids = [...new Set(wanted.allocations.map((a) => a.providerUuid))];
  const { rows } = await db.query<{ id: number; uuid: string }>(
    'SELECT id, uuid FROM resource_providers WHERE uuid = ANY($1::uuid[])',
    [uuids],
  );
  const ids = new Map(rows.map((row) => [row.uuid, row.id]));
  noteProviders(db, uuids);
  wanted.allocations.forEach((allocation, i) => {
    if (!ids.has(allocation.providerUuid))
      throw new NotFoundError('ResourceProvider', allocation.providerUuid, `${field}.allocations[${i}].providerUuid`);
  });
  return ids;
}

/** `+alloc <provider>/VCPU 2`, `-alloc …`, `alloc … 2 → 4`; empty when they are the same. */
function compareAllocations(before: readonly AllocationRow[], wanted: ImportConsumer): string[] {
  const had = new Map(before.map((row) => [key(row.providerUuid, row.resourceClass), row.used]));
  const want = new Map(wanted.allocations.map((a) => [key(a.providerUuid, a.resourceClass), a.used]));
  const detail: string[] = [];
  for (const [pair, used] of [...want].sort()) {
    const old = had.get(pair);
    if (old === undefined) detail.push(`+allocation ${pair} ${used}`);
    else if (old !== used) detail.push(`allocation ${pair} ${old} → ${used}`);
  }
  for (const pair of [...had.keys()].sort()) if (!want.has(pair)) detail.push(`-allocation ${pair}`);
  return detail;
}

async function insertAllocations(
  db: Queryable,
  consumerId: number,
  wanted: ImportConsumer,
  providerIds: Map<string, number>,
  classIds: Map<string, number>,
  field: string,
): Promise<void> {
  const seen = new Set<string>();
  wanted.allocations.forEach((a, i) => {
    const pair = key(a.providerUuid, a.resourceClass);
    if (seen.has(pair))
      throw new InvalidInputError(
        `${field}.allocations[${i}]`,
        'unique',
        `${field}.allocations[${i}]: ${pair} is listed twice`,
      );
    seen.add(pair);
  });
  const { rows } = await db.query<{ inserted: number }>(
    `INSERT INTO allocations (consumer_id, provider_id, resource_class_id, used)
     SELECT $1, v.provider_id, v.class_id, v.used
       FROM unnest($2::int[], $3::int[], $4::int[]) AS v(provider_id, class_id, used)
      WHERE EXISTS (SELECT 1 FROM inventories i WHERE i.provider_id = v.provider_id AND i.resource_class_id = v.class_id)
     RETURNING 1 AS inserted`,
    [
      consumerId,
      wanted.allocations.map((a) => providerIds.get(a.providerUuid)!),
      wanted.allocations.map((a) => classIds.get(a.resourceClass)!),
      wanted.allocations.map((a) => a.used),
    ],
  );
  if (rows.length === wanted.allocations.length) return;
  // Some pair has no inventory here: name the first one.
  for (const [i, a] of wanted.allocations.entries()) {
    const found = await db.query('SELECT 1 FROM inventories WHERE provider_id = $1 AND resource_class_id = $2', [
      providerIds.get(a.providerUuid),
      classIds.get(a.resourceClass),
    ]);
    if (!found.rowCount)
      throw new InvalidInputError(
        `${field}.allocations[${i}].resourceClass`,
        'inventory-exists',
        `${field}.allocations[${i}].resourceClass: provider ${a.providerUuid} has no ${a.resourceClass} inventory; import the providers first`,
      );
  }
}
