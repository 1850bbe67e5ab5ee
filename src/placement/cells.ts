import type pg from 'pg';
import { createUuidNamed, deleteUuidNamed, type NamedEntityInput } from './uuid-named.js';

export const createCell = (pool: pg.Pool, raw: NamedEntityInput) => createUuidNamed(pool, 'cells', 'Cell', raw);

/** Deletes a cell that no provider is in. */
export const deleteCell = (pool: pg.Pool, raw: { uuid: string }) =>
  deleteUuidNamed(
    pool,
    'cells',
    'Cell',
    { table: 'resource_providers', column: 'cell_id', reason: 'providers are in it; move or delete them first' },
    raw,
  );
