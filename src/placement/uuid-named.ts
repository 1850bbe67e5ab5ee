import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { z } from 'zod';
import { noteSubject } from './audit/trail.js';
import { AlreadyExistsError, InUseError, NotFoundError } from './errors.js';
import { uniqueViolationAs } from './lookups.js';
import { defaultRetryPolicy } from './transactions.js';
import { parseInput, uuidString } from './validation.js';
import type { WriteCaller } from './write-caller.js';
import { writeTransaction } from './write-transaction.js';

// Cells and aggregates: things with a uuid and a unique name, created and deleted the same way.

export const namedEntityInput = z.object({
  uuid: uuidString.nullish(),
  name: z.string().min(1, { message: 'must not be empty' }).max(255, { message: 'must be at most 255 characters' }),
});
export type NamedEntityInput = z.input<typeof namedEntityInput>;

export interface UuidNamedRow {
  id: number;
  uuid: string;
  name: string | null;
}

type Table = 'cells' | 'aggregates';

export async function createUuidNamed(
  pool: pg.Pool,
  table: Table,
  label: string,
  raw: unknown,
  caller?: WriteCaller,
): Promise<UuidNamedRow> {
  const input = parseInput(namedEntityInput, raw);
  const uuid = input.uuid ?? randomUUID();
  return writeTransaction(
    pool,
    async (db) => {
      const byUuid = await db.query(`SELECT 1 FROM ${table} WHERE uuid = $1`, [uuid]);
      if (byUuid.rowCount) throw new AlreadyExistsError(label, 'uuid', uuid);
      const byName = await db.query(`SELECT 1 FROM ${table} WHERE name = $1`, [input.name]);
      if (byName.rowCount) throw new AlreadyExistsError(label, 'name', input.name);
      try {
        const { rows } = await db.query<UuidNamedRow>(
          `INSERT INTO ${table} (uuid, name) VALUES ($1, $2) RETURNING id, uuid, name`,
          [uuid, input.name],
        );
        noteSubject(db, uuid);
        return rows[0]!;
      } catch (error) {
        return uniqueViolationAs(error, {
          [`${table}_uuid_key`]: () => new AlreadyExistsError(label, 'uuid', uuid),
          [`${table}_name_key`]: () => new AlreadyExistsError(label, 'name', input.name),
        });
      }
    },
    defaultRetryPolicy,
    caller,
  );
}

/**
 * Deletes by uuid unless `usedBy` still references the row. The row lock and a
 * referencing insert's foreign-key check exclude each other.
 */
export async function deleteUuidNamed(
  pool: pg.Pool,
  table: Table,
  label: string,
  usedBy: { table: string; column: string; reason: string },
  raw: { uuid: string },
  caller?: WriteCaller,
): Promise<UuidNamedRow> {
  const { uuid } = parseInput(z.object({ uuid: uuidString }), raw);
  return writeTransaction(
    pool,
    async (db) => {
      const { rows } = await db.query<UuidNamedRow>(`SELECT id, uuid, name FROM ${table} WHERE uuid = $1 FOR UPDATE`, [
        uuid,
      ]);
      if (!rows[0]) throw new NotFoundError(label, uuid, 'uuid');
      const used = await db.query(`SELECT 1 FROM ${usedBy.table} WHERE ${usedBy.column} = $1 LIMIT 1`, [rows[0].id]);
      if (used.rowCount) throw new InUseError(label, uuid, usedBy.reason);
      await db.query(`DELETE FROM ${table} WHERE id = $1`, [rows[0].id]);
      noteSubject(db, uuid);
      return rows[0];
    },
    defaultRetryPolicy,
    caller,
  );
}
