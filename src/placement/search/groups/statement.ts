import type { ResolvedRequest } from '../../request.js';
import { Params, roundedScore } from '../../sql.js';
import type { SearchOptions } from '../candidate.js';
import { extraRootFilters, inSharingAggregate, rootConditions } from '../filters.js';

/** A batch of the bound-ordered walk over the hosts that could take a grouped request. */
export interface GroupedPage {
  batch: number;
  /** Leave out hosts that stand alone (no descendants, no sharing partner): the flat walk serves them. */
  skipAlone?: boolean;
  /** The last host of the previous batch (its walk key and uuid), or null for the first. */
  after: { key: number; uuid: string } | null;
}

/** One host of a batch: its walk key (the bound) and every provider that may serve it. */
export interface GroupedRow {
  root_uuid: string;
  cell_uuid: string | null;
  walk_key: number;
  providers: {
    u: string;
    parent: string | null;
    pref: number;
    t: number[];
    a: string[] | null;
    /** [class id, capacity, used, min unit, max unit, step size] of each requested class it holds. */
    i: [number, number, number, number, number, number][] | null;
  }[];
}

/** The demand rows in serving order: the unnumbered classes, then each group's; `groups` numbers each row's group (0 unnumbered, i + 1 group i). */
export function demandRows(r: ResolvedRequest): { classIds: number[]; amounts: number[]; groups: number[] } {
  return {
    classIds: [...r.classIds, ...r.groups.flatMap((g) => g.classIds)],
    amounts: [...r.amounts, ...r.groups.flatMap((g) => g.amounts)],
    groups: [...r.classIds.map(() => 0), ...r.groups.flatMap((g, i) => g.classIds.map(() => i + 1))],
  };
}

/**
 * Whether server `s` passes the trait filters of demand row `d`'s group (true for unnumbered
 * rows). Aggregate filters are left to the assignment: the bound only grows looser.
 */
function groupFilters(r: ResolvedRequest, params: Params): string {
  const cases = r.groups.flatMap((g, i) => {
    const conditions = [
      ...(g.requiredTraitIds.length > 0 ? [`s.trait_ids @> ${params.add(g.requiredTraitIds)}::int[]`] : []),
      ...(g.forbiddenTraitIds.length > 0 ? [`NOT (s.trait_ids && ${params.add(g.forbiddenTraitIds)}::int[])`] : []),
      ...g.anyOfTraitIds.map((list) => `s.trait_ids && ${params.add(list)}::int[]`),
    ];
    return conditions.length > 0 ? [`WHEN ${i + 1} THEN ${conditions.join(' AND ')}`] : [];
  });
  return cases.length > 0 ? `(CASE d.grp ${cases.join(' ')} ELSE true END)` : 'true';
}

/**
 * The part of the bound that the numbered groups with resources give: a CTE over `shares`
 * (none when there are none), the rows they add to `ranked`'s parts and the expression of
 * their best sum. A group takes one server whole, so it gives its best server's summed
 * shares (not each row's best apart); with ISOLATE the groups take distinct servers, so
 * together no more than the best group values of as many best servers.
 */
function groupBoundsSql(
  r: ResolvedRequest,
  params: Params,
): { values: string; parts: string; best: string; count: number } {
  const sized = r.groups.filter((g) => g.classIds.length > 0).length;
  if (sized === 0) return { values: '', parts: '', best: '0', count: 0 };
  const sizes = params.add(r.groups.map((g) => g.classIds.length));
  const isolate = r.groupPolicy === 'ISOLATE' && sized >= 2;
  const values = `
    -- each group whole on one server that takes every row of it: the server's shares summed
    group_values AS (
      SELECT root_id, provider_id, grp, sum(share) AS value FROM shares WHERE grp > 0
       GROUP BY root_id, provider_id, grp HAVING count(*) = (${sizes}::int[])[grp]),`;
  const parts = `
        UNION ALL
        SELECT root_id, NULL, NULL, 0, max(value), 1, NULL FROM group_values GROUP BY root_id, grp${
          isolate
            ? `
        UNION ALL
        -- isolated groups take distinct servers: together at most the best group values of the ${sized} best servers
        SELECT root_id, NULL, NULL, 0, NULL, 0, value
          FROM (SELECT root_id, value, row_number() OVER (PARTITION BY root_id ORDER BY value DESC) AS k
                  FROM (SELECT root_id, provider_id, max(value) AS value FROM group_values GROUP BY root_id, provider_id) per_server) best_servers
         WHERE k <= ${sized}`
            : ''
        }`;
  return { values, parts, best: isolate ? 'least(sum(groups), sum(isolated))' : 'sum(groups)', count: sized };
}

