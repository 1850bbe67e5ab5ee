import type pg from 'pg';
import { STANDARD_TRAIT_SHARING } from '../catalogue.js';
import { InvalidInputError, NotFoundError } from '../errors.js';
import {
  MAX_LIMIT,
  type PlacementRequest,
  type PlacementRequestInput,
  parsePlacementRequest,
  type RequestLookupRow,
  resolvedFrom,
} from '../request.js';
import { type Candidate, searchCandidates } from '../search/index.js';
import { intArrayText } from '../sql.js';
import { prepared, type Queryable } from '../transactions.js';
import { isStoredUuid, MAX_INT32 } from '../validation.js';
import { type Areq, areqKey, Enumeration } from './enumerate.js';
import { unnumberedRoots } from './prefilter.js';
import type {
  AllocationRequest,
  CandidateGroup,
  CandidateRequest,
  CandidateResult,
  ProviderSummary,
} from './request.js';
import {
  loadWorld,
  standaloneWorld,
  type World,
  type WorldFlags,
  type WorldProvider,
  worldFlagsColumns,
} from './world.js';

export type { CandidateGroup, CandidateRequest, CandidateResult, GroupPolicy } from './request.js';

/** The answer, and how many batches of hosts the engine was asked for (one unless the loop walked). */
export interface CandidateAnswer extends CandidateResult {
  hostSearches: number;
}

/**
 * GET /allocation_candidates with Placement's answer: every allocation request (one per
 * valid combination of providers), not one best per host. The engine finds the hosts
 * (search/, with the filters Placement checks across a combination's providers left to
 * the enumeration), then enumerate.ts lists each host's combinations as Placement does.
 * `limit` keeps the first `limit` requests, as Placement does without randomisation; hosts
 * come in the engine's weighed order, so the engine stops early.
 */
export async function placementCandidates(
  db: Queryable,
  request: CandidateRequest,
  sidePool?: pg.Pool,
): Promise<CandidateAnswer> {
  const empty: CandidateAnswer = { allocationRequests: [], providerSummaries: [], hostSearches: 0 };
  const checked = await checkNames(db, request);
  if (checked === null) return empty;
  if (request.groups.some((g) => g.resources.some(([, amount]) => amount > MAX_INT32))) return empty;
  const { flags } = checked;
  // The names were resolved with the checks (one round trip): the engine's request names a subset of them.
  const resolved = resolvedFrom(engineSearch(request, flags), checked.lookup);
  const onlyRoots = await hostRestriction(db, request, flags);
  if (onlyRoots?.length === 0) return empty;

  const kept: Areq[] = [];
  const seen = new Set<string>();
  const providers = new Map<number, WorldProvider>();
  const excluded: string[] = [];
  const wanted = request.limit ?? Number.POSITIVE_INFINITY;
  const batch = Math.min(MAX_LIMIT, request.limit ?? MAX_LIMIT);
  let excludeNested = false;
  let hostSearches = 0;
  /** Keeps the combinations of the hosts `rootUuids` names (in this order) in `world`, until `wanted`. */
  const enumerateHosts = (world: World, rootUuids: string[]) => {
    // The hosts' ids in the given order (a host deleted meanwhile drops out).
    const rootIds = rootUuids.flatMap((u) => {
      const root = world.byUuid.get(u);
      return root === undefined ? [] : [root.id];
    });
    excludeNested = !request.nestedAware && world.hasTrees;
    for (const p of world.providers.values()) providers.set(p.id, p);
    const enumeration = new Enumeration({
      world,
      request,
      classIds: checked.classIds,
      inTreeRoots: checked.inTreeRoots,
    });
    for (const rootId of rootIds) {
      for (const areq of enumeration.at(rootId)) {
        if (excludeNested && !oneProviderPerTree(areq, providers)) continue;
        const key = areqKey(areq);
        if (seen.has(key)) continue;
        seen.add(key);
        kept.push(areq);
        if (kept.length >= wanted) return;
      }
    }
  };
  // Without trees or sharing providers a host's world is the host: the walk returns it.
  const standalone = !flags.hasTrees && !flags.hasSharing;
  while (kept.length < wanted) {
    hostSearches += 1;
    const hosts = await searchCandidates(db, resolved, {
      limit: batch,
      weigher: 'SPREAD',
      excludeRoots: excluded,
      ...(onlyRoots === null ? {} : { onlyRootIds: onlyRoots }),
      ...(sidePool === undefined ? {} : { sidePool }),
      ...(standalone ? { withOwnRecord: true } : {}),
    });
    if (hosts.length === 0) break;
    const rootUuids = hosts.map((h) => h.rootUuid);
    excluded.push(...rootUuids);
    enumerateHosts(await worldOfHosts(db, hosts, flags), rootUuids);
    if (hosts.length < batch) break;
  }
  // Hosts the engine cannot find: reached by a sharing provider only through a child's aggregate.
  if (kept.length < wanted && flags.hasTrees && flags.hasSharing) {
    // The prefilter counts these anchors too: a root it ruled out cannot answer.
    const anchored = await childAnchoredRoots(db, [...checked.classIds.values()], excluded, onlyRoots);
    const extra = anchored.map((root) => root.uuid);
    for (let i = 0; i < extra.length && kept.length < wanted; i += MAX_LIMIT) {
      const roots = extra.slice(i, i + MAX_LIMIT);
      enumerateHosts(await loadWorld(db, roots, flags), roots);
    }
  }
  return {
    allocationRequests: kept.map((areq) => toAllocationRequest(areq, providers)),
    providerSummaries: summaries(kept, providers, excludeNested),
    hostSearches,
  };
}

