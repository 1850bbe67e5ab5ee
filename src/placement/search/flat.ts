import { BOUND_CLASSES, fitsSql, freeShareSql } from '../fit.js';
import { providerRecordsSql } from '../provider-records.js';
import type { ResolvedRequest } from '../request.js';
import { Params, roundedScore } from '../sql.js';
import { prepared, type Queryable } from '../transactions.js';
import { type Candidate, compareCandidates, type OwnInventory, type SearchOptions } from './candidate.js';
import { extraRootFilters, rootConditions, valueIndependentPlan } from './filters.js';

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
  /** With SearchOptions.withOwnRecord: the host's id, and its traits, aggregates and inventories (null unless it fits). */
  root_id?: number;
  own?: [traits: string[], aggregates: string[], inventories: OwnInventory[]] | null;
}

function flatCandidate(r: ResolvedRequest, row: WalkRow): Candidate {
  const candidate: Candidate = {
    rootUuid: row.root_uuid,
    cellUuid: row.cell_uuid,
    score: row.score,
    serving: r.classNames.map((resourceClass, i) => ({
      providerUuid: row.root_uuid,
      resourceClass,
      amount: r.amounts[i]!,
      capacity: row.inventories![i]![0],
      used: row.inventories![i]![1],
      group: '',
    })),
    mappings: [{ group: '', providerUuids: [row.root_uuid] }],
  };
  if (row.own && row.root_id !== undefined) {
    const [traits, aggregates, inventories] = row.own;
    candidate.own = { id: row.root_id, traits, aggregates, inventories };
  }
  return candidate;
}

/**
 * `walk` (a statement of the walk, with the host id as `root_id`) with each fitting host's
 * traits, aggregates and inventories as one JSON array `own` (arrays, not objects: less to
 * send and parse), read for the statement's rows only (after its limit).
 * The records are read as rest-candidates/world.ts reads them (provider-records.ts): REST
 * bodies list traits in name order and inventories in class id order.
 */
function withOwnRecords(walk: string, fitting: string, order: string): string {
  return `WITH w AS MATERIALIZED (${walk}),
own AS (SELECT root_id AS id FROM w WHERE ${fitting}),
${providerRecordsSql(
  'own',
  'json_build_array(rc.name, rc.id, i.capacity, i.used, i.min_unit, i.max_unit, i.step_size)',
)}
SELECT w.*, CASE WHEN ${fitting} THEN json_build_array(coalesce(t.names, '{}'), coalesce(a.uuids, '{}'), coalesce(i.list, '[]')) END AS own
  FROM w
  LEFT JOIN traits_of t ON t.provider_id = w.root_id
  LEFT JOIN aggregates_of a ON a.provider_id = w.root_id
  LEFT JOIN inventories_of i ON i.provider_id = w.root_id
 ORDER BY w.${order}, w.root_uuid`;
}

/** Where the walk stands: the next batch's size, the last host seen, whether to score the rest at once. */
export interface WalkStep {
  batch: number;
  frontier: { key: number; uuid: string } | null;
  finish: boolean;
}

/**
 * One statement of the flat walk. `prepare` says whether its plan is the same whatever the
 * values: trait and aggregate filters are planned for their values (a rare trait is better
 * found through the GIN index than by the walk), so those statements are not prepared; a
 * prepared statement may settle on one generic plan for all values.
 */
