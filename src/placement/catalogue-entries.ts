import type pg from 'pg';
import { z } from 'zod';
import { noteSubject } from './audit/trail.js';
import { AlreadyExistsError, InUseError, InvalidInputError, NotFoundError } from './errors.js';
import { uniqueViolationAs } from './lookups.js';
import { defaultRetryPolicy } from './transactions.js';
import { customName, parseInput, referenceName } from './validation.js';
import type { WriteCaller } from './write-caller.js';
import { writeTransaction } from './write-transaction.js';

// Custom resource classes and custom traits: named catalogue entries with the same life
// cycle (create with a unique name, delete unless standard or in use).

export interface CatalogueRow {
  id: number;
  name: string;
  standard: boolean;
}

export type Catalogue = 'resource_classes' | 'traits';
const catalogueLabel: Record<Catalogue, string> = { resource_classes: 'ResourceClass', traits: 'Trait' };
const kindOf = (table: Catalogue) => (table === 'traits' ? 'trait' : 'resource class');

/** Creates a custom entry; a concurrent create of the same name is the same AlreadyExists. */
export async function createCustom(
  pool: pg.Pool,
  table: Catalogue,
  rawName: unknown,
  caller?: WriteCaller,
): Promise<CatalogueRow> {
  const { name } = parseInput(z.object({ name: customName(kindOf(table)) }), { name: rawName });
  return writeTransaction(
    pool,
    async (db) => {
      const existing = await db.query(`SELECT 1 FROM ${table} WHERE name = $1`, [name]);
      if (existing.rowCount) throw new AlreadyExistsError(catalogueLabel[table], 'name', name);
      try {
        const { rows } = await db.query<CatalogueRow>(
          `INSERT INTO ${table} (name) VALUES ($1) RETURNING id, name, standard`,
          [name],
        );
        noteSubject(db, name);
        return rows[0]!;
      } catch (error) {
        return uniqueViolationAs(error, {
          [`${table}_name_key`]: () => new AlreadyExistsError(catalogueLabel[table], 'name', name),
        });
      }
    },
    defaultRetryPolicy,
    caller,
  );
}

/**
 * Deletes a custom entry unless `usedBy` references it. The entry's row lock and the
 * referencing insert's foreign-key check exclude each other, so the usage check cannot
 * miss a reference being added.
 */
export async function deleteCustom(
  pool: pg.Pool,
  table: Catalogue,
  rawName: unknown,
  usedBy: string,
  usedWhat: string,
  caller?: WriteCaller,
): Promise<CatalogueRow> {
  const kind = kindOf(table);
  const { name } = parseInput(z.object({ name: referenceName(kind) }), { name: rawName });
  return writeTransaction(
    pool,
    async (db) => {
      const { rows } = await db.query<CatalogueRow>(
        `SELECT id, name, standard FROM ${table} WHERE name = $1 FOR UPDATE`,
        [name],
      );
      const row = rows[0];
      if (!row) throw new NotFoundError(catalogueLabel[table], name, 'name');
      if (row.standard)
        throw new InvalidInputError(
          'name',
          'standard-immutable',
          `name: ${name} is a standard ${kind} and cannot be deleted`,
        );
      const column = table === 'traits' ? 'trait_id' : 'resource_class_id';
      const used = await db.query(`SELECT 1 FROM ${usedBy} WHERE ${column} = $1 LIMIT 1`, [row.id]);
      if (used.rowCount) throw new InUseError(catalogueLabel[table], name, usedWhat);
      await db.query(`DELETE FROM ${table} WHERE id = $1`, [row.id]);
      noteSubject(db, name);
      return row;
    },
    defaultRetryPolicy,
    caller,
  );
}

export interface CatalogueListing {
  name: string;
  standard: boolean;
  createdAt: Date;
}

/** Every entry of a catalogue: standard ones first in catalogue order, then custom ones as created. */
export async function listCatalogue(pool: pg.Pool, table: Catalogue): Promise<CatalogueListing[]> {
  const { rows } = await pool.query<CatalogueListing>(
    `SELECT name, standard, created_at AS "createdAt" FROM ${table} ORDER BY standard DESC, id`,
  );
  return rows;
}

/** One entry by name, or null. */
export async function findCatalogueEntry(
  pool: pg.Pool,
  table: Catalogue,
  name: string,
): Promise<CatalogueListing | null> {
  const { rows } = await pool.query<CatalogueListing>(
    `SELECT name, standard, created_at AS "createdAt" FROM ${table} WHERE name = $1`,
    [name],
  );
  return rows[0] ?? null;
}

/**
 * Renames a custom entry (Placement's PUT /resource_classes/{name} of microversions 1.2–1.6).
 * A standard entry cannot be renamed; the new name must be free.
 */
export async function renameCustom(
  pool: pg.Pool,
  table: Catalogue,
  from: string,
  rawTo: unknown,
  caller?: WriteCaller,
): Promise<CatalogueRow> {
  const kind = kindOf(table);
  const { to } = parseInput(z.object({ to: customName(kind) }), { to: rawTo });
  return writeTransaction(
    pool,
    async (db) => {
      const { rows } = await db.query<CatalogueRow>(
        `SELECT id, name, standard FROM ${table} WHERE name = $1 FOR UPDATE`,
        [from],
      );
      const row = rows[0];
      if (!row) throw new NotFoundError(catalogueLabel[table], from, 'name');
      if (row.standard)
        throw new InvalidInputError(
          'name',
          'standard-immutable',
          `name: ${from} is a standard ${kind} and cannot be changed`,
        );
      if (to === from) return row;
      const taken = await db.query(`SELECT 1 FROM ${table} WHERE name = $1`, [to]);
      if (taken.rowCount) throw new AlreadyExistsError(catalogueLabel[table], 'name', to);
      try {
        await db.query(`UPDATE ${table} SET name = $2 WHERE id = $1`, [row.id, to]);
      } catch (error) {
        uniqueViolationAs(error, {
          [`${table}_name_key`]: () => new AlreadyExistsError(catalogueLabel[table], 'name', to),
        });
      }
      noteSubject(db, from);
      noteSubject(db, to);
      return { ...row, name: to };
    },
    defaultRetryPolicy,
    caller,
  );
}
