import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { z } from 'zod';
import { noteProviders } from './audit/trail.js';
import {
  AlreadyExistsError,
  GenerationConflictError,
  InUseError,
  InvalidInputError,
  ProviderHasChildrenError,
} from './errors.js';
import { findCellId, findProvider, lockProvider, type ProviderRow, uniqueViolationAs } from './lookups.js';
import { defaultRetryPolicy, type Queryable } from './transactions.js';
import { int32, parseInput, providerName, uuidString } from './validation.js';
import type { WriteCaller } from './write-caller.js';
import { lockProviderTrees, writeTransaction } from './write-transaction.js';

const createProviderInput = z.object({
  uuid: uuidString.nullish(),
  name: providerName,
  parentProviderUuid: uuidString.nullish(),
  cellUuid: uuidString.nullish(),
});
export type CreateProviderInput = z.input<typeof createProviderInput>;

const updateProviderInput = z.object({
  uuid: uuidString,
  generation: int32(0).nullish(),
  name: providerName.nullish(),
  // undefined: unchanged; null: becomes a root
  parentProviderUuid: uuidString.nullish(),
  cellUuid: uuidString.nullish(),
  // Placement's REST API: a rename or re-parent leaves the generation as it is.
  keepGeneration: z.boolean().optional(),
});
export type UpdateProviderInput = z.input<typeof updateProviderInput>;

const deleteProviderInput = z.object({ uuid: uuidString, generation: int32(0).nullish() });
export type DeleteProviderInput = z.input<typeof deleteProviderInput>;

const providerUniques = (name: string, uuid: string) => ({
  resource_providers_name_key: () => new AlreadyExistsError('ResourceProvider', 'name', name),
  resource_providers_uuid_key: () => new AlreadyExistsError('ResourceProvider', 'uuid', uuid),
});

async function assertNameFree(db: Queryable, name: string, exceptId: number | null): Promise<void> {
  const { rowCount } = await db.query('SELECT 1 FROM resource_providers WHERE name = $1 AND id IS DISTINCT FROM $2', [
    name,
    exceptId,
  ]);
  if (rowCount) throw new AlreadyExistsError('ResourceProvider', 'name', name);
}

/** Creates a root provider or a child; a child joins its parent's tree and cell. */
export async function createProvider(
  pool: pg.Pool,
  raw: CreateProviderInput,
  caller?: WriteCaller,
): Promise<ProviderRow> {
  const input = parseInput(createProviderInput, raw);
  const uuid = input.uuid ?? randomUUID();
  if (input.parentProviderUuid && input.parentProviderUuid === uuid) {
    throw new InvalidInputError(
      'parentProviderUuid',
      'not-self',
      'parentProviderUuid: a provider cannot be its own parent',
    );
  }
  return writeTransaction(
    pool,
    async (db) => {
      // A child takes its tree's root and cell from its parent: no tree may change shape meanwhile.
      if (input.parentProviderUuid) await lockProviderTrees(db);
      const { rowCount } = await db.query('SELECT 1 FROM resource_providers WHERE uuid = $1', [uuid]);
      if (rowCount) throw new AlreadyExistsError('ResourceProvider', 'uuid', uuid);
      await assertNameFree(db, input.name, null);
      let cellId = input.cellUuid ? await findCellId(db, input.cellUuid, 'cellUuid') : null;
      let parent: ProviderRow | null = null;
      if (input.parentProviderUuid) {
        parent = await findProvider(db, input.parentProviderUuid, 'parentProviderUuid');
        if (input.cellUuid && cellId !== parent.cellId) {
          throw new InvalidInputError(
            'cellUuid',
            'same-cell-as-parent',
            "cellUuid: a child provider is always in its parent's cell",
          );
        }
        cellId = parent.cellId;
      }
      try {
        const { rows } = await db.query<ProviderRow>(
          `WITH next AS (SELECT nextval(pg_get_serial_sequence('resource_providers', 'id'))::int AS id)
         INSERT INTO resource_providers (id, uuid, name, cell_id, parent_provider_id, root_provider_id)
         SELECT next.id, $1, $2, $3, $4, COALESCE($5, next.id) FROM next
         RETURNING id, uuid, name, generation, parent_provider_id AS "parentId", root_provider_id AS "rootId", cell_id AS "cellId"`,
          [uuid, input.name, cellId, parent?.id ?? null, parent?.rootId ?? null],
        );
        noteProviders(db, [uuid]);
        return rows[0]!;
      } catch (error) {
        return uniqueViolationAs(error, providerUniques(input.name, uuid));
      }
    },
    defaultRetryPolicy,
    caller,
  );
}

async function subtreeIds(db: Queryable, providerId: number): Promise<number[]> {
  const { rows } = await db.query<{ id: number }>(
    `WITH RECURSIVE tree(id) AS (
       SELECT $1::int UNION ALL
       SELECT p.id FROM resource_providers p JOIN tree ON p.parent_provider_id = tree.id)
     SELECT id FROM tree`,
    [providerId],
  );
  return rows.map((r) => r.id);
}

