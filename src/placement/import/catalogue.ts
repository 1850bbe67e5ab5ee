import { noteSubject } from '../audit/trail.js';
import { InUseError } from '../errors.js';
import type { Queryable } from '../transactions.js';
import type { ImportChange } from './input.js';

type Table = 'resource_classes' | 'traits';
const KIND = { resource_classes: 'RESOURCE_CLASS', traits: 'TRAIT' } as const;

/**
 * Adds the classes or traits the source has and we lack, in the order given (the source's:
 * Placement lists resource classes in creation order). A CUSTOM_ name is custom here too;
 * any other is a standard entry of the source's catalogue (os-traits and os-resource-classes
 * are larger than ours), kept as standard.
 */
export async function addCatalogueEntries(
  db: Queryable,
  table: Table,
  names: readonly string[],
): Promise<ImportChange[]> {
  if (names.length === 0) return [];
  const { rows } = await db.query<{ name: string }>(
    `INSERT INTO ${table} (name, standard)
     SELECT n, n NOT LIKE 'CUSTOM\\_%' FROM unnest($1::text[]) WITH ORDINALITY AS given(n, position) ORDER BY position
     ON CONFLICT (name) DO NOTHING RETURNING name`,
    [[...new Set(names)]],
  );
  for (const row of rows) noteSubject(db, row.name);
  return rows.map((row) => ({ action: 'CREATE', kind: KIND[table], id: row.name, detail: '' }));
}

const USED_BY = {
  resource_classes: [
    {
      sql: 'SELECT 1 FROM inventories WHERE resource_class_id = $1 UNION ALL SELECT 1 FROM allocations WHERE resource_class_id = $1 LIMIT 1',
      reason: 'inventories use it',
    },
  ],
  traits: [{ sql: 'SELECT 1 FROM provider_traits WHERE trait_id = $1 LIMIT 1', reason: 'providers carry it' }],
} as const;

/**
 * Removes the custom entries the source no longer has. Standard entries are never removed.
 * Runs after the providers are synced, so an entry still in use here is in use by something
 * the source does not know: refused as InUse rather than removed with it.
 */
export async function pruneCatalogueEntries(
  db: Queryable,
  table: Table,
  keep: readonly string[],
): Promise<ImportChange[]> {
  const { rows } = await db.query<{ id: number; name: string }>(
    `SELECT id, name FROM ${table} WHERE NOT standard AND NOT (name = ANY($1::text[])) ORDER BY name FOR UPDATE`,
    [[...keep]],
  );
  for (const row of rows) {
    for (const check of USED_BY[table]) {
      const used = await db.query(check.sql, [row.id]);
      if (used.rowCount) throw new InUseError(table === 'traits' ? 'Trait' : 'ResourceClass', row.name, check.reason);
    }
  }
  if (rows.length > 0) {
    await db.query(`DELETE FROM ${table} WHERE id = ANY($1::int[])`, [rows.map((r) => r.id)]);
    noteSubject(db, rows[0]!.name);
  }
  return rows.map((row) => ({ action: 'REMOVE', kind: KIND[table], id: row.name, detail: '' }));
}
