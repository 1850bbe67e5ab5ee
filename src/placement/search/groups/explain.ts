import { countSteps, type ExplainCondition, type Explanation } from '../../explain.js';
import type { ResolvedRequest } from '../../request.js';
import { Params } from '../../sql.js';
import type { Queryable } from '../../transactions.js';
import { rootConditions } from '../filters.js';
import { type AssignmentProblem, bestAssignment, servesAlone } from './assign.js';
import { demandsOf, providersOf } from './index.js';
import { type GroupedRow, groupedStatement } from './statement.js';

/** Every host a request could reach, in one batch (explain counts them all). */
const ALL_HOSTS = 10_000_000;

interface Selector {
  classIds: readonly number[];
  amounts: readonly number[];
  requiredTraitIds?: readonly number[];
  forbiddenTraitIds?: readonly number[];
  anyOfTraitIds?: readonly (readonly number[])[];
  memberOf?: readonly (readonly string[])[];
  forbiddenAggregates?: readonly string[];
}

/**
 * SQL: some provider serving root `p` (a tree member, or a sharing partner) passes the
 * selector's filters and has room for each of its amounts on its own (the search's
 * per-group option rule: used + amount ≤ capacity, amount ≤ maxUnit).
 */
function someProviderServes(s: Selector, params: Params, sharingTrait: string): string {
  const on: string[] = [];
  if (s.requiredTraitIds?.length) on.push(`m.trait_ids @> ${params.add(s.requiredTraitIds)}::int[]`);
  if (s.forbiddenTraitIds?.length) on.push(`NOT (m.trait_ids && ${params.add(s.forbiddenTraitIds)}::int[])`);
  for (const list of s.anyOfTraitIds ?? []) on.push(`m.trait_ids && ${params.add(list)}::int[]`);
  const inAggregate = (list: readonly string[]) =>
    `EXISTS (SELECT 1 FROM provider_aggregates pa JOIN aggregates a ON a.id = pa.aggregate_id
              WHERE pa.provider_id = m.id AND a.uuid = ANY(${params.add(list)}::uuid[]))`;
  for (const list of s.memberOf ?? []) on.push(inAggregate(list));
  if (s.forbiddenAggregates?.length) on.push(`NOT ${inAggregate(s.forbiddenAggregates)}`);
  s.classIds.forEach((classId, i) => {
    const amount = params.add(s.amounts[i]);
    on.push(`EXISTS (SELECT 1 FROM inventories i WHERE i.provider_id = m.id AND i.resource_class_id = ${params.add(classId)}
                      AND i.used + ${amount} <= i.capacity AND ${amount} <= i.max_unit)`);
  });
  const fits = on.join(' AND ') || 'true';
  return `(EXISTS (SELECT 1 FROM resource_providers m WHERE m.root_provider_id = p.id AND ${fits})
        OR EXISTS (SELECT 1 FROM provider_aggregates root_pa
                     JOIN provider_aggregates share_pa ON share_pa.aggregate_id = root_pa.aggregate_id
                     JOIN provider_traits st ON st.provider_id = share_pa.provider_id AND st.trait_id = ${sharingTrait}
                     JOIN resource_providers m ON m.id = share_pa.provider_id
                    WHERE root_pa.provider_id = p.id AND m.root_provider_id <> p.id AND ${fits}))`;
}

/**
 * Which rule first stops a host whose groups each fit alone: together (shared capacity),
 * then isolation, then each sameSubtree list in order (added one at a time).
 */
function stoppedBy(problem: AssignmentProblem): 'together' | 'isolate' | number | null {
  if (!bestAssignment({ ...problem, isolate: false, sameSubtree: [] })) return 'together';
  if (problem.isolate && !bestAssignment({ ...problem, sameSubtree: [] })) return 'isolate';
  for (let i = 0; i < problem.sameSubtree.length; i++)
    if (!bestAssignment({ ...problem, sameSubtree: problem.sameSubtree.slice(0, i + 1) })) return i;
  return null;
}

/**
 * explainPlacement for a request with groups: the host filters, each unnumbered class and
 * each group on its own (some provider of the tree or a sharing partner can serve it
 * alone), counted in SQL; then, for the hosts left, the assignment search tells which rule
 * stops the groups together: capacity shared by groups on one provider, ISOLATE, sameSubtree.
 */
export async function explainGroups(db: Queryable, r: ResolvedRequest): Promise<Explanation> {
  const params = new Params();
  const traitNames = new Map((r.request.requiredTraits ?? []).map((t, i) => [r.requiredTraitIds[i]!, t]));
  const conditions: ExplainCondition[] = rootConditions(r, params, { traits: traitNames }, true);
  const sharingTrait = params.add(r.sharingTraitId);
  r.classIds.forEach((classId, i) => {
    conditions.push({
      label: `${r.classNames[i]!}:${r.amounts[i]!}`,
      constraint: 'NOT_ENOUGH_CAPACITY',
      sql: someProviderServes({ classIds: [classId], amounts: [r.amounts[i]!] }, params, sharingTrait),
      group: '',
    });
  });
  for (const g of r.groups)
    conditions.push({
      label: g.name,
      constraint: 'GROUP_UNSATISFIED',
      sql: someProviderServes(g, params, sharingTrait),
      group: g.name,
    });
  const counted = await countSteps(db, conditions, params);
  const { rows } = await db.query<GroupedRow>(
    groupedStatement(r, { limit: ALL_HOSTS, weigher: 'SPREAD' }, { batch: ALL_HOSTS, after: null }, true),
  );
  const demands = demandsOf(r);
  const unnumbered = r.classIds.length;
  const stopped = { together: 0, isolate: 0 };
  const stoppedBySubtree = r.sameSubtree.map(() => 0);
  let remaining = 0;
  for (const row of rows) {
    const problem: AssignmentProblem = {
      demands,
      providers: providersOf(row),
      isolate: r.groupPolicy === 'ISOLATE',
      sameSubtree: r.sameSubtree.map((list) => list.map((g) => unnumbered + g)),
    };
    // Hosts where some group cannot be served alone were counted by the SQL steps.
    if (!demands.every((d) => problem.providers.some((p) => servesAlone(d, p)))) continue;
    const rule = stoppedBy(problem);
    if (rule === null) remaining++;
    else if (typeof rule === 'number') stoppedBySubtree[rule]!++;
    else stopped[rule]++;
  }
  // Whatever passed every single-group step and is not a candidate was stopped by the groups together.
  stopped.together = counted.remaining - remaining - stopped.isolate - stoppedBySubtree.reduce((a, b) => a + b, 0);
  const steps = [
    ...counted.steps,
    {
      constraint: 'COMBINED_CAPACITY',
      detail: 'groups fit alone but not together',
      eliminated: stopped.together,
      group: null,
    },
  ];
  if (r.groupPolicy === 'ISOLATE')
    steps.push({ constraint: 'GROUP_POLICY_ISOLATE', detail: 'ISOLATE', eliminated: stopped.isolate, group: null });
  r.sameSubtree.forEach((list, i) => {
    steps.push({
      constraint: 'SAME_SUBTREE',
      detail: list.map((g) => r.groups[g]!.name).join(','),
      eliminated: stoppedBySubtree[i]!,
      group: null,
    });
  });
  return { providersConsidered: counted.total, steps, remaining };
}