export function walkStatement(
  r: ResolvedRequest,
  options: SearchOptions,
  step: WalkStep,
): { text: string; values: unknown[]; prepare: boolean } {
  const spread = options.weigher !== 'PACK';
  // One ascending key per weigher: SPREAD walks −max (max descending), PACK walks min.
  // The bound for this many classes: a mean of k shares lies within the means of the k
  // largest and k smallest (k capped at BOUND_CLASSES; fewer classes than k: no flat fit).
  const k = Math.min(r.classIds.length, BOUND_CLASSES);
  const boundColumn = spread ? `p.spread_bounds[${k}]` : `p.pack_bounds[${k}]`;
  const walkKey = spread ? `(-(${boundColumn}))` : boundColumn;
  const params = new Params();
  const classes = params.add(r.classIds);
  const amounts = params.add(r.amounts);
  // The host must hold every requested class itself (class_ids, on the walk index entry):
  // hosts that cannot fit are passed over on the index, never probed. Written as the
  // function behind `@>`: the operator's fixed guess for a parameter (0.5% of rows pass)
  // made prepared statements' generic plans read the whole cell and sort it; a plain
  // function call is guessed at a third, which keeps the ordered walk.
  const conditions = [
    'p.parent_provider_id IS NULL',
    `${boundColumn} IS NOT NULL`,
    `arraycontains(p.class_ids, ${classes}::int[])`,
    ...rootConditions(r, params).map((c) => c.sql),
    ...extraRootFilters(options, params),
  ];
  if (step.frontier)
    conditions.push(
      `(${walkKey}, p.uuid) > (${params.add(step.frontier.key)}::float8, ${params.add(step.frontier.uuid)}::uuid)`,
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
  if (!Number.isInteger(step.batch) || !Number.isInteger(options.limit))
    throw new Error('batch and limit must be integers');
  const own = options.withOwnRecord === true;
  const rootId = own ? ', p.id AS root_id' : '';
  const order = step.finish ? `score ${spread ? 'DESC' : 'ASC'}` : 'walk_key';
  const text = step.finish
    ? `SELECT p.uuid AS root_uuid, c.uuid AS cell_uuid, ${walkKey} AS walk_key, fit.n, fit.score, fit.inventories${rootId}
         FROM resource_providers p CROSS JOIN ${fit}
         LEFT JOIN cells c ON c.id = p.cell_id
        WHERE ${conditions.join(' AND ')} AND fit.n = ${params.add(r.classIds.length)}
        ORDER BY fit.${order}, p.uuid
        LIMIT ${options.limit}`
    : `SELECT p.uuid AS root_uuid, c.uuid AS cell_uuid, p.walk_key, fit.n, fit.score, fit.inventories${rootId}
         FROM (SELECT p.id, p.uuid, p.cell_id, ${walkKey} AS walk_key FROM resource_providers p
                WHERE ${conditions.join(' AND ')}
                ORDER BY ${walkKey}, p.uuid
                LIMIT ${step.batch}) p
         LEFT JOIN ${fit} ON true
         LEFT JOIN cells c ON c.id = p.cell_id
        ORDER BY p.${order}, p.uuid`;
  if (!own) return { text, values: params.values, prepare: valueIndependentPlan(r) };
  return {
    text: withOwnRecords(text, `w.n = ${params.add(r.classIds.length)}`, order),
    values: params.values,
    prepare: valueIndependentPlan(r),
  };
}

/**
 * Roots whose own inventories fit every requested class (the flat fast path), best first.
 *
 * A candidate's weight is the mean of k of its free shares, so it lies between the means
 * of the host's k smallest and k largest shares (pack_bounds[k] / spread_bounds[k], kept
 * on the provider row). The search walks the filtered roots in bound order through an
 * index (SPREAD: max descending, PACK: min ascending, then uuid), scores each batch exactly
 * (the fit rule and the shares from `inventories`), and stops as soon as no unseen root can
 * outrank the `limit`-th best found. The work follows the hosts returned, not the hosts
 * stored; batches grow ×4 so selective filters need few round trips.
 */
export async function flatCandidates(db: Queryable, r: ResolvedRequest, options: SearchOptions): Promise<Candidate[]> {
  const spread = options.weigher !== 'PACK';
  const found: Candidate[] = [];
  let frontier: WalkStep['frontier'] = null;
  let walked = 0;
  // A batch counts hosts that passed the filters, however many the index walk skipped. The
  // first is a little over `limit`: where the bound is the weight (the host has exactly
  // the requested classes) and most hosts fit, one batch decides.
  let batch = Math.max(64, Math.ceil(options.limit * 1.25));
  for (;;) {
    // Past the walk budget the bounds are not cutting (e.g. PACK over many nearly full
    // hosts): score all remaining roots in one statement and keep the best.
    const finish = walked >= (options.walkBudget ?? WALK_BUDGET);
    const statement = walkStatement(r, options, { batch, frontier, finish });
    const { text, values } = statement;
    const { rows } = await db.query<WalkRow>(statement.prepare ? prepared(text, values) : { text, values });
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

/**
 * Whether any root after `frontier` could still outrank the `limit`-th best found. An
 * unseen root has bound ≤ frontier bound (SPREAD; ≥ for PACK) and its score lies within
 * its bound; at an equal bound it comes after the frontier's uuid.
 */
export function walkIsDone(
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