/**
 * The world of the hosts found: their own records when the walk returned one with every host
 * (hosts standing alone, SearchOptions.withOwnRecord), else their trees and sharing partners, loaded.
 */
function worldOfHosts(db: Queryable, hosts: Candidate[], flags: WorldFlags): Promise<World> | World {
  const records = hosts.flatMap((h) => (h.own === undefined ? [] : [{ uuid: h.rootUuid, own: h.own }]));
  if (records.length === hosts.length) return standaloneWorld(records, flags);
  return loadWorld(
    db,
    hosts.map((h) => h.rootUuid),
    flags,
  );
}

/**
 * Roots (other than `seen`, and among `among` when given) of trees where a provider below the
 * root shares an aggregate with a sharing provider. Placement anchors a sharing provider at
 * the root of every provider in its aggregates (research_context.anchors_for_sharing_providers);
 * the engine looks at the roots' own aggregates only, so these hosts are enumerated after the
 * engine's (the enumeration checks every rule, so a root that cannot answer adds nothing).
 * Only partners holding a requested class that the root's own aggregates do not already reach
 * can make a difference.
 */
async function childAnchoredRoots(
  db: Queryable,
  classIds: number[],
  seen: string[],
  among: number[] | null,
): Promise<{ id: number; uuid: string }[]> {
  const { rows } =
    among === null
      ? await db.query<{ id: number; uuid: string }>(CHILD_ANCHORED_SQL, [STANDARD_TRAIT_SHARING, classIds])
      : await db.query<{ id: number; uuid: string }>(CHILD_ANCHORED_AMONG_SQL, [
          STANDARD_TRAIT_SHARING,
          classIds,
          intArrayText(among),
        ]);
  const known = new Set(seen);
  return rows.filter((r) => !known.has(r.uuid));
}

// Sharing providers with a requested class: few, and none at all for most requests.
const PARTNERS_SQL = `partners AS MATERIALIZED (
  SELECT st.provider_id FROM provider_traits st JOIN traits t ON t.id = st.trait_id AND t.name = $1
   WHERE EXISTS (SELECT 1 FROM inventories si WHERE si.provider_id = st.provider_id AND si.resource_class_id = ANY($2::int[])))`;

/** Every root: from the partners' aggregates' members. */
const CHILD_ANCHORED_SQL = `WITH ${PARTNERS_SQL}
SELECT r.id, r.uuid::text AS uuid
  FROM partners sp
  JOIN provider_aggregates sa ON sa.provider_id = sp.provider_id
  JOIN provider_aggregates ma ON ma.aggregate_id = sa.aggregate_id
  JOIN resource_providers m ON m.id = ma.provider_id AND m.parent_provider_id IS NOT NULL
  JOIN resource_providers r ON r.id = m.root_provider_id
 -- a partner the root's own aggregates reach is one the engine already tried
 WHERE NOT EXISTS (SELECT 1 FROM provider_aggregates ra JOIN provider_aggregates rs ON rs.aggregate_id = ra.aggregate_id
                    WHERE ra.provider_id = r.id AND rs.provider_id = sp.provider_id)
 GROUP BY r.id, r.uuid ORDER BY r.id`;

/**
 * The roots the prefilter kept ($3), each checked from its own tree: reading
 * the partners' aggregates' members instead walks every host of the pools (4 000 each in the
 * bench's NUMA world) for a few dozen roots.
 */