/** Whether one provider alone could serve every numbered group (so a host without descendants or partners may be a candidate). */
function oneProviderMayServe(r: ResolvedRequest): boolean {
  return !(r.groupPolicy === 'ISOLATE' && r.groups.length >= 2);
}

/**
 * Hosts whose own inventories hold `classes` (a SQL array), through the walk indexes'
 * `class_ids` (index-only, as the flat walk reads them). Written `arraycontains(…)` for
 * the same reason as there: the operator's fixed selectivity guess makes the planner read
 * the cell's heap instead.
 */
const holdsItself = (classes: string) => `arraycontains(p.class_ids, ${classes}) AND p.spread_bounds[1] IS NOT NULL`;

/** Root `p` shares an aggregate with a sharing provider (`partners`), one with room for a requested class when `withRoom`. */
const hasPartner = (withRoom: boolean) =>
  `EXISTS (SELECT 1 FROM provider_aggregates root_pa JOIN partners sp ON sp.aggregate_id = root_pa.aggregate_id
            WHERE root_pa.provider_id = p.id AND sp.provider_id <> p.id${withRoom ? ' AND sp.has_room' : ''})`;

/**
 * The providers that may serve each root of `rootsTable`: its tree members, then its sharing
 * partners; `carried` (a list of `roots.` columns, each with a leading comma) goes along on each.
 */
const serversOf = (rootsTable: string, carried = '') => `
      SELECT roots.id AS root_id, m.id AS provider_id, m.uuid, m.parent_provider_id,
             CASE WHEN m.id = roots.id THEN 0 ELSE 1 END AS preference, m.class_ids, m.spread_bounds[1] AS top_share,
             m.trait_ids${carried}
        FROM ${rootsTable} roots JOIN resource_providers m ON m.root_provider_id = roots.id
      UNION ALL
      SELECT DISTINCT roots.id, m.id, m.uuid, NULL::int, 2, m.class_ids, m.spread_bounds[1], m.trait_ids${carried}
        FROM ${rootsTable} roots
        -- each root's aggregates by index (LATERAL, OFFSET 0 keeps it so): joined the other way,
        -- the planner read every member of the pools' aggregates (20 000 in the NUMA world) into a hash
        CROSS JOIN LATERAL (SELECT root_pa.aggregate_id FROM provider_aggregates root_pa
                             WHERE root_pa.provider_id = roots.id OFFSET 0) root_pa
        JOIN partners sp ON sp.aggregate_id = root_pa.aggregate_id
        JOIN resource_providers m ON m.id = sp.provider_id
       WHERE m.root_provider_id <> roots.id`;

/**
 * The grouped search's statement, one batch of it. Hosts that could serve the request are
 * found by index as in the tree search (trees holding every requested class, hosts reached
 * through a sharing partner with room, and hosts holding every class themselves: see
 * when one provider may serve every group). `everyHost` (explain) takes every such host. Each gets a bound on its score from its providers'
 * inventories with room, on providers passing the row's group's traits (aggregates, summed
 * amounts and sameSubtree are left out; a provider with one class gives its share from its
 * row, without the room check): SPREAD takes each unnumbered row's best share and each
 * group's best provider whole (with ISOLATE, no more than the best group values of as many
 * best providers); PACK each row's worst share. The hosts are walked
 * in bound order; a batch returns each host's providers (tree members and sharing partners)
 * with their traits, aggregates when a group filters on them, and inventories of the
 * requested classes, for the assignment search in TypeScript.
 */
