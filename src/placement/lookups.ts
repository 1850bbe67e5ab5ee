import { noteProviders } from './audit/trail.js';
import { type AlreadyExistsError, GenerationConflictError, NotFoundError } from './errors.js';
import type { Queryable } from './transactions.js';

export interface ProviderRow {
  id: number;
  uuid: string;
  name: string;
  generation: number;
  parentId: number | null;
  rootId: number;
  cellId: number | null;
}

const PROVIDER_COLUMNS = `id, uuid, name, generation, parent_provider_id AS "parentId",
  root_provider_id AS "rootId", cell_id AS "cellId"`;

/** Loads a provider by uuid and locks its row for the rest of the transaction (it is about to change: audited). */
export async function lockProvider(db: Queryable, uuid: string, field: string): Promise<ProviderRow> {
  const { rows } = await db.query<ProviderRow>(
    `SELECT ${PROVIDER_COLUMNS} FROM resource_providers WHERE uuid = $1 FOR UPDATE`,
    [uuid],
  );
  if (!rows[0]) throw new NotFoundError('ResourceProvider', uuid, field);
  noteProviders(db, [rows[0].uuid]);
  return rows[0];
}

export async function findProvider(db: Queryable, uuid: string, field: string): Promise<ProviderRow> {
  const { rows } = await db.query<ProviderRow>(`SELECT ${PROVIDER_COLUMNS} FROM resource_providers WHERE uuid = $1`, [
    uuid,
  ]);
  if (!rows[0]) throw new NotFoundError('ResourceProvider', uuid, field);
  return rows[0];
}

/** Guards a provider-generation-checked write: locks the row, compares, bumps. */
export async function checkAndBumpGeneration(db: Queryable, uuid: string, expected: number): Promise<ProviderRow> {
  const provider = await lockProvider(db, uuid, 'providerUuid');
  if (provider.generation !== expected) {
    throw new GenerationConflictError(provider.uuid, expected, provider.generation);
  }
  await db.query('UPDATE resource_providers SET generation = generation + 1, updated_at = now() WHERE id = $1', [
    provider.id,
  ]);
  return { ...provider, generation: provider.generation + 1 };
}

export async function findCellId(db: Queryable, uuid: string, field: string): Promise<number> {
  const { rows } = await db.query<{ id: number }>('SELECT id FROM cells WHERE uuid = $1', [uuid]);
  if (!rows[0]) throw new NotFoundError('Cell', uuid, field);
  return rows[0].id;
}

/** Resolves class names to ids in one query; the first unknown one is a NotFound on its field. */
export async function resourceClassIds(
  db: Queryable,
  names: readonly string[],
  fieldOf: (index: number) => string,
): Promise<Map<string, number>> {
  const { rows } = await db.query<{ id: number; name: string }>(
    'SELECT id, name FROM resource_classes WHERE name = ANY($1::text[])',
    [names],
  );
  const ids = new Map(rows.map((r) => [r.name, r.id]));
  names.forEach((name, index) => {
    if (!ids.has(name)) throw new NotFoundError('ResourceClass', name, fieldOf(index));
  });
  return ids;
}

export async function traitIds(
  db: Queryable,
  names: readonly string[],
  fieldOf: (index: number) => string,
): Promise<Map<string, number>> {
  const { rows } = await db.query<{ id: number; name: string }>(
    'SELECT id, name FROM traits WHERE name = ANY($1::text[])',
    [names],
  );
  const ids = new Map(rows.map((r) => [r.name, r.id]));
  names.forEach((name, index) => {
    if (!ids.has(name)) throw new NotFoundError('Trait', name, fieldOf(index));
  });
  return ids;
}

/** Maps a unique violation raised by a concurrent writer to the same error a pre-check gives. */
export function uniqueViolationAs(error: unknown, byConstraint: Record<string, () => AlreadyExistsError>): never {
  const pgError = error as { code?: string; constraint?: string };
  if (pgError.code === '23505' && pgError.constraint && byConstraint[pgError.constraint]) {
    throw byConstraint[pgError.constraint]!();
  }
  throw error;
}
