import { noteProviders } from '../audit/trail.js';
import { InvalidInputError, NotFoundError } from '../errors.js';
import { resourceClassIds, traitIds } from '../lookups.js';
import type { Queryable } from '../transactions.js';
import { recountProviders } from './counters.js';
import type { ImportChange, ImportInventory, ImportProvider } from './input.js';

interface Current {
  id: number;
  name: string;
  generation: number;
  parentUuid: string | null;
  rootId: number;
  cellId: number | null;
}

const INVENTORY_FIELDS = ['total', 'reserved', 'minUnit', 'maxUnit', 'stepSize', 'allocationRatio'] as const;

/**
 * Makes each listed provider equal to the source's, in the order given (parents first):
 * created or renamed and re-parented, its inventories, traits and aggregates replaced, its
 * generation set to the source's. The caller holds the provider-tree lock.
 */
export async function syncProviders(
  db: Queryable,
  providers: readonly ImportProvider[],
  path: string,
): Promise<ImportChange[]> {
  const changes: ImportChange[] = [];
  for (const [index, provider] of providers.entries()) {
    const change = await syncProvider(db, provider, `${path}[${index}]`);
    if (change) changes.push(change);
  }
  return changes;
}

async function syncProvider(db: Queryable, wanted: ImportProvider, field: string): Promise<ImportChange | null> {
  const { rows } = await db.query<Current>(
    `SELECT p.id, p.name, p.generation, parent.uuid AS "parentUuid", p.root_provider_id AS "rootId", p.cell_id AS "cellId"
       FROM resource_providers p LEFT JOIN resource_providers parent ON parent.id = p.parent_provider_id
      WHERE p.uuid = $1 FOR UPDATE OF p`,
    [wanted.uuid],
  );
  const current = rows[0];
  noteProviders(db, [wanted.uuid]);
  // A name held here by another provider (one the source deleted, or one it renamed that a
  // later entry renames too) steps aside under its uuid, which no other provider can hold as a name.
  await db.query('UPDATE resource_providers SET name = uuid::text WHERE name = $1 AND uuid <> $2', [
    wanted.name,
    wanted.uuid,
  ]);
  const parent = wanted.parentProviderUuid ? await findParent(db, wanted.parentProviderUuid, field) : null;
  const detail: string[] = [];
  let id: number;
  if (!current) {
    const inserted = await db.query<{ id: number }>(
      `WITH next AS (SELECT nextval(pg_get_serial_sequence('resource_providers', 'id'))::int AS id)
       INSERT INTO resource_providers (id, uuid, name, generation, cell_id, parent_provider_id, root_provider_id)
       SELECT next.id, $1, $2, $3, $4, $5, COALESCE($6, next.id) FROM next RETURNING id`,
      [wanted.uuid, wanted.name, wanted.generation, parent?.cellId ?? null, parent?.id ?? null, parent?.rootId ?? null],
    );
    id = inserted.rows[0]!.id;
  } else {
    id = current.id;
    if (current.name !== wanted.name) detail.push(`name ${current.name} → ${wanted.name}`);
    const parentUuid = wanted.parentProviderUuid ?? null;
    if (current.parentUuid !== parentUuid) {
      detail.push(`parent ${current.parentUuid ?? 'none'} → ${parentUuid ?? 'none'}`);
      await reparent(db, current, parent, field);
    }
    if (current.name !== wanted.name) {
      await db.query('UPDATE resource_providers SET name = $2 WHERE id = $1', [id, wanted.name]);
    }
  }
  detail.push(...(await syncInventories(db, id, wanted.inventories, field)));
  detail.push(...(await syncTraits(db, id, wanted.traits, field)));
  detail.push(...(await syncAggregates(db, id, wanted.aggregates)));
  await recountProviders(db, [id]);
  if (current && current.generation !== wanted.generation) {
    detail.push(`generation ${current.generation} → ${wanted.generation}`);
  }
  await db.query(
    'UPDATE resource_providers SET generation = $2, updated_at = now() WHERE id = $1 AND generation <> $2',
    [id, wanted.generation],
  );
  if (!current) return { action: 'CREATE', kind: 'PROVIDER', id: wanted.uuid, detail: wanted.name };
  return detail.length > 0 ? { action: 'UPDATE', kind: 'PROVIDER', id: wanted.uuid, detail: detail.join('; ') } : null;
}

