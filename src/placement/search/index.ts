import type { ResolvedRequest } from '../request.js';
import type { Queryable } from '../transactions.js';
import { type Candidate, compareCandidates, type SearchOptions } from './candidate.js';
import { flatCandidates } from './flat.js';
import { groupedCandidates } from './groups/index.js';
import { treeCandidates } from './trees.js';

export {
  type Candidate,
  compareCandidates,
  type GroupMapping,
  type OwnInventory,
  type OwnRecord,
  type SearchOptions,
  type ServingInventory,
} from './candidate.js';

/**
 * The best `limit` candidates in weighed order: the flat walk's and the tree search's,
 * merged; a request with numbered groups has its own search (search/groups/).
 */
export async function searchCandidates(
  db: Queryable,
  r: ResolvedRequest,
  options: SearchOptions,
): Promise<Candidate[]> {
  if (r.groups.length > 0) return groupedCandidates(db, r, options);
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