const CHILD_ANCHORED_AMONG_SQL = `WITH ${PARTNERS_SQL},
partner_aggregates AS MATERIALIZED (
  SELECT sa.provider_id, sa.aggregate_id FROM partners sp JOIN provider_aggregates sa ON sa.provider_id = sp.provider_id)
SELECT r.id, r.uuid::text AS uuid FROM resource_providers r
 -- per root by index (LATERAL, LIMIT 1 keeps it so): guessing thousands of partners, the planner hashed every child provider
 CROSS JOIN LATERAL (
   SELECT 1 FROM resource_providers m
     JOIN provider_aggregates ma ON ma.provider_id = m.id
     JOIN partner_aggregates pa ON pa.aggregate_id = ma.aggregate_id
    WHERE m.root_provider_id = r.id AND m.parent_provider_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM provider_aggregates ra JOIN partner_aggregates rs ON rs.aggregate_id = ra.aggregate_id
                       WHERE ra.provider_id = r.id AND rs.provider_id = pa.provider_id)
    LIMIT 1) anchored
 WHERE r.id = ANY($3::int[])
 ORDER BY r.id`;

/** Before 1.29 a request may not take from two providers of one tree (Placement's exclude_nested_providers). */
function oneProviderPerTree(areq: Areq, providers: Map<number, WorldProvider>): boolean {
  const ids = new Set(areq.rows.map((r) => r.providerId));
  const roots = new Set([...ids].map((id) => providers.get(id)!.rootId));
  return ids.size === roots.size;
}

function toAllocationRequest(areq: Areq, providers: Map<number, WorldProvider>): AllocationRequest {
  const uuid = (id: number) => providers.get(id)!.uuid;
  return {
    resources: areq.rows.map((r) => ({
      providerUuid: uuid(r.providerId),
      resourceClass: r.resourceClass,
      amount: r.amount,
    })),
    mappings: new Map([...areq.mappings].map(([suffix, ids]) => [suffix, [...ids].map(uuid)])),
  };
}

/**
 * Every provider of every tree a request takes from (a sharing provider's own tree too);
 * before 1.29 in a nested world, only the providers the requests name.
 */
function summaries(kept: Areq[], providers: Map<number, WorldProvider>, excludeNested: boolean): ProviderSummary[] {
  const named = new Set(kept.flatMap((a) => a.rows.map((r) => r.providerId)));
  const roots = new Set([...named].map((id) => providers.get(id)!.rootId));
  const listed = [...providers.values()].filter((p) => (excludeNested ? named.has(p.id) : roots.has(p.rootId)));
  return listed.map((p) => ({
    uuid: p.uuid,
    parentUuid: p.parentId === null ? null : providers.get(p.parentId)!.uuid,
    rootUuid: providers.get(p.rootId)!.uuid,
    resources: [...p.inventories].map(([resourceClass, inv]) => ({
      resourceClass,
      capacity: inv.capacity,
      used: inv.used,
    })),
    traits: [...p.traits],
  }));
}

interface CheckedNames {
  classIds: Map<string, number>;
  inTreeRoots: Map<string, number>;
  /** Read in the same round trip. */
  flags: WorldFlags;
  /** The same names as the engine's resolver reads them (no cell; the unnumbered group's in_tree root). */
  lookup: RequestLookupRow;
}

/**
 * Names checked in Placement's order (root_required, then group by group: classes, member_of,
 * traits, in_tree): an unknown class or trait is a NotFound; a member_of no provider
 * matches, or an unknown in_tree provider, is an empty answer (null), found before any
 * later group's names are looked at.
 */
