import type { ResolvedGroup, ResolvedRequest } from '../../request.js';
import type { Queryable } from '../../transactions.js';
import { type Candidate, compareCandidates, type SearchOptions, unnumberedMappings } from '../candidate.js';
import { flatCandidates, walkIsDone } from '../flat.js';
import { type AssignmentProblem, bestAssignment, type Demand, type TreeProvider } from './assign.js';
import { type GroupedPage, type GroupedRow, groupedStatement } from './statement.js';

const containsAll = (set: ReadonlySet<number>, ids: readonly number[]) => ids.every((id) => set.has(id));
const containsAny = <T>(set: ReadonlySet<T>, ids: readonly T[]) => ids.some((id) => set.has(id));

/** Whether a provider passes a numbered group's trait and aggregate filters. */
function groupAccepts(g: ResolvedGroup) {
  return (p: TreeProvider): boolean =>
    containsAll(p.traitIds, g.requiredTraitIds) &&
    !containsAny(p.traitIds, g.forbiddenTraitIds) &&
    g.anyOfTraitIds.every((list) => containsAny(p.traitIds, list)) &&
    g.memberOf.every((list) => containsAny(p.aggregates, list)) &&
    !containsAny(p.aggregates, g.forbiddenAggregates);
}

/** The request as demands: each unnumbered class on its own (any provider), then each numbered group whole. */
export function demandsOf(r: ResolvedRequest): Demand[] {
  const unnumbered: Demand[] = r.classIds.map((classId, i) => ({
    group: '',
    numbered: false,
    classIds: [classId],
    amounts: [r.amounts[i]!],
    accepts: () => true,
    signature: `unnumbered:${i}`,
  }));
  const numbered: Demand[] = r.groups.map((g, index) => {
    const { name: _name, classNames: _names, ...rest } = g;
    const lists = r.sameSubtree.flatMap((list, l) => (list.includes(index) ? [l] : []));
    return {
      group: g.name,
      numbered: true,
      classIds: g.classIds,
      amounts: g.amounts,
      accepts: groupAccepts(g),
      signature: JSON.stringify({ ...rest, lists }),
    };
  });
  return [...unnumbered, ...numbered];
}

export function providersOf(row: GroupedRow): TreeProvider[] {
  return row.providers.map((p) => ({
    uuid: p.u,
    parentUuid: p.parent,
    preference: p.pref,
    traitIds: new Set(p.t ?? []),
    aggregates: new Set(p.a ?? []),
    inventories: new Map(
      (p.i ?? []).map(([classId, capacity, used, minUnit, maxUnit, stepSize]) => [
        classId,
        { capacity, used, minUnit, maxUnit, stepSize },
      ]),
    ),
  }));
}

/** The host's best assignment as a candidate, or null when no assignment is valid. */
function candidateOf(r: ResolvedRequest, demands: Demand[], row: GroupedRow): Candidate | null {
  const providers = providersOf(row);
  const unnumberedCount = r.classIds.length;
  const problem: AssignmentProblem = {
    demands,
    providers,
    isolate: r.groupPolicy === 'ISOLATE',
    sameSubtree: r.sameSubtree.map((list) => list.map((g) => unnumberedCount + g)),
  };
  const assignment = bestAssignment(problem);
  if (!assignment) return null;
  const classNames = [...r.classNames, ...r.groups.flatMap((g) => g.classNames)];
  let rowIndex = 0;
  const serving = demands.flatMap((demand, d) => {
    const provider = providers[assignment.providers[d]!]!;
    return demand.classIds.map((classId, c) => {
      const inventory = provider.inventories.get(classId)!;
      return {
        providerUuid: provider.uuid,
        resourceClass: classNames[rowIndex++]!,
        amount: demand.amounts[c]!,
        capacity: inventory.capacity,
        used: inventory.used,
        group: demand.group,
      };
    });
  });
  const shares = serving.reduce((sum, s) => sum + (s.capacity - s.used) / s.capacity, 0);
  return {
    rootUuid: row.root_uuid,
    cellUuid: row.cell_uuid,
    score: Math.round((shares / serving.length) * 1e12) / 1e12,
    serving,
    mappings: [
      ...unnumberedMappings(serving),
      ...r.groups.map((g, i) => ({
        group: g.name,
        providerUuids: [providers[assignment.providers[unnumberedCount + i]!]!.uuid],
      })),
    ],
  };
}

