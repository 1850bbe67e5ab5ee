import type { ResolvedRequest } from '../request.js';
import { intArrayText, type Params } from '../sql.js';
import type { SearchOptions } from './candidate.js';

/** One SQL condition on root `p` per filter, each with a label for explain. */
export interface RootCondition {
  label: string;
  constraint: string;
  sql: string;
}

/** The request's filters on the host (root `p`); `explainEachTrait` splits required traits for explain's counts. */
export function rootConditions(
  r: ResolvedRequest,
  params: Params,
  names: { traits: Map<number, string> } = { traits: new Map() },
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
  if (r.rootRequiredTraitIds.length > 0) {
    out.push({
      label: r.request.rootRequiredTraits!.join(','),
      constraint: 'MISSING_ROOT_REQUIRED_TRAIT',
      sql: `p.trait_ids @> ${params.add(r.rootRequiredTraitIds)}::int[]`,
    });
  }
  if (r.rootForbiddenTraitIds.length > 0) {
    out.push({
      label: r.request.rootForbiddenTraits!.join(','),
      constraint: 'HAS_ROOT_FORBIDDEN_TRAIT',
      sql: `NOT (p.trait_ids && ${params.add(r.rootForbiddenTraitIds)}::int[])`,
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

/** The caller's root list and exclusions (claims' candidate lists and tried hosts). */
export function extraRootFilters(options: SearchOptions, params: Params): string[] {
  const out: string[] = [];
  if (options.onlyRoots) out.push(`p.uuid = ANY(${params.add(options.onlyRoots)}::uuid[])`);
  if (options.onlyRootIds) out.push(`p.id = ANY(${params.add(intArrayText(options.onlyRootIds))}::int[])`);
  if (options.excludeRoots?.length) out.push(`p.uuid <> ALL(${params.add(options.excludeRoots)}::uuid[])`);
  if (options.aloneWithSharingTrait !== undefined)
    out.push(
      `cardinality(p.tree_class_ids) = 0 AND NOT ${inSharingAggregate(params.add(options.aloneWithSharingTrait))}`,
    );
  return out;
}

/**
 * Root `p` is in an aggregate with a sharing provider (itself, if it has the trait, included).
 * The sharing providers' aggregates are a handful: hashed once, then one index probe per host.
 */
export function inSharingAggregate(sharingTrait: string): string {
  return `EXISTS (SELECT 1 FROM provider_aggregates root_pa WHERE root_pa.provider_id = p.id
                    AND root_pa.aggregate_id IN (SELECT pa.aggregate_id FROM provider_aggregates pa
                                                   JOIN provider_traits st ON st.provider_id = pa.provider_id
                                                  WHERE st.trait_id = ${sharingTrait}))`;
}

/** Whether the search's best plan is the same whatever the values: no trait or aggregate filters. */
export function valueIndependentPlan(r: ResolvedRequest): boolean {
  return (
    r.requiredTraitIds.length === 0 &&
    r.forbiddenTraitIds.length === 0 &&
    r.rootRequiredTraitIds.length === 0 &&
    r.rootForbiddenTraitIds.length === 0 &&
    r.anyOfTraitIds.length === 0 &&
    r.memberOf.length === 0 &&
    r.forbiddenAggregates.length === 0
  );
}
