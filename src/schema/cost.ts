import { type GraphQLField, GraphQLList, getNullableType } from 'graphql';
import type { Context } from '../context.js';

/**
 * What each field adds to an operation's complexity (measured before execution against
 * `queryLimits`, src/http/query-limits.ts): 1 per field, times the number of items a list
 * will really hold. README ("Limits") explains the model to clients.
 */
type FieldCost = number | { field: number; multiplier: number };

/** A list whose size no argument states. */
const UNSIZED_LIST_MULTIPLIER = 5;

// Lists whose length the field above them already counted: a connection's `edges` (sized by
// its `first`/`last`), the `candidates` of allocationCandidates (sized by its `limit`) and
// the `selections` of claim (one per consumer, priced with its searches).
const SIZED_BY_PARENT = new Set(['edges', 'candidates', 'selections']);

/**
 * Fixed price of one explainPlacement (or NoValidHost.explanation): it scans every host and
 * counts, per host, each condition against every other, so one costs as much as a large
 * answer; at most three plain explains fit in one operation.
 */
export const EXPLAIN_BASE_COST = 40_000;
/** Per squared condition of an explain (its work grows with their square). */
const EXPLAIN_CONDITION_COST = 4;

/**
 * Price of one candidate search on top of its `limit` (the search reads every fitting host),
 * plus one per condition (each is one more filter over those hosts).
 */
export const CANDIDATE_SEARCH_COST = 50;

function searchCost(request: unknown): number {
  return CANDIDATE_SEARCH_COST + conditionCount(request as Record<string, unknown> | undefined);
}

const length = (value: unknown) => (Array.isArray(value) ? value.length : 0);
const present = (value: unknown) => (value === null || value === undefined ? 0 : 1);
const records = (value: unknown): Record<string, unknown>[] =>
  Array.isArray(value) ? value.filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null) : [];

/** The conditions a request and each of its groups share: classes, traits, aggregates. */
function listConditions(part: Record<string, unknown>): number {
  return (
    length(part.resources) +
    length(part.requiredTraits) +
    length(part.forbiddenTraits) +
    length(part.anyOfTraits) +
    length(part.memberOf) +
    length(part.forbiddenAggregates)
  );
}

/**
 * The number of conditions in a placement request: each is a predicate evaluated per host.
 * A group (1.3) is one more provider to find per host, plus its own lists; each name of a
 * sameSubtree list is one more ancestry check among the providers an assignment picked.
 */
export function conditionCount(request: Record<string, unknown> | null | undefined): number {
  if (!request) return 0;
  const groups = records(request.groups).reduce((sum, group) => sum + 1 + listConditions(group), 0);
  const sameSubtree = Array.isArray(request.sameSubtree)
    ? request.sameSubtree.reduce<number>((sum, names) => sum + length(names), 0)
    : 0;
  return (
    listConditions(request) +
    groups +
    sameSubtree +
    length(request.rootRequiredTraits) +
    length(request.rootForbiddenTraits) +
    present(request.groupPolicy) +
    present(request.inTree) +
    present(request.cell)
  );
}

/** explainPlacement: its work grows with the square of the conditions (each against every other). */
export function explainCost(args: { request?: Record<string, unknown> | null }): number {
  const conditions = conditionCount(args.request);
  return EXPLAIN_BASE_COST + EXPLAIN_CONDITION_COST * conditions * conditions;
}

/**
 * claim: one candidate search per consumer, counted on the field itself. Its answer is not
 * multiplied: the selection set also holds the error members (NoValidHost.explanation),
 * which come once, and the selections' own cost is small beside the searches.
 */
export function claimCost(input: { consumers?: readonly unknown[] | null; request?: unknown }): FieldCost {
  const consumers = Math.max(1, input.consumers?.length ?? 1);
  return { field: consumers * searchCost(input.request), multiplier: 1 };
}

const isList = (field: GraphQLField<unknown, Context>) => getNullableType(field.type) instanceof GraphQLList;
const hasArg = (field: GraphQLField<unknown, Context>, name: string) => field.args.some((arg) => arg.name === name);

/** A requested count, clamped to what the server would serve anyway. */
function clamp(requested: unknown, fallback: number, max: number): number {
  return typeof requested === 'number' && Number.isFinite(requested) ? Math.min(Math.max(requested, 0), max) : fallback;
}

/** The Pothos complexity plugin's `fieldComplexity`: list sizes from `ids`, `first`/`last` and `limit`. */
export function fieldCost(
  args: Record<string, unknown>,
  ctx: Context,
  field: GraphQLField<unknown, Context>,
): FieldCost {
  const behaviour = ctx.behaviour;
  // Over a cap, the resolver answers a typed error without doing the work: no multiplier then.
  if (Array.isArray(args.ids))
    return { field: 1, multiplier: args.ids.length > behaviour.maxNodeIds ? 1 : args.ids.length };
  if (hasArg(field, 'first') || hasArg(field, 'last')) {
    const requested = args.first ?? args.last;
    return { field: 1, multiplier: clamp(requested, behaviour.defaultPageSize, behaviour.catalogueMaxPageSize) };
  }
  if (hasArg(field, 'limit') && hasArg(field, 'request')) {
    const limit =
      typeof args.limit === 'number' && (args.limit < 1 || args.limit > behaviour.candidateMaxLimit)
        ? 1
        : clamp(args.limit, behaviour.candidateDefaultLimit, behaviour.candidateMaxLimit);
    return { field: searchCost(args.request), multiplier: limit };
  }
  if (isList(field)) return { field: 1, multiplier: SIZED_BY_PARENT.has(field.name) ? 1 : UNSIZED_LIST_MULTIPLIER };
  return 1;
}
