import type pg from 'pg';
import { z } from 'zod';
import { STANDARD_TRAIT_SHARING } from './catalogue.js';
import { InvalidInputError, NotFoundError } from './errors.js';
import { BOUND_CLASSES, fitsSql, freeShareSql } from './fit.js';
import { prepared, type Queryable, withClient } from './transactions.js';
import { distinctResourceAmounts, parseInput, referenceName, uuidString } from './validation.js';

/**
 * Candidate search. A candidate is a provider tree, named by its root (the host):
 *  - filters (cell, inTree, traits, aggregates) apply to the root;
 *  - each requested class is served by ONE provider: the root itself when its own inventory
 *    fits (the flat fast path), else the fitting descendant with the most free share, else
 *    the fitting sharing provider (trait MISC_SHARES_VIA_AGGREGATE, in an aggregate with the
 *    root) with the most free share; ties break on provider uuid;
 *  - the weigher scores a candidate by the mean free share (capacity − used) / capacity of
 *    its serving inventories: SPREAD = highest first, PACK = lowest first; ties break on the
 *    root's uuid, so identical calls on identical data give identical results.
 * The fit rule is `fitsSql`, the same predicate allocation writes and claims check.
 */

export const MAX_LIMIT = 1000;
export const DEFAULT_LIMIT = 50;

export type Weigher = 'SPREAD' | 'PACK';

const placementRequestSchema = z
  .object({
    resources: distinctResourceAmounts(50),
    requiredTraits: z.array(referenceName('trait')).max(100).nullish(),
    forbiddenTraits: z.array(referenceName('trait')).max(100).nullish(),
    anyOfTraits: z
      .array(z.array(referenceName('trait')).min(1, { message: 'an any-of group needs at least one trait' }).max(100))
      .max(20)
      .nullish(),
    memberOf: z
      .array(z.array(uuidString).min(1, { message: 'a memberOf group needs at least one aggregate' }).max(100))
      .max(20)
      .nullish(),
    forbiddenAggregates: z.array(uuidString).max(100).nullish(),
    inTree: uuidString.nullish(),
    cell: uuidString.nullish(),
  })
  .superRefine((request, ctx) => {
    const required = new Set(request.requiredTraits ?? []);
    (request.forbiddenTraits ?? []).forEach((t, i) => {
      if (required.has(t)) {
        ctx.addIssue({
          code: 'custom',
          path: ['forbiddenTraits', i],
          message: `${t} is both required and forbidden`,
          params: { rule: 'not-also-required' },
        });
      }
    });
  });

export type PlacementRequestInput = z.input<typeof placementRequestSchema>;
export type PlacementRequest = z.output<typeof placementRequestSchema>;

export function parsePlacementRequest(raw: unknown, prefix = 'request'): PlacementRequest {
  return parseInput(placementRequestSchema, raw, prefix);
}

/** `bounds` narrows the engine's default and maximum (an API version's own numbers). */
export function parseLimit(
  limit: number | null | undefined,
  field = 'limit',
  bounds: { defaultLimit: number; maxLimit: number } = { defaultLimit: DEFAULT_LIMIT, maxLimit: MAX_LIMIT },
): number {
  if (limit == null) return bounds.defaultLimit;
  const max = Math.min(bounds.maxLimit, MAX_LIMIT);
  if (!Number.isInteger(limit) || limit < 1)
    throw new InvalidInputError(field, 'min:1', `${field}: must be at least 1`);
  if (limit > max) throw new InvalidInputError(field, `max:${max}`, `${field}: must be at most ${max}`);
  return limit;
}

export function parseHostSubsetSize(size: number | null | undefined, field = 'hostSubsetSize'): number {
  if (size == null) return 1;
  if (!Number.isInteger(size) || size < 1) throw new InvalidInputError(field, 'min:1', `${field}: must be at least 1`);
  if (size > MAX_LIMIT)
    throw new InvalidInputError(field, `max:${MAX_LIMIT}`, `${field}: must be at most ${MAX_LIMIT}`);
  return size;
}