async function checkNames(db: Queryable, request: CandidateRequest): Promise<CheckedNames | null> {
  const classNames = [...new Set(request.groups.flatMap((g) => g.resources.map(([c]) => c)))];
  const traitNames = [
    ...new Set([
      ...request.rootRequired,
      ...request.rootForbidden,
      ...request.groups.flatMap((g) => [...g.requiredTraits.flat(), ...g.forbiddenTraits]),
      // The engine's searches name it (sharing providers).
      STANDARD_TRAIT_SHARING,
    ]),
  ];
  // Only a uuid in its canonical text form names a provider (as `uuid::text = name` would
  // find it), and the index on uuid serves the lookup (the text comparison scanned every provider).
  const inTrees = [...new Set(request.groups.flatMap((g) => (g.inTree ? [g.inTree] : [])))].filter(isStoredUuid);
  const { rows } = await db.query<{
    classes: { id: number; name: string }[] | null;
    traits: { id: number; name: string }[] | null;
    trees: { uuid: string; root: number }[] | null;
    hasTrees: boolean;
    hasSharing: boolean;
  }>(prepared(CHECK_NAMES_SQL, [classNames, traitNames, inTrees, STANDARD_TRAIT_SHARING]));
  const row = rows[0]!;
  const classIds = new Map((row.classes ?? []).map((c) => [c.name, c.id]));
  const traits = new Set((row.traits ?? []).map((t) => t.name));
  const treeRoots = new Map((row.trees ?? []).map((t) => [t.uuid, t.root]));
  const needTraits = (names: string[], field: string) => {
    for (const t of names) if (!traits.has(t)) throw new NotFoundError('Trait', t, field);
  };
  needTraits(request.rootRequired, 'root_required');
  needTraits(request.rootForbidden, 'root_required');
  const unknownTrait = (names: string[], field: string) => {
    const name = names.find((t) => !traits.has(t));
    return name === undefined ? null : new NotFoundError('Trait', name, field);
  };
  // Placement looks a group's names up only once every earlier group has candidates of its own
  // (AllocationCandidates._get_by_requests returns empty at the first group without): an
  // unknown name after such a group is an empty answer, not a 400.
  const refuse = async (index: number, error: NotFoundError): Promise<null> => {
    if (await someGroupWithoutCandidates(db, request, index)) return null;
    throw error;
  };
  const inTreeRoots = new Map<string, number>();
  for (const [index, g] of request.groups.entries()) {
    const unknownClass = g.resources.map(([c]) => c).find((c) => !classIds.has(c));
    if (unknownClass !== undefined)
      return refuse(index, new NotFoundError('ResourceClass', unknownClass, `resources${g.suffix}`));
    if (g.memberOf.length > 0 && !(await someProviderIn(db, g.memberOf))) return null;
    const traitError =
      unknownTrait(g.requiredTraits.flat(), `required${g.suffix}`) ??
      unknownTrait(g.forbiddenTraits, `required${g.suffix}`);
    if (traitError !== null) return refuse(index, traitError);
    if (g.inTree) {
      // Looked up as written (Placement compares the text): another spelling of a uuid names no tree.
      const root = treeRoots.get(g.inTree);
      if (root === undefined) return null;
      inTreeRoots.set(g.suffix, root);
    }
  }
  const unnumberedTree = request.groups.find((g) => g.suffix === '')?.inTree;
  return {
    classIds,
    inTreeRoots,
    flags: { hasTrees: row.hasTrees, hasSharing: row.hasSharing },
    lookup: {
      classes: row.classes,
      traits: row.traits,
      cell: null,
      root: unnumberedTree ? (treeRoots.get(unnumberedTree) ?? null) : null,
      nested: row.hasTrees || row.hasSharing,
    },
  };
}

/**
 * Whether one of the first `count` groups, asked alone, has no allocation request: where
 * Placement stops before the next group (its per-group search, before group_policy,
 * same_subtree and the pre-1.29 nested exclusion, which the lone group does not meet).
 */
async function someGroupWithoutCandidates(db: Queryable, request: CandidateRequest, count: number): Promise<boolean> {
  for (const group of request.groups.slice(0, count)) {
    const alone: CandidateRequest = { ...request, groups: [group], limit: 1, sameSubtrees: [], nestedAware: true };
    if ((await placementCandidates(db, alone)).allocationRequests.length === 0) return true;
  }
  return false;
}

// Constant text (arrays as parameters): prepared once per connection.
const CHECK_NAMES_SQL = `SELECT (SELECT json_agg(json_build_object('id', id, 'name', name)) FROM resource_classes WHERE name = ANY($1::text[])) AS classes,
            (SELECT json_agg(json_build_object('id', id, 'name', name)) FROM traits WHERE name = ANY($2::text[])) AS traits,
            (SELECT json_agg(json_build_object('uuid', uuid, 'root', root_provider_id)) FROM resource_providers
              WHERE uuid = ANY($3::uuid[])) AS trees,
            ${worldFlagsColumns('$4')}`;