/**
 * Renames, re-parents (with loop check) or moves a root's tree to another cell.
 * The generation, when given, is checked; every successful update bumps it.
 */
export async function updateProvider(
  pool: pg.Pool,
  raw: UpdateProviderInput,
  caller?: WriteCaller,
): Promise<ProviderRow> {
  const input = parseInput(updateProviderInput, raw);
  return writeTransaction(
    pool,
    async (db) => {
      // Re-parenting checks for loops and moves a subtree: taken before any row lock.
      if (input.parentProviderUuid !== undefined || input.cellUuid !== undefined) await lockProviderTrees(db);
      const provider = await lockProvider(db, input.uuid, 'uuid');
      if (input.generation != null && input.generation !== provider.generation) {
        throw new GenerationConflictError(provider.uuid, input.generation, provider.generation);
      }
      const name = input.name ?? provider.name;
      if (name !== provider.name) await assertNameFree(db, name, provider.id);

      let parentId = provider.parentId;
      let rootId = provider.rootId;
      let cellId = provider.cellId;
      const subtree = await subtreeIds(db, provider.id);
      if (input.parentProviderUuid !== undefined) {
        if (input.parentProviderUuid === null) {
          parentId = null;
          rootId = provider.id;
        } else {
          if (input.parentProviderUuid === provider.uuid) {
            throw new InvalidInputError(
              'parentProviderUuid',
              'not-self',
              'parentProviderUuid: a provider cannot be its own parent',
            );
          }
          const parent = await findProvider(db, input.parentProviderUuid, 'parentProviderUuid');
          if (subtree.includes(parent.id)) {
            throw new InvalidInputError(
              'parentProviderUuid',
              'no-loop',
              'parentProviderUuid: the new parent is a descendant of this provider; that would make a loop',
            );
          }
          parentId = parent.id;
          rootId = parent.rootId;
          cellId = parent.cellId;
        }
      }
      if (input.cellUuid !== undefined) {
        const requested = input.cellUuid === null ? null : await findCellId(db, input.cellUuid, 'cellUuid');
        if (parentId !== null && requested !== cellId) {
          throw new InvalidInputError(
            'cellUuid',
            'same-cell-as-parent',
            'cellUuid: only a root provider chooses the cell; children follow it',
          );
        }
        cellId = requested;
      }
      try {
        await db.query(
          // A Placement-style save (keepGeneration) that changes nothing writes nothing, so
          // updated_at stays (Placement's ORM issues no UPDATE then; REST Last-Modified follows it).
          `UPDATE resource_providers SET name = $2, parent_provider_id = $3,
                  generation = generation + CASE WHEN $4::boolean THEN 0 ELSE 1 END,
                  updated_at = CASE WHEN $4::boolean AND name = $2 AND parent_provider_id IS NOT DISTINCT FROM $3
                                    THEN updated_at ELSE now() END
         WHERE id = $1`,
          [provider.id, name, parentId, input.keepGeneration === true],
        );
      } catch (error) {
        uniqueViolationAs(error, providerUniques(name, provider.uuid));
      }
      // The whole subtree follows its new root and that root's cell (a rename locks no other row).
      if (rootId !== provider.rootId || cellId !== provider.cellId) {
        await db.query('UPDATE resource_providers SET root_provider_id = $2, cell_id = $3 WHERE id = ANY($1::int[])', [
          subtree,
          rootId,
          cellId,
        ]);
      }
      const generation = provider.generation + (input.keepGeneration ? 0 : 1);
      return { ...provider, name, parentId, rootId, cellId, generation };
    },
    defaultRetryPolicy,
    caller,
  );
}

/** Deletes a provider with its inventories, trait and aggregate links; refused while in use. */
export async function deleteProvider(
  pool: pg.Pool,
  raw: DeleteProviderInput,
  caller?: WriteCaller,
): Promise<ProviderRow> {
  const input = parseInput(deleteProviderInput, raw);
  return writeTransaction(
    pool,
    async (db) => {
      const provider = await lockProvider(db, input.uuid, 'uuid');
      if (input.generation != null && input.generation !== provider.generation) {
        throw new GenerationConflictError(provider.uuid, input.generation, provider.generation);
      }
      const children = await db.query('SELECT 1 FROM resource_providers WHERE parent_provider_id = $1 LIMIT 1', [
        provider.id,
      ]);
      if (children.rowCount) throw new ProviderHasChildrenError(provider.uuid);
      const allocations = await db.query('SELECT 1 FROM allocations WHERE provider_id = $1 LIMIT 1', [provider.id]);
      if (allocations.rowCount)
        throw new InUseError('ResourceProvider', provider.uuid, 'it has allocations; remove them first');
      await db.query('DELETE FROM resource_providers WHERE id = $1', [provider.id]);
      return provider;
    },
    defaultRetryPolicy,
    caller,
  );
}
