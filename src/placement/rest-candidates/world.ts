import { STANDARD_TRAIT_SHARING } from '../catalogue.js';
import { providerRecordsSql } from '../provider-records.js';
import type { OwnRecord } from '../search/index.js';
import { prepared, type Queryable } from '../transactions.js';

/** One inventory as the enumeration needs it (capacity is floor((total − reserved) × ratio)). */
export interface WorldInventory {
  classId: number;
  capacity: number;
  used: number;
  minUnit: number;
  maxUnit: number;
  stepSize: number;
}

export interface WorldProvider {
  id: number;
  uuid: string;
  parentId: number | null;
  rootId: number;
  traits: Set<string>;
  aggregates: Set<string>;
  /** By class name. */
  inventories: Map<string, WorldInventory>;
}

/**
 * The part of the database one candidate enumeration reads: the trees of the hosts the
 * engine found, the sharing providers in an aggregate with any member of those trees, and
 * the sharing providers' own trees (their summaries are listed too).
 */
export interface World {
  providers: Map<number, WorldProvider>;
  byUuid: Map<string, WorldProvider>;
  /** Whether the whole database has a provider with a parent, or one with the sharing trait (Placement's code-path switches). */
  hasTrees: boolean;
  hasSharing: boolean;
  sharingIds: number[];
}

interface ProviderRow {
  id: number;
  uuid: string;
  parentId: number | null;
  rootId: number;
  traits: string[];
  aggregates: string[];
  inventories: (WorldInventory & { name: string })[];
}

// One JSON document for the whole world: the driver parses it with one native JSON.parse,
// not column by column and array literal by array literal for each provider. Traits,
// aggregates and inventories as provider-records.ts reads them; the providers' own rows by
// index too (LATERAL, OFFSET 0), for the same misjudged count of wanted providers.
const WORLD_SQL = `
WITH tree AS (SELECT p.id FROM resource_providers r JOIN resource_providers p ON p.root_provider_id = r.id
              WHERE r.uuid = ANY($1::uuid[])),
sharing AS (
  SELECT DISTINCT s.id, s.root_provider_id FROM resource_providers s
    JOIN provider_traits st ON st.provider_id = s.id
    JOIN traits stt ON stt.id = st.trait_id AND stt.name = $2
    JOIN provider_aggregates sa ON sa.provider_id = s.id
    JOIN provider_aggregates ta ON ta.aggregate_id = sa.aggregate_id
    JOIN tree ON tree.id = ta.provider_id),
wanted AS (SELECT id FROM tree
           UNION SELECT p.id FROM resource_providers p WHERE p.root_provider_id IN (SELECT root_provider_id FROM sharing)),
${providerRecordsSql(
  'wanted',
  `json_build_object('name', rc.name, 'classId', rc.id, 'capacity', i.capacity, 'used', i.used,
     'minUnit', i.min_unit, 'maxUnit', i.max_unit, 'stepSize', i.step_size)`,
)}
SELECT coalesce(json_agg(json_build_object(
         'id', p.id, 'uuid', p.uuid, 'parentId', p.parent_provider_id, 'rootId', p.root_provider_id,
         'traits', coalesce(t.names, '{}'), 'aggregates', coalesce(a.uuids, '{}'), 'inventories', coalesce(i.list, '[]'))
         ORDER BY p.id), '[]') AS providers
  FROM wanted w CROSS JOIN LATERAL (SELECT * FROM resource_providers p WHERE p.id = w.id OFFSET 0) p
  LEFT JOIN traits_of t ON t.provider_id = p.id
  LEFT JOIN aggregates_of a ON a.provider_id = p.id
  LEFT JOIN inventories_of i ON i.provider_id = p.id`;

/** Select-list columns for a query that reads the flags along with other things; `$sharing` is the parameter holding the sharing trait's name. */
export function worldFlagsColumns(sharing: string): string {
  return `EXISTS (SELECT 1 FROM resource_providers WHERE parent_provider_id IS NOT NULL) AS "hasTrees",
  EXISTS (SELECT 1 FROM provider_traits pt JOIN traits t ON t.id = pt.trait_id WHERE t.name = ${sharing}) AS "hasSharing"`;
}

/** Placement's code-path switches for the whole database, read once per request: the host search and every batch's enumeration then agree on them. */
export interface WorldFlags {
  hasTrees: boolean;
  hasSharing: boolean;
}

/** Loads the trees rooted at the providers `rootUuids` names with their sharing partners. */
export async function loadWorld(db: Queryable, rootUuids: string[], flags: WorldFlags): Promise<World> {
  // Prepared: planning it cost about as much as running it (arrays as parameters: one text).
  const { rows } = await db.query<{ providers: ProviderRow[] }>(
    prepared(WORLD_SQL, [rootUuids, STANDARD_TRAIT_SHARING]),
  );
  return worldOf(rows[0]!.providers.map(worldProvider), flags);
}

/**
 * The world of hosts that stand alone (a database without trees or sharing providers): each
 * host is its own tree, so the records the flat walk returned with them (SearchOptions.withOwnRecord)
 * are the whole world, and no second round trip is needed.
 */
export function standaloneWorld(hosts: { uuid: string; own: OwnRecord }[], flags: WorldFlags): World {
  const providers = hosts.map(
    ({ uuid, own }): WorldProvider => ({
      id: own.id,
      uuid,
      parentId: null,
      rootId: own.id,
      traits: new Set(own.traits),
      aggregates: new Set(own.aggregates),
      inventories: new Map(
        own.inventories.map(([name, classId, capacity, used, minUnit, maxUnit, stepSize]) => [
          name,
          { classId, capacity: Number(capacity), used: Number(used), minUnit, maxUnit, stepSize },
        ]),
      ),
    }),
  );
  // In id order, as loadWorld reads them: the summaries are listed in this order.
  return worldOf(
    providers.sort((a, b) => a.id - b.id),
    flags,
  );
}

function worldProvider(row: ProviderRow): WorldProvider {
  return {
    id: row.id,
    uuid: row.uuid,
    parentId: row.parentId,
    rootId: row.rootId,
    traits: new Set(row.traits),
    aggregates: new Set(row.aggregates),
    inventories: new Map(
      row.inventories.map((i) => [
        i.name,
        {
          classId: i.classId,
          capacity: Number(i.capacity),
          used: Number(i.used),
          minUnit: i.minUnit,
          maxUnit: i.maxUnit,
          stepSize: i.stepSize,
        },
      ]),
    ),
  };
}

/** `list` in id order. */
function worldOf(list: WorldProvider[], flags: WorldFlags): World {
  return {
    providers: new Map(list.map((p) => [p.id, p])),
    byUuid: new Map(list.map((p) => [p.uuid, p])),
    hasTrees: flags.hasTrees,
    hasSharing: flags.hasSharing,
    sharingIds: list.filter((p) => p.traits.has(STANDARD_TRAIT_SHARING)).map((p) => p.id),
  };
}
