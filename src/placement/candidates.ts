import type pg from 'pg';
import { parseHostSubsetSize, parseLimit, parsePlacementRequest, resolveRequest, type Weigher } from './request.js';
import { type Candidate, pickFromSubset, searchCandidates } from './search/index.js';
import { withClient } from './transactions.js';

/**
 * Candidate search, the engine's entry points. A candidate is a provider tree, named by its
 * root (the host):
 *  - filters (cell, inTree, traits, aggregates) apply to the root;
 *  - each requested class is served by ONE provider: the root itself when its own inventory
 *    fits (the flat walk, search/flat.ts), else the fitting descendant with the most free
 *    share, else the fitting sharing provider (trait MISC_SHARES_VIA_AGGREGATE, in an
 *    aggregate with the root) with the most free share; ties break on provider uuid (the
 *    tree search, search/trees.ts);
 *  - the weigher scores a candidate by the mean free share (capacity − used) / capacity of
 *    its serving inventories: SPREAD = highest first, PACK = lowest first; ties break on the
 *    root's uuid, so identical calls on identical data give identical results.
 * The fit rule is `fitsSql`, the same predicate allocation writes and claims check.
 * Parts: request.ts (input, limits, name lookup), search/ (flat walk, trees, merge),
 * explain.ts (explainPlacement), sql.ts (statement helpers).
 */

export { type Explanation, type ExplanationStep, explainPlacement } from './explain.js';
export {
  DEFAULT_LIMIT,
  MAX_LIMIT,
  type PlacementRequest,
  type PlacementRequestInput,
  parseHostSubsetSize,
  parseLimit,
  parsePlacementRequest,
  type RequestLookupRow,
  type ResolvedRequest,
  requestLookup,
  resolvedFrom,
  resolveRequest,
  type Weigher,
} from './request.js';
export {
  type Candidate,
  compareCandidates,
  type GroupMapping,
  pickFromSubset,
  type SearchOptions,
  type ServingInventory,
  searchCandidates,
} from './search/index.js';

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
    const candidates = await searchCandidates(client, resolved, {
      limit,
      weigher: query.weigher ?? 'SPREAD',
      sidePool: pool,
    });
    return pickFromSubset(candidates, subset);
  });
}
