import { STANDARD_TRAIT_SHARING } from '../catalogue.js';
import type { Queryable } from '../transactions.js';
import type { CandidateGroup } from './request.js';

/**
 * A necessary condition on the host for the unnumbered group in a world with trees or
 * sharing providers, where Placement checks the group's required traits and member_of
 * across a combination's providers (enumerate.ts, multipleProviders) and the engine is
 * given the classes only. A combination at root R takes its providers from R's tree and
 * from the sharing providers anchored at R (in an aggregate with a member of the tree), so
 * R can answer only if, for every required any-of list, one of those providers carries one
 * of the traits, and, for every member_of list, one of them (the root included: its
 * aggregates span the tree) is in one of the aggregates. Each list's roots are read from
 * the rare side (the providers carrying the trait or in the aggregate, then their roots and
 * the roots their sharing ones anchor) up to a cap; a list past the cap (a common trait or
 * a big aggregate) is left out, since the host walk then fills its batches fast anyway.
 */

/**
 * Rows a list may read before it counts as common: a share of the providers, at least a
 * floor. Measured on the bench NUMA world at 20 000 hosts (docs in the findings / README):
 * reading the roots and searching only them costs ~40–60 ms per 1 000 roots, while the walk
 * costs one host search (300–1 400 ms there, more at 100 000) per batch and needs fewer
 * batches the more hosts qualify: narrowing won at 20% and 40% of the hosts (250 vs 1 840 ms,
 * 520 vs 850 ms) and lost at 80% (1 160 vs 580 ms). So the walk is worth it once a list
 * reaches about 40% of the providers.
 */
export const PREFILTER_SHARE = 0.4;
export const PREFILTER_MIN_ROWS = 2_000;

/** The row cap for this database: PREFILTER_SHARE of the providers (planner's estimate), at least the floor. */
export async function prefilterRowCap(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ cap: number }>(
    `SELECT greatest($1::int, (reltuples * $2::float8)::int) AS cap FROM pg_class WHERE oid = 'resource_providers'::regclass`,
    [PREFILTER_MIN_ROWS, PREFILTER_SHARE],
  );
  return rows[0]?.cap ?? PREFILTER_MIN_ROWS;
}

/**
 * The roots of the providers `rareSide` selects, and the roots their sharing ones anchor;
 * `rareSide` is a SELECT of provider_id by the list in $1, the sharing trait is $2, the cap $3.
 */
function rootsSql(rareSide: string): string {
  return `
WITH selected AS MATERIALIZED (${rareSide})
SELECT r.id FROM selected c
  JOIN resource_providers p ON p.id = c.provider_id
  JOIN resource_providers r ON r.id = p.root_provider_id
UNION ALL
-- a selected provider that shares via aggregate: every root with a tree member in one of its aggregates
SELECT r.id FROM selected c
  JOIN provider_traits st ON st.provider_id = c.provider_id
  JOIN traits stt ON stt.id = st.trait_id AND stt.name = $2
  JOIN provider_aggregates sa ON sa.provider_id = c.provider_id
  JOIN provider_aggregates ma ON ma.aggregate_id = sa.aggregate_id
  JOIN resource_providers m ON m.id = ma.provider_id
  JOIN resource_providers r ON r.id = m.root_provider_id
LIMIT $3`;
}

/** Roots of providers carrying one of the traits, and roots anchored by sharing providers carrying one. */
const TRAIT_ROOTS_SQL = rootsSql(
  // the rare side: providers with one of the list's traits (provider_traits_trait_id_idx)
  'SELECT pt.provider_id FROM provider_traits pt JOIN traits t ON t.id = pt.trait_id WHERE t.name = ANY($1::text[])',
);

/** Roots of providers in one of the aggregates, and roots anchored by sharing providers in one. */
const AGGREGATE_ROOTS_SQL = rootsSql(
  // the rare side: providers in one of the list's aggregates (provider_aggregates_aggregate_id_idx)
  `SELECT pa.provider_id FROM provider_aggregates pa JOIN aggregates a ON a.id = pa.aggregate_id
    WHERE a.uuid::text = ANY($1::text[])`,
);

/**
 * One list's qualifying root ids, or null when the list reads more than `cap` rows. One row
 * with an id array: tens of thousands of rows would cost the gateway more than the search.
 */
async function listRoots(db: Queryable, sql: string, names: string[], cap: number): Promise<Set<number> | null> {
  // JSON, not an int[]: the driver parses JSON natively, an array's text character by character.
  const { rows } = await db.query<{ read: number; ids: number[] | null }>(
    `SELECT count(*)::int AS read, array_to_json(array_agg(DISTINCT id)) AS ids FROM (${sql}) AS roots`,
    [names, STANDARD_TRAIT_SHARING, cap + 1],
  );
  if (rows[0]!.read > cap) return null;
  return new Set(rows[0]!.ids ?? []);
}

/** Roots in every set (the smallest first). */
function intersect(sets: Set<number>[]): number[] {
  const [smallest, ...rest] = [...sets].sort((a, b) => a.size - b.size);
  return [...smallest!].filter((id) => rest.every((s) => s.has(id)));
}

/**
 * The ids of the only roots that can anchor a request for the unnumbered group `g`, or
 * null when no required or member_of list is rare enough to narrow the search.
 */
export async function unnumberedRoots(db: Queryable, g: CandidateGroup, rowCap?: number): Promise<number[] | null> {
  if (g.requiredTraits.length === 0 && g.memberOf.length === 0) return null;
  const cap = rowCap ?? (await prefilterRowCap(db));
  const bounded: Set<number>[] = [];
  for (const list of g.requiredTraits) {
    const roots = await listRoots(db, TRAIT_ROOTS_SQL, list, cap);
    if (roots !== null) bounded.push(roots);
    if (roots?.size === 0) return [];
  }
  for (const list of g.memberOf) {
    const roots = await listRoots(
      db,
      AGGREGATE_ROOTS_SQL,
      list.map((u) => u.toLowerCase()),
      cap,
    );
    if (roots !== null) bounded.push(roots);
    if (roots?.size === 0) return [];
  }
  return bounded.length === 0 ? null : intersect(bounded);
}