interface Parent {
  id: number;
  rootId: number;
  cellId: number | null;
}

async function findParent(db: Queryable, uuid: string, field: string): Promise<Parent> {
  const { rows } = await db.query<Parent>(
    'SELECT id, root_provider_id AS "rootId", cell_id AS "cellId" FROM resource_providers WHERE uuid = $1',
    [uuid],
  );
  if (!rows[0]) throw new NotFoundError('ResourceProvider', uuid, `${field}.parentProviderUuid`);
  return rows[0];
}

/** Moves a provider (and its subtree) under `parent`, or makes it a root that keeps its cell. */
async function reparent(db: Queryable, current: Current, parent: Parent | null, field: string): Promise<void> {
  const { rows } = await db.query<{ id: number }>(
    `WITH RECURSIVE tree(id) AS (
       SELECT $1::int UNION ALL SELECT p.id FROM resource_providers p JOIN tree ON p.parent_provider_id = tree.id)
     SELECT id FROM tree`,
    [current.id],
  );
  const subtree = rows.map((r) => r.id);
  if (parent && subtree.includes(parent.id)) {
    throw new InvalidInputError(
      `${field}.parentProviderUuid`,
      'no-loop',
      `${field}.parentProviderUuid: the parent is a descendant of this provider here; list providers parents first`,
    );
  }
  await db.query('UPDATE resource_providers SET parent_provider_id = $2 WHERE id = $1', [
    current.id,
    parent?.id ?? null,
  ]);
  const rootId = parent?.rootId ?? current.id;
  const cellId = parent ? parent.cellId : current.cellId;
  if (rootId !== current.rootId || cellId !== current.cellId) {
    await db.query('UPDATE resource_providers SET root_provider_id = $2, cell_id = $3 WHERE id = ANY($1::int[])', [
      subtree,
      rootId,
      cellId,
    ]);
  }
}

type InventoryRow = ImportInventory & { classId: number };

async function syncInventories(
  db: Queryable,
  providerId: number,
  wanted: readonly ImportInventory[],
  field: string,
): Promise<string[]> {
  const names = wanted.map((i) => i.resourceClass);
  const classIds = await resourceClassIds(db, names, (i) => `${field}.inventories[${i}].resourceClass`);
  const { rows } = await db.query<InventoryRow>(
    `SELECT rc.name AS "resourceClass", i.resource_class_id AS "classId", i.total, i.reserved, i.min_unit AS "minUnit",
            i.max_unit AS "maxUnit", i.step_size AS "stepSize", i.allocation_ratio AS "allocationRatio"
       FROM inventories i JOIN resource_classes rc ON rc.id = i.resource_class_id
      WHERE i.provider_id = $1 ORDER BY i.id FOR UPDATE OF i`,
    [providerId],
  );
  const existing = new Map(rows.map((row) => [row.resourceClass, row]));
  const detail: string[] = [];
  const removed = rows.filter((row) => !classIds.has(row.resourceClass));
  if (removed.length > 0) {
    const gone = removed.map((row) => row.classId);
    // Allocations here against an inventory the source no longer has belong to consumers whose
    // source allocations differ: the consumers' own sync rewrites them.
    await db.query('DELETE FROM allocations WHERE provider_id = $1 AND resource_class_id = ANY($2::int[])', [
      providerId,
      gone,
    ]);
    await db.query('DELETE FROM inventories WHERE provider_id = $1 AND resource_class_id = ANY($2::int[])', [
      providerId,
      gone,
    ]);
    detail.push(...removed.map((row) => `-inventory ${row.resourceClass}`));
  }
  const changed = wanted.filter((inv) => {
    const row = existing.get(inv.resourceClass);
    if (!row) {
      detail.push(`+inventory ${inv.resourceClass} ${inv.total}`);
      return true;
    }
    const fields = INVENTORY_FIELDS.filter((key) => row[key] !== inv[key]);
    if (fields.length > 0)
      detail.push(
        `inventory ${inv.resourceClass} ${fields.map((key) => `${key} ${row[key]} → ${inv[key]}`).join(', ')}`,
      );
    return fields.length > 0;
  });
  if (changed.length > 0) {
    const columns = [
      changed.map((i) => classIds.get(i.resourceClass)!),
      ...INVENTORY_FIELDS.map((key) => changed.map((i) => i[key])),
    ];
    const given = `unnest($2::int[], $3::int[], $4::int[], $5::int[], $6::int[], $7::int[], $8::float8[])
      AS v(resource_class_id, total, reserved, min_unit, max_unit, step_size, allocation_ratio)`;
    await db.query(
      `UPDATE inventories i SET total = v.total, reserved = v.reserved, min_unit = v.min_unit, max_unit = v.max_unit,
              step_size = v.step_size, allocation_ratio = v.allocation_ratio
         FROM ${given} WHERE i.provider_id = $1 AND i.resource_class_id = v.resource_class_id`,
      [providerId, ...columns],
    );
    await db.query(
      `INSERT INTO inventories (provider_id, resource_class_id, total, reserved, min_unit, max_unit, step_size, allocation_ratio)
       SELECT $1::int, v.* FROM ${given}
        WHERE NOT EXISTS (SELECT 1 FROM inventories i WHERE i.provider_id = $1 AND i.resource_class_id = v.resource_class_id)`,
      [providerId, ...columns],
    );
  }
  return detail;
}

