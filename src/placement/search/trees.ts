import { fitsSql, freeShareSql } from '../fit.js';
import type { ResolvedRequest } from '../request.js';
import { Params, roundedScore } from '../sql.js';
import type { Queryable } from '../transactions.js';
import { type Candidate, type SearchOptions, unnumberedMappings } from './candidate.js';
import { extraRootFilters, rootConditions } from './filters.js';

/** Pool members counted before choosing pairing or probing: past this, probing is tried up to this many roots. */
const POOL_COUNT_CAP = 2048;

interface TreeRow {
  root_uuid: string;
  cell_uuid: string | null;
  score: number;
  serving: { p: string; o: number; cap: number; used: number }[];
}

function treeCandidate(r: ResolvedRequest, row: TreeRow): Candidate {
  const serving = [...row.serving]
    .sort((a, b) => a.o - b.o)
    .map((s) => ({
      providerUuid: s.p,
      resourceClass: r.classNames[s.o - 1]!,
      amount: r.amounts[s.o - 1]!,
      capacity: s.cap,
      used: s.used,
      group: '',
    }));
  return {
    rootUuid: row.root_uuid,
    cellUuid: row.cell_uuid,
    score: row.score,
    serving,
    mappings: unnumberedMappings(serving),
  };
}

/**
 * The tree search's statement. Only two kinds of host can have a candidate the flat walk
 * does not find, and each is reached through an index by equality, never by a join over
 * every host:
 *  - trees that hold every requested class somewhere (`tree_class_ids @> classes`, a GIN
 *    index that holds roots with descendants only: every other provider's set is empty);
 *  - roots that pass the filters, hold every requested class no sharing provider can serve
 *    (`unshared`), and share an aggregate with a sharing provider that has a fitting
 *    inventory of a requested class (a partner).
 * The second kind is found one of two ways, whichever reads fewer rows (`probe`):
 *  - pairing: every member of the partners' aggregates, filtered (cheap when the pools'
 *    aggregates are small, e.g. a handful of hosts beside thousands of flat ones);
 *  - probing: the roots that pass the filters (through the filters' indexes: a trait, the
 *    cell) and hold the unshared classes, each probed for a partner (cheap when the pools'
 *    aggregates hold thousands of hosts of every cell and the filters keep a few hundred,
 *    as in the bench's NUMA world).
 * The pools' members are counted first (index only, at most POOL_COUNT_CAP), and the probe's
 * roots are read up to one more than that count: more, and pairing reads fewer rows. Both
 * branches sit behind one-time filters (PostgreSQL skips a branch whose gate is false), so
 * only the chosen one runs. A request without a root filter always pairs.
 * Their serving providers are the tree's members (root_provider_id) UNION ALL their
 * sharing partners; each class takes the fitting one with the lowest preference (root,
 * then descendant, then sharing), then the largest free share, then uuid.
 */
