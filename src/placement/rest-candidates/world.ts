import { STANDARD_TRAIT_SHARING } from '../catalogue.js';
import type { Queryable } from '../transactions.js';

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

const WORLD_SQL = `
WITH tree AS (SELECT id FROM resource_providers WHERE root_provider_id = ANY($1::int[])),
sharing AS (
  SELECT DISTINCT s.id, s.root_provider_id FROM resource_providers s
    JOIN provider_traits st ON st.provider_id = s.id
    JOIN traits stt ON stt.id = st.trait_id AND stt.name = $2
    JOIN provider_aggregates sa ON sa.provider_id = s.id
    JOIN provider_aggregates ta ON ta.aggregate_id = sa.aggregate_id
    JOIN tree ON tree.id = ta.provider_id),
wanted AS (SELECT id FROM tree
           UNION SELECT p.id FROM resource_providers p WHERE p.root_provider_id IN (SELECT root_provider_id FROM sharing))
SELECT p.id, p.uuid, p.parent_provider_id AS "parentId", p.root_provider_id AS "rootId",
       ARRAY(SELECT t.name FROM provider_traits pt JOIN traits t ON t.id = pt.trait_id
              WHERE pt.provider_id = p.id ORDER BY t.name) AS traits,
       ARRAY(SELECT a.uuid::text FROM provider_aggregates pa JOIN aggregates a ON a.id = pa.aggregate_id
              WHERE pa.provider_id = p.id) AS aggregates,
       (SELECT coalesce(json_agg(json_build_object('name', rc.name, 'classId', rc.id, 'capacity', i.capacity,
                 'used', i.used, 'minUnit', i.min_unit, 'maxUnit', i.max_unit, 'stepSize', i.step_size) ORDER BY rc.id), '[]')
          FROM inventories i JOIN resource_classes rc ON rc.id = i.resource_class_id
         WHERE i.provider_id = p.id) AS inventories
  FROM resource_providers p WHERE p.id IN (SELECT id FROM wanted) ORDER BY p.id`;

const FLAGS_SQL = `SELECT EXISTS (SELECT 1 FROM resource_providers WHERE parent_provider_id IS NOT NULL) AS "hasTrees",
  EXISTS (SELECT 1 FROM provider_traits pt JOIN traits t ON t.id = pt.trait_id WHERE t.name = $1) AS "hasSharing"`;

/** Loads the trees rooted at `rootIds` with their sharing partners. */
export async function loadWorld(db: Queryable, rootIds: number[]): Promise<World> {
  const [{ rows }, flags] = await Promise.all([
    db.query<ProviderRow>(WORLD_SQL, [rootIds, STANDARD_TRAIT_SHARING]),
    db.query<{ hasTrees: boolean; hasSharing: boolean }>(FLAGS_SQL, [STANDARD_TRAIT_SHARING]),
  ]);
  const providers = new Map<number, WorldProvider>();
  for (const row of rows) {
    providers.set(row.id, {
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
    });
  }
  return {
    providers,
    byUuid: new Map([...providers.values()].map((p) => [p.uuid, p])),
    hasTrees: flags.rows[0]!.hasTrees,
    hasSharing: flags.rows[0]!.hasSharing,
    sharingIds: [...providers.values()].filter((p) => p.traits.has(STANDARD_TRAIT_SHARING)).map((p) => p.id),
  };
}