/** Whether any provider is in every one of the aggregate lists (each list: any of its aggregates). */
async function someProviderIn(db: Queryable, memberOf: string[][]): Promise<boolean> {
  const { rows } = await db.query<{ found: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM resource_providers p WHERE (SELECT bool_and(EXISTS (
        SELECT 1 FROM provider_aggregates pa JOIN aggregates a ON a.id = pa.aggregate_id
         WHERE pa.provider_id = p.id AND a.uuid::text = ANY(string_to_array(l.list, ','))))
       FROM unnest($1::text[]) AS l(list))) AS found`,
    [memberOf.map((list) => list.join(','))],
  );
  return rows[0]!.found;
}

/**
 * The engine request that finds every host Placement could anchor a request at: the
 * numbered groups as they are, the unnumbered group's classes (Placement checks its
 * traits and aggregates across a combination's providers, not on the host: enumerate.ts
 * does), and no group the engine cannot express (resourceless without a selecting filter).
 * In a database without trees or sharing providers every combination is the host alone,
 * so the unnumbered group's filters are host filters: the engine applies them, and the
 * hosts it returns are the ones that can answer (otherwise a rare trait would have the
 * loop below load and enumerate every host, batch by batch, to find a few).
 */
function engineSearch(request: CandidateRequest, flags: WorldFlags): PlacementRequest {
  const unnumbered = request.groups.find((g) => g.suffix === '');
  if (unnumbered !== undefined && unnumbered.resources.length > 0 && !flags.hasTrees && !flags.hasSharing) {
    try {
      return parsePlacementRequest({
        ...engineRequest(request),
        requiredTraits: unnumbered.requiredTraits.filter((s) => s.length === 1).map((s) => s[0]!),
        anyOfTraits: unnumbered.requiredTraits.filter((s) => s.length > 1),
        forbiddenTraits: unnumbered.forbiddenTraits,
        memberOf: unnumbered.memberOf,
        forbiddenAggregates: unnumbered.forbiddenAggregates,
      });
    } catch (error) {
      // Filters past the engine's input limits (or a trait both required and forbidden):
      // the search without them, the enumeration still applies them.
      if (!(error instanceof InvalidInputError)) throw error;
    }
  }
  return parsePlacementRequest(engineRequest(request));
}

/**
 * The only hosts that can answer, when the unnumbered group's filters are checked across a
 * combination (trees or sharing) and a rare trait or aggregate narrows them (prefilter.ts):
 * the engine then searches those hosts instead of the loop walking every host batch by
 * batch. Null: search every host. Only hosts that could give no request are left out, and
 * the engine's order is a total order, so the answer is the same either way.
 */
async function hostRestriction(db: Queryable, request: CandidateRequest, flags: WorldFlags): Promise<number[] | null> {
  const unnumbered = request.groups.find((g) => g.suffix === '');
  if (unnumbered === undefined || unnumbered.resources.length === 0) return null;
  if (!flags.hasTrees && !flags.hasSharing) return null; // engineSearch gives the engine the filters
  return unnumberedRoots(db, unnumbered);
}

function engineRequest(request: CandidateRequest): PlacementRequestInput {
  const unnumbered = request.groups.find((g) => g.suffix === '');
  const groups = request.groups.filter(
    (g) => g.suffix !== '' && (g.resources.length > 0 || g.requiredTraits.length > 0 || g.memberOf.length > 0),
  );
  const names = new Set(groups.map((g) => g.suffix));
  const sameSubtree = request.sameSubtrees
    .map((list) => list.filter((s) => names.has(s)))
    .filter((list) => list.length > 0);
  return {
    resources: (unnumbered?.resources ?? []).map(([resourceClass, amount]) => ({ resourceClass, amount })),
    inTree: unnumbered?.inTree ?? null,
    groups: groups.map((g) => engineGroup(g)),
    groupPolicy: request.groupPolicy === null ? null : request.groupPolicy === 'isolate' ? 'ISOLATE' : 'NONE',
    sameSubtree: sameSubtree.length > 0 ? sameSubtree : null,
    rootRequiredTraits: request.rootRequired,
    rootForbiddenTraits: request.rootForbidden,
  };
}

function engineGroup(g: CandidateGroup) {
  return {
    name: g.suffix,
    resources: g.resources.map(([resourceClass, amount]) => ({ resourceClass, amount })),
    requiredTraits: g.requiredTraits.filter((s) => s.length === 1).map((s) => s[0]!),
    anyOfTraits: g.requiredTraits.filter((s) => s.length > 1),
    forbiddenTraits: g.forbiddenTraits,
    memberOf: g.memberOf,
    forbiddenAggregates: g.forbiddenAggregates,
  };
}