/** A request with every name resolved to ids; unknown classes, traits, cells, trees are errors. */
export interface ResolvedRequest {
  request: PlacementRequest;
  classIds: number[];
  classNames: string[];
  amounts: number[];
  requiredTraitIds: number[];
  forbiddenTraitIds: number[];
  anyOfTraitIds: number[][];
  memberOf: string[][];
  forbiddenAggregates: string[];
  cellId: number | null;
  inTreeRootId: number | null;
  sharingTraitId: number;
  /** Whether any provider has a parent or the sharing trait; without either, only flat candidates exist. */
  nested: boolean;
}

/** What the name-resolving query answers for one request (see requestLookup). */
export interface RequestLookupRow {
  classes: { id: number; name: string }[] | null;
  traits: { id: number; name: string }[] | null;
  cell: number | null;
  root: number | null;
  nested: boolean;
}

/**
 * The query that resolves every name of a request, as SQL text that never changes (so it
 * is prepared once per connection) and its five values. Callers that need more facts in
 * the same round trip (claims: does the consumer exist, was the key used) select from it.
 */
export function requestLookup(request: PlacementRequest): { sql: string; values: unknown[] } {
  const required = request.requiredTraits ?? [];
  const forbidden = request.forbiddenTraits ?? [];
  const anyOf = request.anyOfTraits ?? [];
  const traitNames = [...new Set([...required, ...forbidden, ...anyOf.flat(), STANDARD_TRAIT_SHARING])];
  return {
    sql: REQUEST_LOOKUP_SQL,
    values: [
      request.resources.map((r) => r.resourceClass),
      traitNames,
      request.cell ?? null,
      request.inTree ?? null,
      STANDARD_TRAIT_SHARING,
    ],
  };
}

const REQUEST_LOOKUP_SQL = `SELECT (SELECT json_agg(json_build_object('id', id, 'name', name)) FROM resource_classes WHERE name = ANY($1::text[])) AS classes,
            (SELECT json_agg(json_build_object('id', id, 'name', name)) FROM traits WHERE name = ANY($2::text[])) AS traits,
            (SELECT id FROM cells WHERE uuid = $3::uuid) AS cell,
            (SELECT root_provider_id FROM resource_providers WHERE uuid = $4::uuid) AS root,
            EXISTS (SELECT 1 FROM resource_providers WHERE parent_provider_id IS NOT NULL)
              OR EXISTS (SELECT 1 FROM provider_traits pt JOIN traits t ON t.id = pt.trait_id WHERE t.name = $5) AS nested`;

/** Resolves every name in one round trip; the first unknown one is a NotFound naming its field. */
export async function resolveRequest(
  db: Queryable,
  request: PlacementRequest,
  prefix = 'request',
): Promise<ResolvedRequest> {
  const lookup = requestLookup(request);
  const { rows } = await db.query<RequestLookupRow>(prepared(lookup.sql, lookup.values));
  return resolvedFrom(request, rows[0]!, prefix);
}