/**
 * The request as one flat request, for hosts that stand alone (no descendants, no sharing
 * partner), where every demand lands on the host itself: possible when one provider may
 * serve every group and no class is asked twice (then rows are classes, the score and the
 * fit are the flat walk's, and every filter applies to the host). Null otherwise.
 */
export function aloneEquivalent(r: ResolvedRequest): ResolvedRequest | null {
  if (r.groupPolicy === 'ISOLATE' && r.groups.length >= 2) return null;
  const all = [r, ...r.groups];
  const classIds = all.flatMap((g) => g.classIds);
  if (new Set(classIds).size !== classIds.length) return null;
  const named = [r.request, ...(r.request.groups ?? [])];
  const unique = <T>(list: T[]) => [...new Set(list)];
  return {
    ...r,
    request: {
      ...r.request,
      requiredTraits: unique(named.flatMap((g) => g.requiredTraits ?? [])),
      forbiddenTraits: unique(named.flatMap((g) => g.forbiddenTraits ?? [])),
      anyOfTraits: named.flatMap((g) => g.anyOfTraits ?? []),
    },
    classIds,
    classNames: all.flatMap((g) => g.classNames),
    amounts: all.flatMap((g) => g.amounts),
    requiredTraitIds: unique(all.flatMap((g) => g.requiredTraitIds)),
    forbiddenTraitIds: unique(all.flatMap((g) => g.forbiddenTraitIds)),
    anyOfTraitIds: all.flatMap((g) => g.anyOfTraitIds),
    memberOf: all.flatMap((g) => g.memberOf),
    forbiddenAggregates: unique(all.flatMap((g) => g.forbiddenAggregates)),
    groups: [],
    sameSubtree: [],
  };
}

/** A flat walk's candidate (every class on the host) as the grouped request's: rows and mappings by group. */
function asGrouped(r: ResolvedRequest, flat: Candidate): Candidate {
  const groupOfRow = [...r.classIds.map(() => ''), ...r.groups.flatMap((g) => g.classIds.map(() => g.name))];
  const serving = flat.serving.map((s, i) => ({ ...s, group: groupOfRow[i]! }));
  return {
    ...flat,
    serving,
    mappings: [
      ...unnumberedMappings(serving),
      ...r.groups.map((g) => ({ group: g.name, providerUuids: [flat.rootUuid] })),
    ],
  };
}

/**
 * Candidates for a request with numbered groups: hosts in bound order, batch by batch,
 * each scored by its best assignment; the walk stops once no unseen host's bound can
 * outrank the `limit`-th best. Batches grow ×4.
 */
export async function groupedCandidates(
  db: Queryable,
  r: ResolvedRequest,
  options: SearchOptions,
): Promise<Candidate[]> {
  const demands = demandsOf(r);
  const alone = aloneEquivalent(r);
  // Hosts that stand alone go through the flat walk (bound-ordered over an index), so a
  // group request over a large flat world reads little more than `limit` of them.
  const found: Candidate[] = alone
    ? (await flatCandidates(db, alone, { ...options, aloneWithSharingTrait: r.sharingTraitId })).map((c) =>
        asGrouped(r, c),
      )
    : [];
  const skipAlone = alone !== null;
  let after: { key: number; uuid: string } | null = null;
  // Twice the limit: the bound ignores aggregates, sameSubtree and groups summed on one
  // inventory, so a batch of `limit` hosts may not settle the walk, and every further batch
  // ranks the hosts again. (It takes isolated groups on distinct servers into account: in the
  // NUMA world the first `limit` hosts settle it.)
  let batch = Math.max(64, options.limit * 2);
  for (;;) {
    const page: GroupedPage = { batch, after, skipAlone };
    const { rows } = await db.query<GroupedRow>(groupedStatement(r, options, page));
    for (const row of rows) {
      const candidate = candidateOf(r, demands, row);
      if (candidate) found.push(candidate);
    }
    if (rows.length < batch) break;
    const last: GroupedRow = rows[rows.length - 1]!;
    after = { key: last.walk_key, uuid: last.root_uuid };
    if (found.length >= options.limit && walkIsDone(found, options, after, options.weigher !== 'PACK')) break;
    batch *= 4;
  }
  return found.sort(compareCandidates(options.weigher)).slice(0, options.limit);
}
