import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { z } from 'zod';
import { AlreadyExistsError, InUseError, InvalidInputError, NotFoundError } from './errors.js';
import { checkAndBumpGeneration, type ProviderRow, traitIds, uniqueViolationAs } from './lookups.js';
import { serializable } from './transactions.js';
import { customName, int32, parseInput, referenceName, uuidString } from './validation.js';

// Custom resource classes, custom traits, cells and aggregates: named things with the same
// life cycle (create with a unique name, delete unless standard or in use).

interface NamedRow {
  id: number;
  name: string;
  standard: boolean;
}

type Catalogue = 'resource_classes' | 'traits';
const catalogueLabel: Record<Catalogue, string> = { resource_classes: 'ResourceClass', traits: 'Trait' };

async function createCustom(pool: pg.Pool, table: Catalogue, rawName: unknown): Promise<NamedRow> {
  const kind = table === 'traits' ? 'trait' : 'resource class';
  const { name } = parseInput(z.object({ name: customName(kind) }), { name: rawName });
  return serializable(pool, async (db) => {
    const existing = await db.query('SELECT 1 FROM ' + table + ' WHERE name = $1', [name]);
    if (existing.rowCount) throw new AlreadyExistsError(catalogueLabel[table], 'name', name);
    try {
      const { rows } = await db.query<NamedRow>(
        `INSERT INTO ${table} (name) VALUES ($1) RETURNING id, name, standard`,
        [name],
      );
      return rows[0]!;
    } catch (error) {
      return uniqueViolationAs(error, {
        [`${table}_name_key`]: () => new AlreadyExistsError(catalogueLabel[table], 'name', name),
      });
    }
  });
}

async function deleteCustom(
  pool: pg.Pool,
  table: Catalogue,
  rawName: unknown,
  usedBy: string,
  usedWhat: string,
): Promise<NamedRow> {
  const kind = table === 'traits' ? 'trait' : 'resource class';
  const { name } = parseInput(z.object({ name: referenceName(kind) }), { name: rawName });
  return serializable(pool, async (db) => {
    const { rows } = await db.query<NamedRow>(`SELECT id, name, standard FROM ${table} WHERE name = $1 FOR UPDATE`, [
      name,
    ]);
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
    return row;
  });
}

export const createResourceClass = (pool: pg.Pool, name: unknown) => createCustom(pool, 'resource_classes', name);
export const deleteResourceClass = (pool: pg.Pool, name: unknown) =>
  deleteCustom(pool, 'resource_classes', name, 'inventories', 'providers have inventory of it');
export const createTrait = (pool: pg.Pool, name: unknown) => createCustom(pool, 'traits', name);
export const deleteTrait = (pool: pg.Pool, name: unknown) =>
  deleteCustom(pool, 'traits', name, 'provider_traits', 'providers carry it');

const setProviderTraitsInput = z.object({
  providerUuid: uuidString,
  generation: int32(0),
  traits: z.array(referenceName('trait')).max(1000, { message: 'at most 1000 traits' }),
});

/** Replaces a provider's traits (generation-checked). */
export async function setProviderTraits(
  pool: pg.Pool,
  raw: z.input<typeof setProviderTraitsInput>,
): Promise<ProviderRow> {
  const input = parseInput(setProviderTraitsInput, raw);
  const names = [...new Set(input.traits)];
  return serializable(pool, async (db) => {
    const provider = await checkAndBumpGeneration(db, input.providerUuid, input.generation);
    const ids = await traitIds(db, names, (i) => `traits[${input.traits.indexOf(names[i]!)}]`);
    await db.query('DELETE FROM provider_traits WHERE provider_id = $1', [provider.id]);
    await db.query('INSERT INTO provider_traits (provider_id, trait_id) SELECT $1, unnest($2::int[])', [
      provider.id,
      [...ids.values()],
    ]);
    await db.query('UPDATE resource_providers SET trait_ids = $2::int[] WHERE id = $1', [
      provider.id,
      [...ids.values()].sort((x, y) => x - y),
    ]);
    return provider;
  });
}

const setProviderAggregatesInput = z.object({
  providerUuid: uuidString,
  generation: int32(0),
  aggregates: z.array(uuidString).max(1000, { message: 'at most 1000 aggregates' }),
});

