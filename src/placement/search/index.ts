import type { ResolvedRequest } from '../request.js';
import type { Queryable } from '../transactions.js';
import { type Candidate, compareCandidates, type SearchOptions } from './candidate.js';
import { flatCandidates } from './flat.js';
import { groupedCandidates } from './groups/index.js';
import { idleConnection } from './side-connection.js';
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
  if (!r.nested) return flatCandidates(db, r, options);
  // The two statements are independent: on a spare connection the tree search runs beside
  // the walk (the request waits for the slower, not for both); otherwise they queue on `db`.
  const spare = idleConnection(options.sidePool);
  const [flat, trees] = await Promise.all([
    flatCandidates(db, r, options),
    spare === null
      ? treeCandidates(db, r, options)
      : spare.then((c) => treeCandidates(c, r, options).finally(() => c.release())),
  ]);
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
