import type pg from 'pg';
import { createUuidNamed, deleteUuidNamed, type NamedEntityInput } from './uuid-named.js';
import type { WriteCaller } from './write-caller.js';

export const createCell = (pool: pg.Pool, raw: NamedEntityInput, caller?: WriteCaller) =>
  createUuidNamed(pool, 'cells', 'Cell', raw, caller);

/** Deletes a cell that no provider is in. */
export const deleteCell = (pool: pg.Pool, raw: { uuid: string }, caller?: WriteCaller) =>
  deleteUuidNamed(
    pool,
    'cells',
    'Cell',
    { table: 'resource_providers', column: 'cell_id', reason: 'providers are in it; move or delete them first' },
    raw,
    caller,
  );