/** The request with its names replaced by the looked-up ids; the first unknown name is a NotFound naming its field. */
export function resolvedFrom(request: PlacementRequest, row: RequestLookupRow, prefix = 'request'): ResolvedRequest {
  const classNames = request.resources.map((r) => r.resourceClass);
  const required = request.requiredTraits ?? [];
  const forbidden = request.forbiddenTraits ?? [];
  const anyOf = request.anyOfTraits ?? [];
  const classIds = new Map((row.classes ?? []).map((c) => [c.name, c.id]));
  const traitIdByName = new Map((row.traits ?? []).map((t) => [t.name, t.id]));
  classNames.forEach((name, i) => {
    if (!classIds.has(name)) throw new NotFoundError('ResourceClass', name, `${prefix}.resources[${i}].resourceClass`);
  });
  const traitId = (name: string, field: string) => {
    const id = traitIdByName.get(name);
    if (id === undefined) throw new NotFoundError('Trait', name, field);
    return id;
  };
  const requiredTraitIds = required.map((t, i) => traitId(t, `${prefix}.requiredTraits[${i}]`));
  const forbiddenTraitIds = forbidden.map((t, i) => traitId(t, `${prefix}.forbiddenTraits[${i}]`));
  const anyOfTraitIds = anyOf.map((group, g) => group.map((t, i) => traitId(t, `${prefix}.anyOfTraits[${g}][${i}]`)));
  if (request.cell && row.cell === null) throw new NotFoundError('Cell', request.cell, `${prefix}.cell`);
  if (request.inTree && row.root === null)
    throw new NotFoundError('ResourceProvider', request.inTree, `${prefix}.inTree`);
  return {
    request,
    classIds: classNames.map((n) => classIds.get(n)!),
    classNames,
    amounts: request.resources.map((r) => r.amount),
    requiredTraitIds,
    forbiddenTraitIds,
    anyOfTraitIds,
    memberOf: request.memberOf ?? [],
    forbiddenAggregates: request.forbiddenAggregates ?? [],
    cellId: row.cell,
    inTreeRootId: row.root,
    sharingTraitId: traitId(STANDARD_TRAIT_SHARING, 'catalogue'),
    nested: row.nested,
  };
}

/** Collects positional parameters while SQL text is assembled. */
class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** One SQL condition on root `p` per filter, each with a label for explain. */
interface RootCondition {
  label: string;
  constraint: string;
  sql: string;
}

function rootConditions(
  r: ResolvedRequest,
  params: Params,
  names: { traits: Map<number, string> },
  explainEachTrait = false,
): RootCondition[] {
  const out: RootCondition[] = [];
  if (r.cellId !== null)
    out.push({ label: 'cell', constraint: 'WRONG_CELL', sql: `p.cell_id = ${params.add(r.cellId)}` });
  if (r.inTreeRootId !== null)
    out.push({ label: 'inTree', constraint: 'NOT_IN_TREE', sql: `p.id = ${params.add(r.inTreeRootId)}` });
  // Trait tests read the provider's trait_ids array (kept in step with provider_traits).
  if (explainEachTrait) {
    for (const traitId of r.requiredTraitIds) {
      out.push({
        label: names.traits.get(traitId) ?? String(traitId),
        constraint: 'MISSING_REQUIRED_TRAIT',
        sql: `p.trait_ids @> ARRAY[${params.add(traitId)}::int]`,
      });
    }
  } else if (r.requiredTraitIds.length > 0) {
    out.push({
      label: 'required',
      constraint: 'MISSING_REQUIRED_TRAIT',
      sql: `p.trait_ids @> ${params.add(r.requiredTraitIds)}::int[]`,
    });
  }
  if (r.forbiddenTraitIds.length > 0) {
    out.push({
      label: r.request.forbiddenTraits!.join(','),
      constraint: 'HAS_FORBIDDEN_TRAIT',
      sql: `NOT (p.trait_ids && ${params.add(r.forbiddenTraitIds)}::int[])`,
    });
  }
  r.anyOfTraitIds.forEach((group, g) => {
    out.push({
      label: r.request.anyOfTraits![g]!.join('|'),
      constraint: 'NO_ANY_OF_TRAIT',
      sql: `p.trait_ids && ${params.add(group)}::int[]`,
    });
  });
  r.memberOf.forEach((group) => {
    out.push({
      label: group.join('|'),
      constraint: 'NOT_MEMBER_OF',
      sql: `EXISTS (SELECT 1 FROM provider_aggregates pa JOIN aggregates a ON a.id = pa.aggregate_id
                     WHERE pa.provider_id = p.id AND a.uuid = ANY(${params.add(group)}::uuid[]))`,
    });
  });
  if (r.forbiddenAggregates.length > 0) {
    out.push({
      label: r.forbiddenAggregates.join(','),
      constraint: 'IN_FORBIDDEN_AGGREGATE',
      sql: `NOT EXISTS (SELECT 1 FROM provider_aggregates pa JOIN aggregates a ON a.id = pa.aggregate_id
                         WHERE pa.provider_id = p.id AND a.uuid = ANY(${params.add(r.forbiddenAggregates)}::uuid[]))`,
    });
  }
  return out;
}

