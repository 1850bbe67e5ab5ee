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
// its `first`/`last`) and the `candidates` of allocationCandidates (sized by its `limit`).
const SIZED_BY_PARENT = new Set(['edges', 'candidates']);

/**
 * Fixed price of one explainPlacement (or NoValidHost.explanation): it scans every host,
 * counting per host for each condition against every other, so it costs hundreds of times a
 * plain field; at most four plain explains fit in one operation.
 */
export const EXPLAIN_BASE_COST = 4_000;

/** Fixed price of one candidate search on top of its `limit` (the search reads every fitting host). */
export const CANDIDATE_SEARCH_COST = 100;

/** The number of conditions in a placement request: each is a predicate evaluated per host. */
export function conditionCount(request: Record<string, unknown> | null | undefined): number {
  if (!request) return 0;
  const length = (value: unknown) => (Array.isArray(value) ? value.length : 0);
  const present = (value: unknown) => (value === null || value === undefined ? 0 : 1);
  return (
    length(request.resources) +
    length(request.requiredTraits) +
    length(request.forbiddenTraits) +
    length(request.anyOfTraits) +
    length(request.memberOf) +
    length(request.forbiddenAggregates) +
    present(request.inTree) +
    present(request.cell)
  );
}

/** explainPlacement: its work grows with the square of the conditions (each against every other). */
export function explainCost(args: { request?: Record<string, unknown> | null }): number {
  const conditions = conditionCount(args.request);
  return EXPLAIN_BASE_COST + conditions * conditions;
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
  if (Array.isArray(args.ids)) return { field: 1, multiplier: args.ids.length };
  if (hasArg(field, 'first') || hasArg(field, 'last')) {
    const requested = args.first ?? args.last;
    return { field: 1, multiplier: clamp(requested, behaviour.defaultPageSize, behaviour.catalogueMaxPageSize) };
  }
  if (hasArg(field, 'limit') && hasArg(field, 'request')) {
    const limit = clamp(args.limit, behaviour.candidateDefaultLimit, behaviour.candidateMaxLimit);
    const request = args.request as Record<string, unknown> | undefined;
    return { field: CANDIDATE_SEARCH_COST + conditionCount(request) * conditionCount(request), multiplier: limit };
  }
  if (isList(field)) return { field: 1, multiplier: SIZED_BY_PARENT.has(field.name) ? 1 : UNSIZED_LIST_MULTIPLIER };
  return 1;
}