export function treeStatement(r: ResolvedRequest, options: SearchOptions): { text: string; values: unknown[] } {
  const params = new Params();
  const classes = params.add(r.classIds);
  const amounts = params.add(r.amounts);
  const sharingTrait = params.add(r.sharingTraitId);
  const filters = [...rootConditions(r, params).map((c) => c.sql), ...extraRootFilters(options, params)];
  const where = ['p.parent_provider_id IS NULL', ...filters].join(' AND ');
  const order = options.weigher === 'PACK' ? 'ASC' : 'DESC';
  // A root reached through a sharing partner must hold, in its tree (or itself, when it has
  // no descendants: class_ids), every requested class that no sharing provider can serve: the others
  // cannot be candidates, and probing them is what made flat requests pay for the pools.
  // Checked after the pairing (`kept`): inside it the check changed the pairing's plan.
  const holdsUnshared = `(CASE WHEN cardinality(p.tree_class_ids) > 0 THEN p.tree_class_ids ELSE p.class_ids END)
      @> (SELECT class_ids FROM unshared)`;
  // The probe finds its roots through the filters' indexes (holdsUnshared is no index
  // condition): without a filter on the root it would read every root, so it pairs.
  const probing = filters.length > 0;
  if (!Number.isInteger(options.limit)) throw new Error('limit must be an integer');
  const text = `
    WITH req AS (SELECT * FROM unnest(${classes}::int[], ${amounts}::int[]) WITH ORDINALITY AS req(class_id, amount, ord)),
    unshared AS MATERIALIZED (
      SELECT coalesce(array_agg(req.class_id), '{}') AS class_ids FROM req
       WHERE NOT EXISTS (SELECT 1 FROM provider_traits st JOIN inventories si ON si.provider_id = st.provider_id
                          WHERE st.trait_id = ${sharingTrait} AND si.resource_class_id = req.class_id
                            AND ${fitsSql('si', 'req.amount')})),
    partners AS MATERIALIZED (
      SELECT DISTINCT share_pa.aggregate_id, st.provider_id
        FROM provider_traits st JOIN provider_aggregates share_pa ON share_pa.provider_id = st.provider_id
       WHERE st.trait_id = ${sharingTrait}
         AND EXISTS (SELECT 1 FROM req JOIN inventories si ON si.provider_id = st.provider_id AND si.resource_class_id = req.class_id
                      WHERE ${fitsSql('si', 'req.amount')})),
    pool_members AS MATERIALIZED (
      SELECT count(*)::int AS n FROM (SELECT 1 FROM partners sp JOIN provider_aggregates root_pa ON root_pa.aggregate_id = sp.aggregate_id
                                        LIMIT ${POOL_COUNT_CAP}) m),
    -- the probe's roots, read up to one more than the pairing would read (none when every class is shared or there is no partner)
    held AS MATERIALIZED (
      SELECT p.id FROM resource_providers p
       WHERE ${probing} AND ${where} AND ${holdsUnshared}
         AND (SELECT cardinality(class_ids) > 0 FROM unshared) AND (SELECT n > 0 FROM pool_members)
       LIMIT (SELECT n + 1 FROM pool_members)),
    probe AS MATERIALIZED (
      SELECT ${probing} AND (SELECT cardinality(class_ids) > 0 FROM unshared) AND count(*) <= (SELECT n FROM pool_members) AS chosen
        FROM held),
    kept AS MATERIALIZED (
      SELECT s.root_id, s.provider_id
        FROM (SELECT DISTINCT root_pa.provider_id AS root_id, sp.provider_id
                FROM partners sp
                JOIN provider_aggregates root_pa ON root_pa.aggregate_id = sp.aggregate_id
                JOIN resource_providers p ON p.id = root_pa.provider_id
               WHERE NOT (SELECT chosen FROM probe) AND ${where}) s
        JOIN resource_providers p ON p.id = s.root_id WHERE ${holdsUnshared}
      UNION ALL
      SELECT DISTINCT held.id, sp.provider_id
        FROM held JOIN provider_aggregates root_pa ON root_pa.provider_id = held.id
        JOIN partners sp ON sp.aggregate_id = root_pa.aggregate_id
       WHERE (SELECT chosen FROM probe)),
    roots AS MATERIALIZED (
      SELECT p.id, p.uuid, p.cell_id FROM resource_providers p
       WHERE p.tree_class_ids @> ${classes}::int[] AND cardinality(p.tree_class_ids) > 0 AND ${where}
      UNION
      SELECT p.id, p.uuid, p.cell_id FROM resource_providers p WHERE p.id IN (SELECT root_id FROM kept)),
    servers AS (
      SELECT roots.id AS root_id, m.id AS provider_id, m.uuid, CASE WHEN m.id = roots.id THEN 0 ELSE 1 END AS preference
        FROM roots JOIN resource_providers m ON m.root_provider_id = roots.id
      UNION ALL
      SELECT s.root_id, sp.id, sp.uuid, 2
        FROM kept s JOIN resource_providers sp ON sp.id = s.provider_id),
    options AS (
      SELECT servers.root_id, req.ord, servers.uuid AS provider_uuid, i.capacity, i.used,
             ${freeShareSql('i')} AS free_share, servers.preference
        FROM servers CROSS JOIN req
        JOIN inventories i ON i.provider_id = servers.provider_id AND i.resource_class_id = req.class_id
       WHERE ${fitsSql('i', 'req.amount')}),
    chosen AS (
      SELECT DISTINCT ON (root_id, ord) * FROM options
       ORDER BY root_id, ord, preference, free_share DESC, provider_uuid)
    SELECT roots.uuid AS root_uuid, c.uuid AS cell_uuid, ${roundedScore('avg(chosen.free_share)')} AS score,
           json_agg(json_build_object('p', chosen.provider_uuid, 'o', chosen.ord, 'cap', chosen.capacity, 'used', chosen.used)) AS serving
      FROM chosen JOIN roots ON roots.id = chosen.root_id LEFT JOIN cells c ON c.id = roots.cell_id
     GROUP BY roots.id, roots.uuid, c.uuid
    HAVING count(*) = ${params.add(r.classIds.length)} AND max(chosen.preference) > 0
     ORDER BY score ${order}, roots.uuid ASC
     LIMIT ${options.limit}`;
  return { text, values: params.values };
}

/**
 * Candidates in which at least one class is served by a descendant or a sharing provider
 * (hosts whose own inventories fit every class are the flat walk's). Cost follows the
 * trees and sharing partners that could serve the request.
 */
export async function treeCandidates(db: Queryable, r: ResolvedRequest, options: SearchOptions): Promise<Candidate[]> {
  const { rows } = await db.query<TreeRow>(treeStatement(r, options));
  return rows.map((row) => treeCandidate(r, row));
}