export interface ServingInventory {
  providerUuid: string;
  resourceClass: string;
  amount: number;
  capacity: number;
  used: number;
}

export interface Candidate {
  rootUuid: string;
  cellUuid: string | null;
  score: number;
  /** One entry per requested class, in request order. */
  serving: ServingInventory[];
}

interface CandidateRow {
  root_uuid: string;
  cell_uuid: string | null;
  score: number;
  serving: { p: string; o: number; cap: number; used: number }[];
}

function toCandidate(r: ResolvedRequest, row: CandidateRow): Candidate {
  const serving = [...row.serving].sort((a, b) => a.o - b.o);
  return {
    rootUuid: row.root_uuid,
    cellUuid: row.cell_uuid,
    score: row.score,
    serving: serving.map((s) => ({
      providerUuid: s.p,
      resourceClass: r.classNames[s.o - 1]!,
      amount: r.amounts[s.o - 1]!,
      capacity: s.cap,
      used: s.used,
    })),
  };
}

export interface SearchOptions {
  limit: number;
  weigher: Weigher;
  /** Only these roots (a caller-supplied candidate list). */
  onlyRoots?: string[];
  /** Leave these roots out (already chosen or tried). */
  excludeRoots?: string[];
  /** Hosts the bound-ordered walk may visit before scoring the rest in one statement. */
  walkBudget?: number;
}

function extraRootFilters(options: SearchOptions, params: Params): string[] {
  const out: string[] = [];
  if (options.onlyRoots) out.push(`p.uuid = ANY(${params.add(options.onlyRoots)}::uuid[])`);
  if (options.excludeRoots?.length) out.push(`p.uuid <> ALL(${params.add(options.excludeRoots)}::uuid[])`);
  return out;
}

/**
 * A candidate's score as SQL: the mean free share rounded to 12 decimals, so means that are
 * mathematically equal but summed in a different order (0.1+0.2+0.3 vs 0.3+0.2+0.1 differ in
 * the last bit) are one score and tie-break on uuid, as documented.
 */
const roundedScore = (mean: string) => `(round(${mean} * 1e12::float8) / 1e12::float8)`;

/** Scores closer than this are one score (float noise between a mean and its bound). */
const SCORE_EPSILON = 1e-12;
/** Rows the bound-ordered walk may visit before it scores the rest in one statement. */
const WALK_BUDGET = 6000;

interface WalkRow {
  root_uuid: string;
  cell_uuid: string | null;
  walk_key: number;
  n: number;
  score: number;
  /** The root's [capacity, used] of each requested class, in request order (complete when n = classes). */
  inventories: [number, number][] | null;
}

function flatCandidate(r: ResolvedRequest, row: WalkRow): Candidate {
  return {
    rootUuid: row.root_uuid,
    cellUuid: row.cell_uuid,
    score: row.score,
    serving: r.classNames.map((resourceClass, i) => ({
      providerUuid: row.root_uuid,
      resourceClass,
      amount: r.amounts[i]!,
      capacity: row.inventories![i]![0],
      used: row.inventories![i]![1],
    })),
  };
}

