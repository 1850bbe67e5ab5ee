import type pg from 'pg';
import { NotFoundError } from './errors.js';
import { fitsSql } from './fit.js';
import { isStoredUuid } from './validation.js';

/**
 * Read models of providers for Placement's REST API: one provider with its parent and root
 * uuids and timestamps, and the provider list with Placement's filters (GET /resource_providers).
 */
export interface ProviderView {
  id: number;
  uuid: string;
  name: string;
  generation: number;
  parentUuid: string | null;
  rootUuid: string;
  createdAt: Date;
  updatedAt: Date;
}

const VIEW_COLUMNS = `p.id, p.uuid, p.name, p.generation, parent.uuid AS "parentUuid", root.uuid AS "rootUuid",
  p.created_at AS "createdAt", p.updated_at AS "updatedAt"`;
const VIEW_FROM = `resource_providers p
  LEFT JOIN resource_providers parent ON parent.id = p.parent_provider_id
  JOIN resource_providers root ON root.id = p.root_provider_id`;

/** A string PostgreSQL could not cast to uuid names no provider (rather than failing the query). */
const UUID_FORM = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function findProviderView(pool: pg.Pool, uuid: string): Promise<ProviderView | null> {
  if (!UUID_FORM.test(uuid)) return null;
  const { rows } = await pool.query<ProviderView>(`SELECT ${VIEW_COLUMNS} FROM ${VIEW_FROM} WHERE p.uuid = $1`, [uuid]);
  return rows[0] ?? null;
}

export interface ProviderFilters {
  name?: string;
  uuid?: string;
  /** Providers in the same tree as this one (none when it does not exist). */
  inTree?: string;
  /** Each entry: the provider is a member of at least one of these aggregates. */
  memberOf?: readonly (readonly string[])[];
  /** The provider is a member of none of these. */
  forbiddenAggregates?: readonly string[];
  /** Each class: the provider has inventory with room for the amount (the fit rule). */
  resources?: ReadonlyMap<string, number>;
  /** Each entry: the provider has at least one of these traits. */
  requiredTraits?: readonly (readonly string[])[];
  forbiddenTraits?: readonly string[];
}

/**
 * Providers matching every filter, oldest first (Placement's order). An unknown resource
 * class or trait is a NotFoundError (Placement answers 400 for it).
 */
export async function listProviderViews(pool: pg.Pool, filters: ProviderFilters): Promise<ProviderView[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (filters.name !== undefined) where.push(`p.name = ${param(filters.name)}`);
  // As written, as Placement compares it: only the stored spelling (lower case, dashed) matches.
  if (filters.uuid !== undefined)
    where.push(isStoredUuid(filters.uuid) ? `p.uuid = ${param(filters.uuid)}::uuid` : 'false');
  if (filters.inTree !== undefined)
    where.push(
      `p.root_provider_id = (SELECT root_provider_id FROM resource_providers WHERE uuid = ${param(filters.inTree)}::uuid)`,
    );
  for (const anyOf of filters.memberOf ?? [])
    where.push(`EXISTS (SELECT 1 FROM provider_aggregates pa JOIN aggregates a ON a.id = pa.aggregate_id
                 WHERE pa.provider_id = p.id AND a.uuid = ANY(${param(anyOf)}::uuid[]))`);
  if (filters.forbiddenAggregates?.length)
    where.push(`NOT EXISTS (SELECT 1 FROM provider_aggregates pa JOIN aggregates a ON a.id = pa.aggregate_id
                 WHERE pa.provider_id = p.id AND a.uuid = ANY(${param(filters.forbiddenAggregates)}::uuid[]))`);
  if (filters.resources?.size) {
    const names = [...filters.resources.keys()];
    const ids = await idsByName(pool, 'resource_classes', names, 'ResourceClass');
    for (const [name, amount] of filters.resources)
      where.push(`EXISTS (SELECT 1 FROM inventories i WHERE i.provider_id = p.id
                   AND i.resource_class_id = ${param(ids.get(name))} AND ${fitsSql('i', `${param(amount)}::int`)})`);
  }
  const traitNames = [...(filters.requiredTraits ?? []).flat(), ...(filters.forbiddenTraits ?? [])];
  if (traitNames.length) {
    const ids = await idsByName(pool, 'traits', [...new Set(traitNames)], 'Trait');
    for (const anyOf of filters.requiredTraits ?? [])
      where.push(`EXISTS (SELECT 1 FROM provider_traits pt WHERE pt.provider_id = p.id
                   AND pt.trait_id = ANY(${param(anyOf.map((name) => ids.get(name)))}::int[]))`);
    if (filters.forbiddenTraits?.length)
      where.push(`NOT EXISTS (SELECT 1 FROM provider_traits pt WHERE pt.provider_id = p.id
                   AND pt.trait_id = ANY(${param(filters.forbiddenTraits.map((name) => ids.get(name)))}::int[]))`);
  }
  const { rows } = await pool.query<ProviderView>(
    `SELECT ${VIEW_COLUMNS} FROM ${VIEW_FROM} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY p.id`,
    params,
  );
  return rows;
}

/** An unknown name is a NotFoundError naming the first one (Placement names one too). */
async function idsByName(
  pool: pg.Pool,
  table: 'resource_classes' | 'traits',
  names: readonly string[],
  label: string,
): Promise<Map<string, number>> {
  const { rows } = await pool.query<{ id: number; name: string }>(
    `SELECT id, name FROM ${table} WHERE name = ANY($1::text[])`,
    [names],
  );
  const ids = new Map(rows.map((row) => [row.name, row.id]));
  const missing = names.filter((name) => !ids.has(name));
  if (missing.length) throw new NotFoundError(label, missing[0]!, table === 'traits' ? 'required' : 'resources');
  return ids;
}