/** Replaces a provider's aggregates (generation-checked); unknown aggregate uuids are created, as in Placement. */
export async function setProviderAggregates(
  pool: pg.Pool,
  raw: z.input<typeof setProviderAggregatesInput>,
): Promise<ProviderRow> {
  const input = parseInput(setProviderAggregatesInput, raw);
  const uuids = [...new Set(input.aggregates)];
  return serializable(pool, async (db) => {
    const provider = await checkAndBumpGeneration(db, input.providerUuid, input.generation);
    await db.query('INSERT INTO aggregates (uuid) SELECT unnest($1::uuid[]) ON CONFLICT (uuid) DO NOTHING', [uuids]);
    await db.query('DELETE FROM provider_aggregates WHERE provider_id = $1', [provider.id]);
    await db.query(
      'INSERT INTO provider_aggregates (provider_id, aggregate_id) SELECT $1, id FROM aggregates WHERE uuid = ANY($2::uuid[])',
      [provider.id, uuids],
    );
    return provider;
  });
}

const namedEntityInput = z.object({
  uuid: uuidString.nullish(),
  name: z.string().min(1, { message: 'must not be empty' }).max(255, { message: 'must be at most 255 characters' }),
});

interface UuidNamedRow {
  id: number;
  uuid: string;
  name: string | null;
}

async function createUuidNamed(
  pool: pg.Pool,
  table: 'cells' | 'aggregates',
  label: string,
  raw: unknown,
): Promise<UuidNamedRow> {
  const input = parseInput(namedEntityInput, raw);
  const uuid = input.uuid ?? randomUUID();
  return serializable(pool, async (db) => {
    const byUuid = await db.query(`SELECT 1 FROM ${table} WHERE uuid = $1`, [uuid]);
    if (byUuid.rowCount) throw new AlreadyExistsError(label, 'uuid', uuid);
    const byName = await db.query(`SELECT 1 FROM ${table} WHERE name = $1`, [input.name]);
    if (byName.rowCount) throw new AlreadyExistsError(label, 'name', input.name);
    try {
      const { rows } = await db.query<UuidNamedRow>(
        `INSERT INTO ${table} (uuid, name) VALUES ($1, $2) RETURNING id, uuid, name`,
        [uuid, input.name],
      );
      return rows[0]!;
    } catch (error) {
      return uniqueViolationAs(error, {
        [`${table}_uuid_key`]: () => new AlreadyExistsError(label, 'uuid', uuid),
        [`${table}_name_key`]: () => new AlreadyExistsError(label, 'name', input.name),
      });
    }
  });
}

export const createCell = (pool: pg.Pool, raw: z.input<typeof namedEntityInput>) =>
  createUuidNamed(pool, 'cells', 'Cell', raw);
export const createAggregate = (pool: pg.Pool, raw: z.input<typeof namedEntityInput>) =>
  createUuidNamed(pool, 'aggregates', 'Aggregate', raw);

/** Deletes a cell or aggregate by uuid unless `usedBy` still references it. */
async function deleteUuidNamed(
  pool: pg.Pool,
  table: 'cells' | 'aggregates',
  label: string,
  usedBy: { table: string; column: string; reason: string },
  raw: { uuid: string },
): Promise<UuidNamedRow> {
  const { uuid } = parseInput(z.object({ uuid: uuidString }), raw);
  return serializable(pool, async (db) => {
    const { rows } = await db.query<UuidNamedRow>(`SELECT id, uuid, name FROM ${table} WHERE uuid = $1 FOR UPDATE`, [
      uuid,
    ]);
    if (!rows[0]) throw new NotFoundError(label, uuid, 'uuid');
    const used = await db.query(`SELECT 1 FROM ${usedBy.table} WHERE ${usedBy.column} = $1 LIMIT 1`, [rows[0].id]);
    if (used.rowCount) throw new InUseError(label, uuid, usedBy.reason);
    await db.query(`DELETE FROM ${table} WHERE id = $1`, [rows[0].id]);
    return rows[0];
  });
}

/** Deletes a cell that no provider is in. */
export const deleteCell = (pool: pg.Pool, raw: { uuid: string }) =>
  deleteUuidNamed(
    pool,
    'cells',
    'Cell',
    { table: 'resource_providers', column: 'cell_id', reason: 'providers are in it; move or delete them first' },
    raw,
  );

/** Deletes an aggregate no provider is a member of. */
export const deleteAggregate = (pool: pg.Pool, raw: { uuid: string }) =>
  deleteUuidNamed(
    pool,
    'aggregates',
    'Aggregate',
    { table: 'provider_aggregates', column: 'aggregate_id', reason: 'providers are members of it' },
    raw,
  );