/**
 * Roots whose own inventories fit every requested class (the flat fast path), best first.
 *
 * A candidate's weight is the mean of k of its free shares, so it lies between the means
 * of the host's k smallest and k largest shares (pack_bounds[k] / spread_bounds[k], kept
 * on the provider row). The search walks the filtered roots in bound order through an index (SPREAD: max
 * descending, PACK: min ascending, then uuid), scores each batch exactly (the fit rule and
 * the shares from `inventories`), and stops as soon as no unseen root can outrank the
 * `limit`-th best found. The work follows the hosts returned, not the hosts stored; batches
 * grow ×4 so selective filters need few round trips.
 */
async function flatCandidates(db: Queryable, r: ResolvedRequest, options: SearchOptions): Promise<Candidate[]> {
  const spread = options.weigher !== 'PACK';
  // One ascending key per weigher: SPREAD walks −max (max descending), PACK walks min.
  // The bound for this many classes: a mean of k shares lies within the means of the k
  // largest and k smallest (k capped at BOUND_CLASSES; fewer classes than k: no flat fit).
  const k = Math.min(r.classIds.length, BOUND_CLASSES);
  const boundColumn = spread ? `p.spread_bounds[${k}]` : `p.pack_bounds[${k}]`;
  const walkKey = spread ? `(-(${boundColumn}))` : boundColumn;
  // Trait and aggregate filters are planned for their values (a rare trait is better found
  // through the GIN index than by the walk), so those statements are not prepared: a
  // prepared statement may settle on one generic plan for all values.
  const planStable = valueIndependentPlan(r);
  const found: Candidate[] = [];
  let frontier: { key: number; uuid: string } | null = null;
  let walked = 0;
  // A batch counts hosts that passed the filters, however many the index walk skipped. The
  // first is a little over `limit`: where the bound is the weight (the host has exactly
  // the requested classes) and most hosts fit, one batch decides.
  let batch = Math.max(64, Math.ceil(options.limit * 1.25));
  for (;;) {
    // Past WALK_BUDGET rows the bounds are not cutting (e.g. PACK over many nearly full
    // hosts): score all remaining roots in one statement and keep the best.
    const finish = walked >= (options.walkBudget ?? WALK_BUDGET);
    const params = new Params();
    const classes = params.add(r.classIds);
    const amounts = params.add(r.amounts);
    const conditions = [
      'p.parent_provider_id IS NULL',
      `${boundColumn} IS NOT NULL`,
      ...rootConditions(r, params, { traits: new Map() }).map((c) => c.sql),
      ...extraRootFilters(options, params),
    ];
    if (frontier)
      conditions.push(
        `(${walkKey}, p.uuid) > (${params.add(frontier.key)}::float8, ${params.add(frontier.uuid)}::uuid)`,
      );
    // The root serves every class here, so each serving inventory travels as a [capacity,
    // used] pair in request order (cheaper to build than a JSON object per class, and JSON
    // parses faster in Node than PostgreSQL's array text).
    const fit = `LATERAL (
          SELECT count(*)::int AS n, ${roundedScore(`avg(${freeShareSql('i')})`)} AS score,
                 json_agg(json_build_array(i.capacity, i.used) ORDER BY req.ord) AS inventories
            FROM unnest(${classes}::int[], ${amounts}::int[]) WITH ORDINALITY AS req(class_id, amount, ord)
            JOIN inventories i ON i.provider_id = p.id AND i.resource_class_id = req.class_id
           WHERE ${fitsSql('i', 'req.amount')}) fit`;
    // Walking: the batch of hosts is cut in a subquery first, so inventories are probed for
    // that batch only, whatever plan the planner picks for the hosts. Finishing: every
    // remaining host is scored and the best `limit` kept. The limits are written into the
    // text (integers from this code, a few distinct values): a prepared statement's generic
    // plan then knows them, and PostgreSQL keeps that plan instead of planning every call.
    if (!Number.isInteger(batch) || !Number.isInteger(options.limit))
      throw new Error('batch and limit must be integers');
    const sql = finish
      ? `SELECT p.uuid AS root_uuid, c.uuid AS cell_uuid, ${walkKey} AS walk_key, fit.n, fit.score, fit.inventories
           FROM resource_providers p CROSS JOIN ${fit}
           LEFT JOIN cells c ON c.id = p.cell_id
          WHERE ${conditions.join(' AND ')} AND fit.n = ${params.add(r.classIds.length)}
          ORDER BY fit.score ${spread ? 'DESC' : 'ASC'}, p.uuid
          LIMIT ${options.limit}`
      : `SELECT p.uuid AS root_uuid, c.uuid AS cell_uuid, p.walk_key, fit.n, fit.score, fit.inventories
           FROM (SELECT p.id, p.uuid, p.cell_id, ${walkKey} AS walk_key FROM resource_providers p
                  WHERE ${conditions.join(' AND ')}
                  ORDER BY ${walkKey}, p.uuid
                  LIMIT ${batch}) p
           LEFT JOIN ${fit} ON true
           LEFT JOIN cells c ON c.id = p.cell_id
          ORDER BY p.walk_key, p.uuid`;
    const { rows } = await db.query<WalkRow>(
      planStable ? prepared(sql, params.values) : { text: sql, values: params.values },
    );
    for (const row of rows) if (row.n === r.classIds.length) found.push(flatCandidate(r, row));
    if (finish || rows.length < batch) break;
    walked += rows.length;
    const last = rows[rows.length - 1]!;
    frontier = { key: last.walk_key, uuid: last.root_uuid };
    if (found.length >= options.limit && walkIsDone(found, options, frontier, spread)) break;
    batch *= 4;
  }
  return found.sort(compareCandidates(options.weigher)).slice(0, options.limit);
}