export function groupedStatement(
  r: ResolvedRequest,
  options: SearchOptions,
  page: GroupedPage,
  everyHost = false,
): { text: string; values: unknown[] } {
  const params = new Params();
  const rows = demandRows(r);
  const allClasses = params.add([...new Set(rows.classIds)]);
  const demandClasses = params.add(rows.classIds);
  const demandAmounts = params.add(rows.amounts);
  const demandGroups = params.add(rows.groups);
  const accepts = groupFilters(r, params);
  const sharingTrait = params.add(r.sharingTraitId);
  const filters = [...rootConditions(r, params).map((c) => c.sql), ...extraRootFilters(options, params)];
  const where = ['p.parent_provider_id IS NULL', ...filters].join(' AND ');
  const spread = options.weigher !== 'PACK';
  const groups = spread ? groupBoundsSql(r, params) : { values: '', parts: '', best: '0', count: 0 };
  const walkKey = spread ? '-ranked.upper' : 'ranked.lower';
  const keyset = page.after
    ? `WHERE (${walkKey}, roots.uuid) > (${params.add(page.after.key)}::float8, ${params.add(page.after.uuid)}::uuid)`
    : '';
  const withAggregates = r.groups.some((g) => g.memberOf.length > 0 || g.forbiddenAggregates.length > 0);
  const aggregates = withAggregates
    ? `(SELECT array_agg(a.uuid) FROM provider_aggregates pa JOIN aggregates a ON a.id = pa.aggregate_id WHERE pa.provider_id = s.provider_id)`
    : 'NULL::uuid[]';
  if (!Number.isInteger(page.batch)) throw new Error('batch must be an integer');
  // One provider may serve every group (not ISOLATE with two or more): a host alone can be a candidate.
  const alone = everyHost || oneProviderMayServe(r);
  const unsharedSome = '(SELECT cardinality(class_ids) > 0 FROM unshared)';
  const text = `
    WITH demand AS (SELECT * FROM unnest(${demandClasses}::int[], ${demandAmounts}::int[], ${demandGroups}::int[]) WITH ORDINALITY AS d(class_id, amount, grp, ord)),
    classes AS (SELECT class_id, min(amount) AS amount FROM demand GROUP BY class_id),
    partners AS MATERIALIZED (
      SELECT pa.aggregate_id, st.provider_id,
             EXISTS (SELECT 1 FROM classes c JOIN inventories si ON si.provider_id = st.provider_id AND si.resource_class_id = c.class_id
                      WHERE si.used + c.amount <= si.capacity) AS has_room
        FROM provider_traits st JOIN provider_aggregates pa ON pa.provider_id = st.provider_id
       WHERE st.trait_id = ${sharingTrait}),
    -- classes no sharing partner has room for: a host reached through a partner holds them itself
    unshared AS MATERIALIZED (
      SELECT coalesce(array_agg(c.class_id), '{}') AS class_ids FROM classes c
       WHERE NOT EXISTS (SELECT 1 FROM partners sp JOIN inventories si ON si.provider_id = sp.provider_id
                          WHERE si.resource_class_id = c.class_id AND si.used + c.amount <= si.capacity)),
    roots AS MATERIALIZED (
      SELECT p.id, p.uuid, p.cell_id FROM resource_providers p
       WHERE p.tree_class_ids @> ${allClasses}::int[] AND cardinality(p.tree_class_ids) > 0 AND ${where}
      UNION
      SELECT p.id, p.uuid, p.cell_id FROM resource_providers p
       WHERE ${holdsItself(`${allClasses}::int[]`)} AND ${where}${alone ? '' : ` AND ${hasPartner(false)}`}${
         page.skipAlone ? ` AND (cardinality(p.tree_class_ids) > 0 OR ${inSharingAggregate(sharingTrait)})` : ''
       }
      UNION
      SELECT p.id, p.uuid, p.cell_id FROM resource_providers p
       WHERE ${unsharedSome} AND p.tree_class_ids @> (SELECT class_ids FROM unshared) AND cardinality(p.tree_class_ids) > 0
         AND ${where} AND ${hasPartner(true)}
      UNION
      SELECT p.id, p.uuid, p.cell_id FROM resource_providers p
       WHERE ${unsharedSome} AND ${holdsItself('(SELECT class_ids FROM unshared)')} AND ${where} AND ${hasPartner(true)}
      UNION
      -- every class can come from a partner: the roots in their aggregates
      SELECT p.id, p.uuid, p.cell_id FROM resource_providers p
       WHERE NOT ${unsharedSome} AND ${where}
         AND p.id IN (SELECT root_pa.provider_id FROM partners sp JOIN provider_aggregates root_pa ON root_pa.aggregate_id = sp.aggregate_id
                       WHERE sp.has_room)),
    servers AS MATERIALIZED (${serversOf('roots')}),
    -- per server by index (LATERAL, OFFSET 0 keeps it so): misjudging how many servers there are, the planner would hash all inventories
    -- servers holding no requested class (a NUMA host itself, a PF for a CPU-only request) are not probed;
    -- a server with one class has its share kept on its row (spread_bounds[1]), room unchecked (a looser bound)
    shares AS (
      SELECT s.root_id, s.provider_id, d.ord, d.grp, s.top_share AS share
        FROM servers s JOIN demand d ON d.class_id = s.class_ids[1]
       WHERE cardinality(s.class_ids) = 1 AND s.top_share IS NOT NULL AND ${accepts}
      UNION ALL
      SELECT s.root_id, s.provider_id, d.ord, d.grp, (i.capacity - i.used)::float8 / i.capacity AS share
        FROM (SELECT * FROM servers WHERE cardinality(class_ids) > 1 AND class_ids && ${allClasses}::int[]) s
        CROSS JOIN LATERAL (SELECT i.resource_class_id, i.capacity, i.used, i.max_unit FROM inventories i
                             WHERE i.provider_id = s.provider_id AND i.resource_class_id = ANY(${allClasses}::int[])
                             OFFSET 0) i
        JOIN demand d ON d.class_id = i.resource_class_id
       WHERE i.used + d.amount <= i.capacity AND d.amount <= i.max_unit AND ${accepts}),
    -- SPREAD ranks by the upper bound: per row for the unnumbered rows, per group for the groups' rows
    -- (a group's servers take all of its rows); PACK by the lower: the worst share of every row
    per_row AS (SELECT root_id, ord, grp, max(share) AS best, min(share) AS worst FROM shares${spread ? ' WHERE grp = 0' : ''} GROUP BY root_id, ord, grp),${groups.values}
    -- one pass over each host's parts (joins of per-host aggregates were planned as nested loops):
    -- every row has a server, every group with resources one server taking it whole
    ranked AS (
      SELECT root_id, ${
        spread
          ? roundedScore(
              `(coalesce(sum(unnumbered), 0) + coalesce(${groups.best}, 0)) / ${rows.classIds.length}::float8`,
            )
          : 'NULL::float8'
      } AS upper,
             ${spread ? 'NULL::float8' : roundedScore('avg(worst)')} AS lower
        FROM (
        SELECT root_id, CASE WHEN grp = 0 THEN best END AS unnumbered, worst, 1 AS row_count,
               NULL::float8 AS groups, 0 AS group_count, NULL::float8 AS isolated
          FROM per_row${groups.parts}) parts
       GROUP BY root_id
      HAVING sum(row_count) = ${params.add(spread ? r.classIds.length : rows.classIds.length)} AND sum(group_count) = ${groups.count}),
    page AS MATERIALIZED (
      SELECT roots.id, roots.uuid, roots.cell_id, ${walkKey} AS walk_key
        FROM ranked JOIN roots ON roots.id = ranked.root_id
       ${keyset}
       ORDER BY ${walkKey}, roots.uuid
       LIMIT ${page.batch}),
    -- the page's columns go along: joined back to the page, misjudged as one row each, it was a nested loop
    page_servers AS MATERIALIZED (${serversOf('page', ', roots.uuid AS root_uuid, roots.walk_key, roots.cell_id')})
    -- each page host's providers in one grouped pass (a subquery per host scanned every page server per host);
    -- every host is among its own servers; one holding no requested class (a NUMA host itself) is not probed
    SELECT s.root_uuid, c.uuid AS cell_uuid, s.walk_key,
           json_agg(json_build_object(
             'u', s.uuid, 'parent', CASE WHEN s.preference = 2 THEN NULL ELSE parent.uuid END, 'pref', s.preference,
             't', s.trait_ids, 'a', ${aggregates},
             'i', CASE WHEN s.class_ids && ${allClasses}::int[] THEN
                    (SELECT json_agg(json_build_array(i.resource_class_id, i.capacity, i.used, i.min_unit, i.max_unit, i.step_size))
                       FROM inventories i WHERE i.provider_id = s.provider_id AND i.resource_class_id = ANY(${allClasses}::int[])) END)
             ORDER BY s.uuid) AS providers
      FROM page_servers s
      LEFT JOIN resource_providers parent ON parent.id = s.parent_provider_id
      LEFT JOIN cells c ON c.id = s.cell_id
     GROUP BY s.root_id, s.root_uuid, s.walk_key, c.uuid
     ORDER BY s.walk_key, s.root_uuid`;
  return { text, values: params.values };
}
