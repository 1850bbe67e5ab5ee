import type pg from 'pg';
import type { ClaimPools } from '../../db.js';
import {
  type Candidate,
  MAX_LIMIT,
  type PlacementRequest,
  type RequestLookupRow,
  type ResolvedRequest,
  requestLookup,
  resolvedFrom,
  searchCandidates,
  type Weigher,
} from '../candidates.js';
import { assertMayTouchExisting } from '../consumer-access.js';
import { ConsumerGenerationConflictError } from '../errors.js';
import { prepared, type Queryable, type RetryPolicy, withClient } from '../transactions.js';
import type { WriteCaller } from '../write-caller.js';
import { type StoredResult, storedAnswer } from './idempotency.js';
import type { ParsedClaim } from './input.js';
import type { Selection } from './selection.js';
import { HostWalk, type PageSource, type WalkEntry } from './walk.js';

/**
 * Everything a claim decided before its first write, read-only from then on: the request
 * resolved to ids, the weighed list, and how to page past it. Walks, one per consumer and
 * per transaction attempt, are made from it.
 */
export interface ClaimPlan {
  db: ClaimPools;
  policy: RetryPolicy;
  input: ParsedClaim;
  /** The request hash, for a keyed call ('' without a key). */
  hash: string;
  /** Who claims: audited when present; its idempotency keys live under callerKey. */
  caller: WriteCaller | undefined;
  callerKey: string;
  resolved: ResolvedRequest;
  classIds: ReadonlyMap<string, number>;
  weigher: Weigher;
  subset: number;
  list: readonly WalkEntry[];
  /** Where more of the weighed list comes from; null when the caller gave the list. */
  pages: PageSource | null;
}

/** A walk over the plan's list for one consumer, skipping `exclude` (hosts taken by this call's other consumers). */
export function walkOf(plan: ClaimPlan, ordering: readonly WalkEntry[], exclude: ReadonlySet<string>): HostWalk {
  return new HostWalk(ordering, plan.pages, exclude);
}

type Lookup = { replayed: Selection[] } | { plan: ClaimPlan };

/**
 * One lookup and the search: was this key used (a replay), does a consumer exist already
 * (claims are for new consumers; the write re-checks it), the names resolved, then the
 * weighed list, all on one pooled connection.
 */
export async function planClaim(
  db: ClaimPools,
  input: ParsedClaim,
  request: PlacementRequest,
  subset: number,
  hash: string,
  policy: RetryPolicy,
  by: { caller: WriteCaller | undefined; callerKey: string },
): Promise<Lookup> {
  const weigher: Weigher = input.weigher ?? 'SPREAD';
  // Enough of the weighed list for every consumer, its alternates and some losers.
  const limit = Math.min(MAX_LIMIT, Math.max(subset, input.consumers.length * (input.alternates + 1) + 10));
  return withClient(db.pool, async (client) => {
    const row = await lookup(client, input, request, by.callerKey);
    // The key and the consumers commit together, so one snapshot sees both or neither.
    if (row.replay) return { replayed: storedAnswer<Selection[]>(row.replay, 'claim', hash) };
    const generations = new Map((row.existing ?? []).map((c) => [c.uuid, c.generation]));
    // Another project's consumer is Forbidden, not a conflict that would show its generation.
    for (const existing of row.existing ?? []) {
      const index = input.consumers.findIndex((c) => c.consumerUuid === existing.uuid);
      assertMayTouchExisting(by.caller, existing.uuid, existing.projectId, `consumers[${index}].`);
    }
    const first = input.consumers.find((c) => generations.has(c.consumerUuid));
    if (first)
      throw new ConsumerGenerationConflictError(first.consumerUuid, null, generations.get(first.consumerUuid) ?? null);
    const resolved = resolvedFrom(request, row);
    const callerList = input.candidates ?? null;
    const list = await weighedList(client, resolved, callerList, weigher, limit);
    const plan: ClaimPlan = {
      db,
      policy,
      input,
      hash,
      caller: by.caller,
      callerKey: by.callerKey,
      resolved,
      classIds: classIdsOf(resolved),
      weigher,
      subset,
      list,
      pages: callerList ? null : pagesOf(db.pool, resolved, weigher, limit),
    };
    return { plan };
  });
}

/** Every class the request names (unnumbered and in groups), by name. */
function classIdsOf(resolved: ResolvedRequest): Map<string, number> {
  const named = [resolved, ...resolved.groups];
  return new Map(named.flatMap((g) => g.classNames.map((name, i): [string, number] => [name, g.classIds[i]!])));
}

type LookupRow = RequestLookupRow & {
  existing: { uuid: string; generation: number; projectId: string }[] | null;
  replay: StoredResult | null;
};

async function lookup(
  client: Queryable,
  input: ParsedClaim,
  request: PlacementRequest,
  callerKey: string,
): Promise<LookupRow> {
  const names = requestLookup(request);
  // One consumer (the usual claim) is looked up by `=`: with `= ANY(array)` the generic
  // plan is costed for 10 elements and PostgreSQL would plan the statement on every call.
  const single = input.consumers.length === 1;
  const { rows } = await client.query<LookupRow>(
    prepared(
      `SELECT names.*,
              (SELECT json_agg(json_build_object('uuid', uuid, 'generation', generation, 'projectId', project_id)) FROM consumers
                WHERE ${single ? 'uuid = $6::uuid' : 'uuid = ANY($6::uuid[])'}) AS existing,
              (SELECT json_build_object('operation', operation, 'request_hash', request_hash, 'response', response) FROM idempotency_keys WHERE caller_key = $8 AND key = $7) AS replay
         FROM (${names.sql}) names`,
      [
        ...names.values,
        single ? input.consumers[0]?.consumerUuid : input.consumers.map((c) => c.consumerUuid),
        input.idempotencyKey ?? null,
        callerKey,
      ],
    ),
  );
  return rows[0] as LookupRow;
}

/** The server's weighed list, or the caller's list in the caller's order (hosts that do not fit now stay, to be counted as tried). */
async function weighedList(
  client: Queryable,
  resolved: ResolvedRequest,
  callerList: string[] | null,
  weigher: Weigher,
  limit: number,
): Promise<WalkEntry[]> {
  if (!callerList)
    return (await searchCandidates(client, resolved, { limit, weigher })).map((c) => ({
      uuid: c.rootUuid,
      candidate: c,
    }));
  const found = await searchCandidates(client, resolved, { limit: callerList.length, weigher, onlyRoots: callerList });
  const byUuid = new Map(found.map((c) => [c.rootUuid, c]));
  return [...new Set(callerList)].map((uuid) => ({ uuid, candidate: byUuid.get(uuid) ?? null }));
}

/** Pages of the weighed list past the hosts a walk has seen, read on the main pool (outside any claim transaction). */
function pagesOf(pool: pg.Pool, resolved: ResolvedRequest, weigher: Weigher, limit: number): PageSource {
  return {
    limit,
    next: (exclude: string[]): Promise<Candidate[]> =>
      withClient(pool, (client) => searchCandidates(client, resolved, { limit, weigher, excludeRoots: exclude })),
  };
}