/** Whether the search's best plan is the same whatever the values: no trait or aggregate filters. */
function valueIndependentPlan(r: ResolvedRequest): boolean {
  return (
    r.requiredTraitIds.length === 0 &&
    r.forbiddenTraitIds.length === 0 &&
    r.anyOfTraitIds.length === 0 &&
    r.memberOf.length === 0 &&
    r.forbiddenAggregates.length === 0
  );
}

/**
 * Whether any root after `frontier` could still outrank the `limit`-th best found. An
 * unseen root has bound ≤ frontier bound (SPREAD; ≥ for PACK) and its score lies within
 * its bound; at an equal bound it comes after the frontier's uuid.
 */
function walkIsDone(
  found: Candidate[],
  options: SearchOptions,
  frontier: { key: number; uuid: string },
  spread: boolean,
): boolean {
  const kth = [...found].sort(compareCandidates(options.weigher))[options.limit - 1]!;
  const bound = spread ? -frontier.key : frontier.key;
  const margin = spread ? kth.score - bound : bound - kth.score;
  if (margin > SCORE_EPSILON) return true;
  return margin >= -SCORE_EPSILON && kth.rootUuid <= frontier.uuid;
}

/**
 * Candidates in which at least one class is served by a descendant or a sharing provider
 * (the root alone does not fit). Only run when the data has trees or sharing providers.
 */