async function syncTraits(
  db: Queryable,
  providerId: number,
  wanted: readonly string[],
  field: string,
): Promise<string[]> {
  const names = [...new Set(wanted)];
  const ids = await traitIds(db, names, (i) => `${field}.traits[${wanted.indexOf(names[i]!)}]`);
  const { rows } = await db.query<{ name: string }>(
    `SELECT t.name FROM provider_traits pt JOIN traits t ON t.id = pt.trait_id WHERE pt.provider_id = $1`,
    [providerId],
  );
  const detail = setDifference('trait', new Set(rows.map((r) => r.name)), new Set(names));
  if (detail.length === 0) return detail;
  await db.query('DELETE FROM provider_traits WHERE provider_id = $1', [providerId]);
  await db.query('INSERT INTO provider_traits (provider_id, trait_id) SELECT $1, unnest($2::int[])', [
    providerId,
    [...ids.values()],
  ]);
  await db.query('UPDATE resource_providers SET trait_ids = $2::int[] WHERE id = $1', [
    providerId,
    [...ids.values()].sort((x, y) => x - y),
  ]);
  return detail;
}

/** Aggregates the source names and we lack are created, as Placement does on first use. */
async function syncAggregates(db: Queryable, providerId: number, wanted: readonly string[]): Promise<string[]> {
  const uuids = [...new Set(wanted)];
  const { rows } = await db.query<{ uuid: string }>(
    'SELECT a.uuid FROM provider_aggregates pa JOIN aggregates a ON a.id = pa.aggregate_id WHERE pa.provider_id = $1',
    [providerId],
  );
  const detail = setDifference('aggregate', new Set(rows.map((r) => r.uuid)), new Set(uuids));
  if (detail.length === 0) return detail;
  await db.query(
    `INSERT INTO aggregates (uuid) SELECT u FROM unnest($1::uuid[]) AS u
      WHERE NOT EXISTS (SELECT 1 FROM aggregates a WHERE a.uuid = u) ORDER BY u ON CONFLICT (uuid) DO NOTHING`,
    [uuids],
  );
  await db.query('DELETE FROM provider_aggregates WHERE provider_id = $1', [providerId]);
  await db.query(
    'INSERT INTO provider_aggregates (provider_id, aggregate_id) SELECT $1, id FROM aggregates WHERE uuid = ANY($2::uuid[])',
    [providerId, uuids],
  );
  return detail;
}

/** `+trait A`, `-trait B` for what `wanted` adds to and drops from `have`, sorted. */
function setDifference(label: string, have: Set<string>, wanted: Set<string>): string[] {
  const added = [...wanted].filter((x) => !have.has(x)).sort();
  const dropped = [...have].filter((x) => !wanted.has(x)).sort();
  return [...added.map((x) => `+${label} ${x}`), ...dropped.map((x) => `-${label} ${x}`)];
}