async function treeCandidates(db: Queryable, r: ResolvedRequest, options: SearchOptions): Promise<Candidate[]> {
  const params = new Params();
  const classes = params.add(r.classIds);
  const amounts = params.add(r.amounts);
  const sharingTrait = params.add(r.sharingTraitId);
  const conditions = [
    'p.parent_provider_id IS NULL',
    ...rootConditions(r, params, { traits: new Map() }).map((c) => c.sql),
    ...extraRootFilters(options, params),
  ];
  const order = options.weigher === 'PACK' ? 'ASC' : 'DESC';
  const sql = `
    WITH req AS (SELECT * FROM unnest(${classes}::int[], ${amounts}::int[]) WITH ORDINALITY AS req(class_id, amount, ord)),
    roots AS (SELECT p.id, p.uuid, p.cell_id FROM resource_providers p WHERE ${conditions.join(' AND ')}),
    sharing AS (
      SELECT DISTINCT root_pa.provider_id AS root_id, share_pa.provider_id AS provider_id
        FROM provider_traits st
        JOIN provider_aggregates share_pa ON share_pa.provider_id = st.provider_id
        JOIN provider_aggregates root_pa ON root_pa.aggregate_id = share_pa.aggregate_id
       WHERE st.trait_id = ${sharingTrait}),
    options AS (
      SELECT roots.id AS root_id, req.ord, sp.uuid AS provider_uuid, i.capacity, i.used, ${freeShareSql('i')} AS free_share,
             CASE WHEN sp.id = roots.id THEN 0 WHEN sp.root_provider_id = roots.id THEN 1 ELSE 2 END AS preference
        FROM roots CROSS JOIN req
        JOIN inventories i ON i.resource_class_id = req.class_id AND ${fitsSql('i', 'req.amount')}
        JOIN resource_providers sp ON sp.id = i.provider_id
       WHERE sp.root_provider_id = roots.id
          OR EXISTS (SELECT 1 FROM sharing s WHERE s.root_id = roots.id AND s.provider_id = sp.id)),
    chosen AS (
      SELECT DISTINCT ON (root_id, ord) * FROM options
       ORDER BY root_id, ord, preference, free_share DESC, provider_uuid)
    SELECT roots.uuid AS root_uuid, c.uuid AS cell_uuid, ${roundedScore('avg(chosen.free_share)')} AS score,
           json_agg(json_build_object('p', chosen.provider_uuid, 'o', chosen.ord, 'cap', chosen.capacity, 'used', chosen.used)) AS serving
      FROM chosen JOIN roots ON roots.id = chosen.root_id LEFT JOIN cells c ON c.id = roots.cell_id
     GROUP BY roots.id, roots.uuid, c.uuid
    HAVING count(*) = ${params.add(r.classIds.length)} AND max(chosen.preference) > 0
     ORDER BY score ${order}, roots.uuid ASC
     LIMIT ${params.add(options.limit)}`;
  const { rows } = await db.query<CandidateRow>(sql, params.values);
  return rows.map((row) => toCandidate(r, row));
}

export function compareCandidates(weigher: Weigher) {
  return (a: Candidate, b: Candidate): number => {
    if (a.score !== b.score) return weigher === 'PACK' ? a.score - b.score : b.score - a.score;
    return a.rootUuid < b.rootUuid ? -1 : a.rootUuid > b.rootUuid ? 1 : 0;
  };
}

/** The best `limit` candidates in weighed order. */
export async function searchCandidates(
  db: Queryable,
  r: ResolvedRequest,
  options: SearchOptions,
): Promise<Candidate[]> {
  const flat = await flatCandidates(db, r, options);
  if (!r.nested) return flat;
  const trees = await treeCandidates(db, r, options);
  if (trees.length === 0) return flat;
  return [...flat, ...trees].sort(compareCandidates(options.weigher)).slice(0, options.limit);
}

/** Moves one of the best `k` to the front at random (herd control for racing schedulers). */
export function pickFromSubset<T>(items: T[], k: number, random: () => number = Math.random): T[] {
  if (k <= 1 || items.length <= 1) return items;
  const index = Math.floor(random() * Math.min(k, items.length));
  if (index === 0) return items;
  const copy = [...items];
  const [picked] = copy.splice(index, 1);
  return [picked!, ...copy];
}

export interface CandidateQuery {
  request: unknown;
  limit?: number | null;
  weigher?: Weigher | null;
  hostSubsetSize?: number | null;
}

/** allocationCandidates: validate, resolve, search, then the optional random pick. */
export async function allocationCandidates(pool: pg.Pool, query: CandidateQuery): Promise<Candidate[]> {
  const request = parsePlacementRequest(query.request);
  const limit = parseLimit(query.limit);
  const subset = parseHostSubsetSize(query.hostSubsetSize);
  return withClient(pool, async (client) => {
    const resolved = await resolveRequest(client, request);
    const candidates = await searchCandidates(client, resolved, { limit, weigher: query.weigher ?? 'SPREAD' });
    return pickFromSubset(candidates, subset);
  });
}

export interface ExplanationStep {
  constraint: string;
  detail: string;
  eliminated: number;
}

export interface Explanation {
  providersConsidered: number;
  steps: ExplanationStep[];
  remaining: number;
}

/**
 * For an operator: how many root providers each constraint eliminated, applied in order
 * (cell, tree, traits, aggregates, then per class: no inventory, not enough free), and how
 * many remain. `remaining` equals the number of candidates an unlimited search returns.
 */
export async function explainPlacement(pool: pg.Pool, rawRequest: unknown): Promise<Explanation> {
  const request = parsePlacementRequest(rawRequest);
  return withClient(pool, async (client) => {
    const r = await resolveRequest(client, request);
    const params = new Params();
    const traitNames = new Map<number, string>();
    (request.requiredTraits ?? []).forEach((t, i) => traitNames.set(r.requiredTraitIds[i]!, t));
    const conditions = rootConditions(r, params, { traits: traitNames }, true);
    // For each class: some provider serving the host has the class, and one of those fits.
    // Without trees or sharing providers in the data, only the host's own inventory serves.
    const nested = r.nested;
    const sharingTrait = nested ? params.add(r.sharingTraitId) : '';
    r.classIds.forEach((classId, index) => {
      const servers = nested
        ? `FROM inventories i JOIN resource_providers sp ON sp.id = i.provider_id
            WHERE i.resource_class_id = ${params.add(classId)}
              AND (sp.root_provider_id = p.id OR EXISTS (
                    SELECT 1 FROM provider_traits st JOIN provider_aggregates share_pa ON share_pa.provider_id = st.provider_id
                      JOIN provider_aggregates root_pa ON root_pa.aggregate_id = share_pa.aggregate_id
                     WHERE st.trait_id = ${sharingTrait} AND st.provider_id = sp.id AND root_pa.provider_id = p.id))`
        : `FROM inventories i WHERE i.provider_id = p.id AND i.resource_class_id = ${params.add(classId)}`;
      conditions.push({ label: r.classNames[index]!, constraint: 'NO_INVENTORY', sql: `EXISTS (SELECT 1 ${servers})` });
      conditions.push({
        label: `${r.classNames[index]!}:${r.amounts[index]!}`,
        constraint: 'NOT_ENOUGH_CAPACITY',
        sql: `EXISTS (SELECT 1 ${servers} AND ${fitsSql('i', params.add(r.amounts[index]!))})`,
      });
    });
    const counts = conditions.map((c, i) => {
      const before = conditions.slice(0, i).map((x) => `(${x.sql})`);
      // IS NOT TRUE, not NOT: a condition that is NULL (a root with no cell) fails the filter too.
      return `count(*) FILTER (WHERE ${[...before, `(${c.sql}) IS NOT TRUE`].join(' AND ')})::int AS c${i}`;
    });
    const all = conditions.map((c) => `(${c.sql})`).join(' AND ') || 'true';
    const { rows } = await client.query<Record<string, number>>(
      `SELECT count(*)::int AS total, count(*) FILTER (WHERE ${all})::int AS remaining${counts.length ? ', ' + counts.join(', ') : ''}
         FROM resource_providers p WHERE p.parent_provider_id IS NULL`,
      params.values,
    );
    const row = rows[0]!;
    return {
      providersConsidered: row.total!,
      steps: conditions.map((c, i) => ({ constraint: c.constraint, detail: c.label, eliminated: row[`c${i}`]! })),
      remaining: row.remaining!,
    };
  });
}
